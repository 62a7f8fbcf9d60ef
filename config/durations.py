"""Parse human durations from the environment ("90s", "15m", "12h", "2d").

Deadlines are elapsed UTC time, so a duration is a plain timedelta: 48h is 172,800 seconds,
whatever the wall clock does at a DST change.
"""

import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


def parse_duration(value: str, name: str = "duration") -> timedelta:
    """Return the timedelta for `value`, or raise ImproperlyConfigured naming the variable."""
    match = _PATTERN.match(str(value).lower())
    if not match:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a duration; use a number and a unit, "
            "like 90s, 15m, 12h or 2d."
        )
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ImproperlyConfigured(f"{name}={value!r} must be longer than zero.")
    return timedelta(seconds=seconds)


def describe(delta: timedelta) -> str:
    """A duration as a person says it: "1 minute", "12 hours", "1 day 3 hours", "3 days".

    The two largest units, never "1 minutes"; one or two whole days stay in hours ("48 hours",
    as the policy says it, not "2 days")."""
    seconds = int(abs(delta.total_seconds()))
    if seconds in (86400, 2 * 86400):
        return _count(seconds // 3600, "hour")
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        n, seconds = divmod(seconds, size)
        if n or parts:
            parts.append((n, unit))
    said = [_count(n, unit) for n, unit in parts[:2] if n]
    return " ".join(said) or "0 seconds"


def roughly(delta: timedelta) -> str:
    """A duration rounded as a person gives a typical time: to the nearest whole hour, or whole
    minute under an hour, never under a minute ("4 hours" for 3 h 40 min, "1 minute" for 20 s)."""
    seconds = abs(delta.total_seconds())
    unit = 3600 if seconds >= 3600 else 60
    return describe(timedelta(seconds=max(1, round(seconds / unit)) * unit))


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def short(seconds: float | None) -> str:
    """A span for tables and timelines: "45 s", "12 min", "3 h 12 min", "2 d 4 h"; "—" if None."""
    if seconds is None:
        return "—"
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"
