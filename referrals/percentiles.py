"""Median and 90th percentile, computed by the database where it can.

PostgreSQL has PERCENTILE_CONT, so the percentiles ride along in the same aggregate query as the
counts and 100,000 referrals never leave the database. SQLite (the small embedded default) has no
such aggregate, so there the values are read and interpolated the same way (linear, as
PERCENTILE_CONT does): both backends give the same figures.
"""

from collections import defaultdict

from django.db import connection
from django.db.models import Aggregate, FloatField, Q, QuerySet

PERCENTILES = {"median": 0.5, "p90": 0.9}


class PercentileCont(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def interpolate(sorted_values: list[float], fraction: float) -> float | None:
    """PERCENTILE_CONT over an ascending list; None for no values."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def in_database() -> bool:
    return connection.vendor == "postgresql"


def annotations(field: str, prefix: str) -> dict:
    """Aggregates `<prefix>_median` and `<prefix>_p90` of `field` to add to a query, where the
    database computes them (PostgreSQL); empty elsewhere, see `fill`."""
    if not in_database():
        return {}
    return {
        f"{prefix}_{name}": PercentileCont(field, fraction, filter=Q(**{f"{field}__isnull": False}))
        for name, fraction in PERCENTILES.items()
    }


def fill(rows: list[dict], qs: QuerySet, group: str | None, field: str, prefix: str) -> None:
    """Where `annotations` gave nothing, compute the same keys in Python, per `group` value
    (or over all of `qs` when `group` is None)."""
    if in_database():
        return
    values = defaultdict(list)
    pairs = qs.order_by().filter(**{f"{field}__isnull": False})
    if group is None:
        values[None] = list(pairs.values_list(field, flat=True))
    else:
        for key, value in pairs.values_list(group, field):
            values[key].append(value)
    for row in rows:
        found = sorted(values.get(row.get(group) if group else None, []))
        for name, fraction in PERCENTILES.items():
            row[f"{prefix}_{name}"] = interpolate(found, fraction)


def of_parts(qs: QuerySet, parts: dict) -> dict:
    """The median and 90th percentile of some fields over each part of `qs`.
    `parts` maps a name to (where, fields): `where` is (column, value), the rows whose `column` is
    `value` (None: is null), or None for all of `qs`; `fields` is {field: prefix}. Parts may
    overlap. Returns {name: {"<prefix>_median": ..., "<prefix>_p90": ...}}.

    On PostgreSQL one query per field, each part a FILTER on one scan of the rows that have the
    field: a partial index ordered by the field (`Referral.Meta.indexes`) gives those rows in order,
    so no sort of all the rows by group and every percentile's own sort finds its values already
    in order. Elsewhere the values are read once and interpolated here."""
    if in_database():
        result = {name: {} for name in parts}
        for field in dict.fromkeys(f for _, wanted in parts.values() for f in wanted):
            aggregates = {}
            for index, (where, wanted) in enumerate(parts.values()):
                if field in wanted:
                    for stat, fraction in PERCENTILES.items():
                        aggregates[f"p{index}_{stat}"] = PercentileCont(
                            field, fraction, filter=None if where is None else _is(*where)
                        )
            having = qs.order_by().filter(**{f"{field}__isnull": False})
            found = having.aggregate(**aggregates)
            for index, (name, (_, wanted)) in enumerate(parts.items()):
                if field in wanted:
                    for stat in PERCENTILES:
                        result[name][f"{wanted[field]}_{stat}"] = found[f"p{index}_{stat}"]
        return result
    columns = sorted({where[0] for where, _ in parts.values() if where is not None})
    fields = sorted({field for _, wanted in parts.values() for field in wanted})
    values = defaultdict(list)  # (where, field) -> values
    for row in qs.order_by().values_list(*columns, *fields):
        cell = dict(zip(columns, row, strict=False))
        for field, value in zip(fields, row[len(columns) :], strict=True):
            if value is not None:
                values[None, field].append(value)
                for column in columns:
                    values[(column, cell[column]), field].append(value)
    result = {}
    for name, (where, wanted) in parts.items():
        result[name] = {}
        for field, prefix in wanted.items():
            ordered = sorted(values.get((where, field), []))
            for stat, fraction in PERCENTILES.items():
                result[name][f"{prefix}_{stat}"] = interpolate(ordered, fraction)
    return result


def per_value(qs: QuerySet, group: str, fields: dict) -> dict:
    """{value of `group`: {"<prefix>_median": ..., "<prefix>_p90": ...}} for each `field: prefix`
    of `fields`, over the rows of `qs` that have the field, in one query that reads only rows
    with at least one of them (one query per field where the database cannot compute them)."""
    having = Q()
    for field in fields:
        having |= Q(**{f"{field}__isnull": False})
    if in_database():
        aggregates = {}
        for field, prefix in fields.items():
            aggregates.update(annotations(field, prefix))
        rows = qs.order_by().filter(having).values(group).annotate(**aggregates).order_by()
        return {row.pop(group): row for row in rows}
    result = defaultdict(dict)
    for field, prefix in fields.items():
        values = defaultdict(list)
        pairs = qs.order_by().filter(**{f"{field}__isnull": False}).values_list(group, field)
        for key, value in pairs:
            values[key].append(value)
        for key, found in values.items():
            ordered = sorted(found)
            for stat, fraction in PERCENTILES.items():
                result[key][f"{prefix}_{stat}"] = interpolate(ordered, fraction)
    return result


def _is(column: str, value) -> Q:
    return Q(**{f"{column}__isnull": True}) if value is None else Q(**{column: value})


def pick(row: dict, prefix: str) -> dict:
    return {name: row.get(f"{prefix}_{name}") for name in PERCENTILES}
