"""The throttles' counters, in a table of their own every web process shares."""

from django.apps import AppConfig


class ThrottlesConfig(AppConfig):
    name = "throttles"
    verbose_name = "Throttle counters"
