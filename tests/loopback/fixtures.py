"""Pytest fixtures: the three loopback servers, and settings that point every channel at them.

Import with `from tests.loopback.fixtures import *` in a conftest that needs real delivery.
`channels` makes notifications.clients build the real Slack, SMTP and Twilio clients, with a 1 s
timeout and no pacing (a test that checks pacing sets it).
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from config.email_url import email_settings
from tests.loopback.servers import SlackServer, SmtpServer, TwilioServer, channel_settings

__all__ = ["slack_server", "smtp_server", "twilio_server", "channels"]


@pytest.fixture
def slack_server():
    server = SlackServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def twilio_server():
    server = TwilioServer().start()
    yield server
    server.stop()


@pytest.fixture
def channels(settings, slack_server, smtp_server, twilio_server):
    env = channel_settings(slack_server, smtp_server, twilio_server)
    for name, value in env.items():
        setattr(settings, name, value)
    for name, value in email_settings(env["EMAIL_URL"]).items():
        setattr(settings, name, value)
    settings.DELIVERY_TIMEOUT = timedelta(seconds=1)
    settings.SLACK_MIN_INTERVAL = timedelta(0)
    settings.SMS_MIN_INTERVAL = timedelta(0)
    return SimpleNamespace(slack=slack_server, smtp=smtp_server, sms=twilio_server, env=env)
