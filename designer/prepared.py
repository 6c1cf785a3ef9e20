"""Rows written and read with statements prepared once per model, for the hot paths
(StartExecution and the runtime's step run them for every call): the ORM builds and compiles
each query anew, which costs more than the query itself (about 400 µs against 20 µs for a
machine looked up by its ARN on SQLite). The values go through each field's own conversions,
so what these store and return is what the ORM would."""
from __future__ import annotations

from django.db import connection

_INSERTS = {}
_SELECTS = {}


def insert(instance):
    """INSERT a new model instance; sets its pk and marks it stored."""
    model = type(instance)
    statement = _INSERTS.get((model, connection.vendor))
    if statement is None:
        statement = _INSERTS[model, connection.vendor] = _insert_statement(model)
    sql, fields, returning = statement
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning:
            instance.pk = cursor.fetchone()[0]
        elif model._meta.auto_field is not None:
            instance.pk = cursor.lastrowid
    instance._state.adding, instance._state.db = False, connection.alias
    return instance


def _insert_statement(model):
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    returning = meta.auto_field is not None and connection.features.can_return_columns_from_insert
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})"
           + (f" RETURNING {quote(meta.auto_field.column)}" if returning else ""))
    return sql, fields, returning


def get(model, field_name: str, value):
    """The instance whose unique `field_name` is `value`, or None."""
    statement = _SELECTS.get((model, field_name, connection.vendor))
    if statement is None:
        statement = _SELECTS[model, field_name, connection.vendor] = _select_statement(model, field_name)
    sql, names, converters = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.get_field(field_name).get_db_prep_value(value, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for raw, (column, functions) in zip(row, converters):
        for convert in functions:
            raw = convert(raw, column, connection)
        values.append(raw)
    return model.from_db(connection.alias, names, values)


def _select_statement(model, field_name):
    quote = connection.ops.quote_name
    meta = model._meta
    fields = list(meta.concrete_fields)
    sql = (f"SELECT {', '.join(quote(field.column) for field in fields)} FROM {quote(meta.db_table)} "
           f"WHERE {quote(meta.get_field(field_name).column)} = %s")
    converters = []
    for field in fields:
        column = field.get_col(meta.db_table)
        converters.append((column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)))
    return sql, [field.attname for field in fields], converters
