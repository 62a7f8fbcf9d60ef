"""Throttle rates from settings: "10/h" read as a count per period (INTAKE_RATE_LIMIT and the
like). The hits themselves are counted by `throttles.counters`."""

import re
from dataclasses import dataclass
from datetime import timedelta

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
