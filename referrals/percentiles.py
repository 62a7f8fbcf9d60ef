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


def pick(row: dict, prefix: str) -> dict:
    return {name: row.get(f"{prefix}_{name}") for name in PERCENTILES}
