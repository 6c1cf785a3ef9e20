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


def insert_many(instances, chunk=200):
    """INSERT new instances of one model, a multi-row statement per `chunk`; sets their pks (the
    rows come back in the order given, as Django's bulk_create relies on for SQLite and PostgreSQL)."""
    if not instances:
        return
    model = type(instances[0])
    _, fields, returning = _INSERTS.get((model, connection.vendor)) or _insert_statement(model)
    quote = connection.ops.quote_name
    meta = model._meta
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) VALUES "
    row = f"({', '.join(['%s'] * len(fields))})"
    tail = f" RETURNING {quote(meta.auto_field.column)}" if returning else ""
    with connection.cursor() as cursor:
        for start in range(0, len(instances), chunk):
            part = instances[start:start + chunk]
            values = [field.get_db_prep_save(field.pre_save(instance, True), connection)
                      for instance in part for field in fields]
            cursor.execute(head + ", ".join([row] * len(part)) + tail, values)
            pks = [found[0] for found in cursor.fetchall()] if returning else [None] * len(part)
            for instance, pk in zip(part, pks):
                if pk is not None:
                    instance.pk = pk
                instance._state.adding, instance._state.db = False, connection.alias


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
    found = select(model, field_name, [value])
    return found[0] if found else None


def select(model, field_name: str, values, *, without=()) -> list:
    """The instances whose `field_name` is one of `values`, in no particular order; the fields
    named in `without` are left deferred (loaded if read)."""
    values = list(values)
    if not values:
        return []
    key = (model, field_name, tuple(without), connection.vendor)
    statement = _SELECTS.get(key)
    if statement is None:
        statement = _SELECTS[key] = _select_statement(model, field_name, without)
    sql, names, converters, where = statement
    with connection.cursor() as cursor:
        cursor.execute(sql.format(", ".join(["%s"] * len(values))),
                       [where.get_db_prep_value(value, connection) for value in values])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        converted = []
        for raw, (column, functions) in zip(row, converters):
            for convert in functions:
                raw = convert(raw, column, connection)
            converted.append(raw)
        found.append(model.from_db(connection.alias, names, converted))
    return found


def _select_statement(model, field_name, without):
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field.name not in without]
    where = meta.get_field(field_name)
    sql = (f"SELECT {', '.join(quote(field.column) for field in fields)} FROM {quote(meta.db_table)} "
           f"WHERE {quote(where.column)} IN ({{}})")
    converters = []
    for field in fields:
        column = field.get_col(meta.db_table)
        converters.append((column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)))
    return sql, [field.attname for field in fields], converters, where
