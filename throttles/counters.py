"""Counting hits for the throttles (sign-in, intake form, API create, status page actions).

Every web process counts in the same table (`throttles.models.Counter`), so three web processes
allow the limit, not three times it. A window opens with the first hit on a key and lasts the
rate's whole period, however many hits follow. Each hit is one atomic statement (an INSERT that,
on a key already counted, updates it in place and returns the count), so simultaneous hits are
each counted, on SQLite and PostgreSQL alike, and no other key's hits can reset a count.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from config.model_sql import model_sql
from config.throttle import Rate
from throttles.models import Counter

HIT = (
    "INSERT INTO {table} ({name}, {hits}, {window_ends}) VALUES (%s, 1, %s) "
    "ON CONFLICT ({name}) DO UPDATE SET "
    "{hits} = CASE WHEN {table}.{window_ends} <= %s THEN 1 ELSE {table}.{hits} + 1 END, "
    "{window_ends} = CASE WHEN {table}.{window_ends} <= %s THEN excluded.{window_ends} "
    "ELSE {table}.{window_ends} END "
    "RETURNING {hits}"
)


def hit(scope: str, key: str, period: timedelta) -> int:
    """Count one hit on `key` in this window; the count so far, this hit included."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            model_sql(Counter, HIT), [f"{scope}:{key}", adapt(now + period), adapt(now), adapt(now)]
        )
        return cursor.fetchone()[0]


def over(scope: str, key: str, rate: Rate) -> bool:
    """Count one hit; True when it goes past the rate's limit."""
    return hit(scope, key, rate.period) > rate.limit


def forget_ended(at: datetime) -> int:
    """Delete the counters whose window ended by `at`; returns how many went."""
    deleted, _ = Counter.objects.filter(window_ends__lte=at).delete()
    return deleted
