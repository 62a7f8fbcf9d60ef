"""Inbound replies run against the loopback servers, signed as Slack and Twilio sign them."""

from tests.loopback.fixtures import *  # noqa: F403
