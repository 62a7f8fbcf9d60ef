"""Counters for the throttles (sign-in, intake form, API create, status page actions), kept in

Every web process counts in the same place: a database table by default, Redis when CACHE_URL
says so (`config.cache_url`), so three web processes allow the limit, not three times it. A
window opens with the first hit on a key and lasts the rate's period. The database cache adds
by read-then-write, so hits that land at the very same instant may be counted once: a burst can
pass a limit by at most the number of requests in flight; Redis counts exactly.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")


@dataclass(frozen=True)
class Rate:
    limit: int
    period: timedelta


def parse_rate(value: str, name: str) -> Rate:
    """ "10/h" (ten an hour), "100/d", "5/15m"; a bad value stops start-up naming the variable."""
    match = _RATE.match(value.strip().lower())
    if not match or int(match.group(1)) < 1 or match.group(2) in {"0"}:
        raise ImproperlyConfigured(
            f"{name}={value!r} must be a count per period, like 10/h, 100/d or 5/15m."
        )
    count, multiple, unit = match.groups()
    return Rate(int(count), timedelta(seconds=int(multiple or 1) * _UNITS[unit]))


def hit(scope: str, key: str, period: timedelta) -> int:
    """Count one hit on `key` in this window; the count so far, this hit included."""
    name = f"throttle:{scope}:{key}"
    seconds = period.total_seconds()
    # Counting in an open window is the usual case: one increment (on the database cache a read
    # and a write), where trying to add first would cost a failed insert on every later hit.
    try:
        return cache.incr(name)
    except ValueError:  # no window open: this hit opens one
        pass
    if cache.add(name, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(name)  # another request opened it at the same instant
    except ValueError:  # and it expired already: this hit opens a new window
        cache.set(name, 1, timeout=seconds)
        return 1


def over(scope: str, key: str, rate: Rate) -> bool:
    """Count one hit; True when it goes past the rate's limit."""
    return hit(scope, key, rate.period) > rate.limit
