"""Median and 90th percentile, computed by the database where it can.

PostgreSQL has PERCENTILE_CONT, so 100,000 referrals never leave the database. SQLite (the small
embedded default) has no such aggregate, so there the values are read and interpolated the same
way (linear, as PERCENTILE_CONT does): both backends give the same figures.
"""

from collections import defaultdict

from django.db import connection
from django.db.models import Aggregate, FloatField, QuerySet

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


def _in_database() -> bool:
    return connection.vendor == "postgresql"


def percentiles(qs: QuerySet, field: str) -> dict[str, float | None]:
    """{"median": ..., "p90": ...} of `field` over `qs`, ignoring NULLs."""
    qs = qs.filter(**{f"{field}__isnull": False})
    if _in_database():
        return qs.aggregate(
            **{name: PercentileCont(field, fraction) for name, fraction in PERCENTILES.items()}
        )
    values = sorted(qs.values_list(field, flat=True))
    return {name: interpolate(values, fraction) for name, fraction in PERCENTILES.items()}


def grouped_percentiles(qs: QuerySet, group: str, field: str) -> dict:
    """{group value: {"median": ..., "p90": ...}} of `field` over `qs`, ignoring NULLs."""
    qs = qs.filter(**{f"{field}__isnull": False})
    if _in_database():
        rows = (
            qs.order_by()
            .values(group)
            .annotate(
                **{
                    f"_{name}": PercentileCont(field, fraction)
                    for name, fraction in PERCENTILES.items()
                }
            )
        )
        return {row[group]: {name: row[f"_{name}"] for name in PERCENTILES} for row in rows}
    values = defaultdict(list)
    for key, value in qs.order_by().values_list(group, field):
        values[key].append(value)
    return {
        key: {name: interpolate(sorted(vals), f) for name, f in PERCENTILES.items()}
        for key, vals in values.items()
    }
