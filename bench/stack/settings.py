"""Referral Desk's settings, with the bare view added at /bench/bare/ (bench/stack/urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.stack.urls"
