"""Template filters every template has (a builtin library): times and durations as people read them.

`when`: one time format everywhere, in DISPLAY_TIME_ZONE ("Tue 3 Dec, 3:11 PM EST").
`urgency`: the CSS class of a countdown by the time left: "urgent" (red) within 2 hours, "soon"
(amber) within 6, else "calm" (green), "past" once it passed; each colour has 4.5:1 contrast.
`duration` and `time_left`: spans as a person says them ("1 minute", "1 day 3 hours"), from
config.durations.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils import dateformat, timezone

from config.durations import describe

register = template.Library()
TIME_FORMAT = "D j M, g:i A T"
URGENT_WITHIN = timedelta(hours=2)
SOON_WITHIN = timedelta(hours=6)


@register.filter
def when(at: datetime | None) -> str:
    """The moment in the practice's time zone: "Tue 3 Dec, 3:11 PM EST"; "—" if there is none."""
    if at is None or at == "":
        return "—"
    local = timezone.localtime(at, ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return dateformat.format(local, TIME_FORMAT)


@register.filter
def duration(delta: timedelta | None) -> str:
    """A timedelta as a person says it: "15 minutes"; "—" if there is none."""
    return "—" if delta is None or delta == "" else describe(delta)


@register.filter
def time_left(at: datetime | None, now: datetime) -> str:
    """How long until `at`, as a person says it ("3 hours 20 minutes"); "none" once it passed."""
    if at is None:
        return "—"
    return describe(at - now) if at > now else "none"


@register.filter
def urgency(at: datetime, now: datetime) -> str:
    """The class a countdown to `at` wears: "past", "urgent", "soon" or "calm"."""
    left = at - now
    if left <= timedelta(0):
        return "past"
    if left <= URGENT_WITHIN:
        return "urgent"
    if left <= SOON_WITHIN:
        return "soon"
    return "calm"
