"""`manage.py check` warns, with DEBUG off, about every channel left on the development backend."""

from io import StringIO

import pytest
from django.core.management import call_command


def _check_output() -> str:
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.fixture
def no_channels(settings):
    settings.SLACK_BOT_TOKEN = settings.EMAIL_URL = ""
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_FROM_NUMBER = ""


def test_production_without_channels_warns_for_each(settings, no_channels):
    settings.DEBUG = False

    output = _check_output()

    for channel, hint in [("slack", "SLACK_BOT_TOKEN"), ("email", "EMAIL_URL"), ("sms", "TWILIO")]:
        assert f"The {channel} channel is not configured" in output
        assert hint in output


def test_development_is_quiet_about_channels(settings, no_channels):
    settings.DEBUG = True
    assert "not configured" not in _check_output()


def test_production_with_every_channel_configured_is_quiet(settings, channels):
    settings.DEBUG = False
    assert "not configured" not in _check_output()
