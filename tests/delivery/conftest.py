"""Delivery tests run against the loopback servers (tests/loopback)."""

from tests.loopback.fixtures import *  # noqa: F403
