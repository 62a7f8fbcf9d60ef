"""Small formatting filters for the desk: spans ("3 h 12 min") and countdowns ("in 2 h 5 min")."""

from django import template

from config.durations import short

register = template.Library()


@register.filter
def span(seconds):
    return short(seconds)


@register.filter
def countdown(at, now):
    """ "in 2 h 5 min" before the deadline, "5 min ago" after it."""
    if at is None:
        return "—"
    seconds = (at - now).total_seconds()
    return f"in {short(seconds)}" if seconds > 0 else f"{short(seconds)} ago"


@register.filter
def days(value):
    """A number of days (a median may be fractional): "—" when there is none."""
    if value is None:
        return "—"
    return f"{value:.1f}".removesuffix(".0") + (" day" if value == 1 else " days")


@register.filter
def percent(share):
    return "—" if share is None else f"{share * 100:.0f}%"
