"""Rows written in bulk: COPY on PostgreSQL, executemany elsewhere; ids given by the caller,
sequences moved past them afterwards, then fresh planner statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, models


@dataclass
class Table:
    model: type[models.Model]
    names: Sequence[str]  # the generated columns (attnames), in tuple order
    rows: list[tuple] = field(default_factory=list)


def next_ids(models_: Iterable[type[models.Model]]) -> dict[type[models.Model], int]:
    """The first free id of each table the seed writes (ids are given, sequences set after)."""
    out = {}
    for model in models_:
        last = model.objects.aggregate(m=models.Max("id"))["m"] or 0
        out[model] = last + 1
    return out


def _constants(model, names: Sequence[str], now: dt.datetime) -> tuple[list[str], tuple]:
    """The columns the generator leaves out, with their default values."""
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.attname in names:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif f.blank:
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a generated value")
        columns.append(f.column)
        values.append(f.get_db_prep_save(value, connection))
    return columns, tuple(values)


def write_table(table: Table, now: dt.datetime) -> None:
    model = table.model
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    extra_cols, extra_vals = _constants(model, table.names, now)
    columns = [by_attname[n] for n in table.names] + extra_cols
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in table.rows:
                    copy.write_row(row + extra_vals)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {name} ({quoted}) VALUES ({marks})",
                [row + extra_vals for row in table.rows],
            )


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite continues after the largest id by itself
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(_NoStyle(), list(models_)):
            cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name: str) -> Callable[[str], str]:
        return lambda text: text


def analyze(models_: Iterable[type[models.Model]]) -> None:
    """Fresh planner statistics for the tables just filled (without them PostgreSQL plans the
    chart's visit query as a scan of all of a clinician's visits)."""
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
