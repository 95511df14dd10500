"""Fast bulk writes for triage: one prepared ``UPDATE`` run for many rows.

Django's ``bulk_update`` builds a ``CASE WHEN pk = ... THEN ...`` expression per field and row,
which costs far more Python time than the database's work (a 500-message batch spent most of its
time there). These helpers send one parameterised statement through ``executemany`` instead
(SQLite steps it in C; psycopg 3 pipelines it), with values prepared by the model's own fields,
inside the caller's transaction. Table and column names come from the models' metadata, quoted
by the backend; every value is a query parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):  # pragma: no cover - a programming error
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field


def _update_sql(model: type[models.Model], sets: Sequence[str]) -> str:
    table = _quote(model._meta.db_table)
    pk = _quote(str(_field(model, "id").column))
    return f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = %s"  # noqa: S608 - names only


_PLAIN = frozenset(
    {"CharField", "TextField", "FloatField", "BooleanField", "ForeignKey", "BigAutoField"}
    | {"IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField"}
)
"""Field types whose Python values the database drivers take as they are."""


def _prep(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None or field.get_internal_type() in _PLAIN:
        return value
    return field.get_db_prep_save(value, connection)


def bulk_set(
    model: type[models.Model], objects: Sequence[models.Model], fields: Sequence[str]
) -> int:
    """Write ``fields`` of each object (plain values, no expressions); returns rows sent."""
    if not objects:
        return 0
    columns = [_field(model, name) for name in fields]
    sql = _update_sql(model, [f"{_quote(str(c.column))} = %s" for c in columns])
    params = [[_prep(c, getattr(obj, c.attname)) for c in columns] + [obj.pk] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


def bulk_grow(
    model: type[models.Model],
    rows: Sequence[tuple[int, int, datetime, datetime]],
    *,
    count: str,
    first: str,
    last: str,
    now: datetime,
    extra: Sequence[tuple[str, Sequence[Any]]] = (),
) -> int:
    """For each ``(pk, added, earliest, latest)``: ``count += added``, ``first = min(first,
    earliest)``, ``last = max(last, latest)``, ``updated_at = now``; safe against concurrent
    growers (the arithmetic happens in the database). ``extra``: more plain columns, each with
    one value per row."""
    if not rows:
        return 0
    least, greatest = ("MIN", "MAX") if connection.vendor == "sqlite" else ("LEAST", "GREATEST")
    count_c, first_c, last_c = (_quote(str(_field(model, n).column)) for n in (count, first, last))
    extra_fields = [(_field(model, name), values) for name, values in extra]
    sets = [
        f"{count_c} = {count_c} + %s",
        f"{first_c} = {least}({first_c}, %s)",
        f"{last_c} = {greatest}({last_c}, %s)",
        f"{_quote('updated_at')} = %s",
        *(f"{_quote(str(f.column))} = %s" for f, _values in extra_fields),
    ]
    sql = _update_sql(model, sets)
    first_f, last_f = _field(model, first), _field(model, last)
    stamp = _prep(_field(model, "updated_at"), now)
    params = []
    # in primary-key order, so concurrent growers lock rows in the same order
    for i in sorted(range(len(rows)), key=lambda k: rows[k][0]):
        pk, added, earliest, latest = rows[i]
        values = [added, _prep(first_f, earliest), _prep(last_f, latest), stamp]
        values += [_prep(f, v[i]) for f, v in extra_fields]
        params.append([*values, pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)
