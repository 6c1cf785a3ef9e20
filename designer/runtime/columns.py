"""Values as the runtime's raw SQL statements write them (store.py, step.py): the ORM's per-value
conversions cost more than the statements on the hot path, so a step builds its rows itself."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from django.db import connection

from designer.models import HistoryEvent

_JSON_FIELD = HistoryEvent._meta.get_field("details")
_compact_json = json.JSONEncoder(separators=(",", ":")).encode


def insert(instance):
    """INSERT a new model instance with a statement prepared once per model (the ORM compiles one
    per save, which costs more than the statement); sets its pk and marks it stored."""
    model = type(instance)
    statement = _INSERTS.get(model)
    if statement is None:
        statement = _INSERTS[model] = _insert_statement(model)
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


_INSERTS = {}


def _insert_statement(model):
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    returning = meta.auto_field is not None and connection.features.can_return_columns_from_insert
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})"
           + (f" RETURNING {quote(meta.auto_field.column)}" if returning else ""))
    return sql, fields, returning


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def adapters():
    """(datetime -> column value, JSON value -> column value) for raw statements. SQLite stores
    both as text, in the form Django's own adapters write (naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff',
    JSON text) but without their per-value overhead; other databases use Django's adapters."""
    if connection.vendor == "sqlite":
        return _sqlite_time, _sqlite_json
    return connection.ops.adapt_datetimefield_value, lambda value: _JSON_FIELD.get_db_prep_save(value, connection)


def _sqlite_time(moment):
    return str(moment.replace(tzinfo=None))


def _sqlite_json(value):
    return None if value is None else _compact_json(value)
