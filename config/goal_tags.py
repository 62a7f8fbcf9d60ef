"""`{% respond_within %}` ("12 hours") and `{% respond_within short=True %}` ("12 h"): the
practice's response goal, RESPOND_WITHIN, in any template, with or without a request (a builtin
library, config/settings.py TEMPLATES), so no page or explanation writes the number itself."""

from django import template
from django.conf import settings

from config.durations import describe, short

register = template.Library()


@register.simple_tag
def respond_within(short_form: bool = False) -> str:
    goal = settings.RESPOND_WITHIN
    return short(goal.total_seconds()) if short_form else describe(goal)
