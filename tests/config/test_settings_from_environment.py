"""Configuration from the environment: durations parse as the README says, a bad value stops
start-up with a message naming the variable, and production settings pass `check --deploy`."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.durations import describe, parse_duration, short

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("12h", timedelta(hours=12)),
        ("2d", timedelta(days=2)),
        (" 48H ", timedelta(hours=48)),
        ("1.5h", timedelta(minutes=90)),
    ],
)
def test_durations_accept_the_documented_forms(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "12", "h", "12 hours", "-1h", "0s", "1w"])
def test_bad_durations_name_the_variable(text):
    with pytest.raises(ImproperlyConfigured, match="REFERRAL_LINK_TTL"):
        parse_duration(text, "REFERRAL_LINK_TTL")


def test_durations_read_as_people_say_them():
    assert describe(timedelta(hours=48)) == "48 hours"
    assert describe(timedelta(hours=12)) == "12 hours"
    assert describe(timedelta(days=7)) == "7 days"
    assert short(3 * 3600 + 12 * 60) == "3 h 12 min"
    assert short(None) == "—"


def _manage(*args, **env):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (for Playwright); a real
    # deployment never has it, and check --deploy rightly refuses it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_bad_duration_stops_start_up_with_a_clear_message():
    result = _manage("check", REFERRAL_EXPIRE_AFTER="two days")
    assert result.returncode != 0
    assert "REFERRAL_EXPIRE_AFTER='two days' is not a duration" in result.stderr


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-variety-0123456789",
        ALLOWED_HOSTS="referrals.example.org",
        SITE_URL="https://referrals.example.org",
        SLACK_BOT_TOKEN="xoxb-test",
        EMAIL_URL="smtp://user:pass@127.0.0.1:2525",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="token",
        TWILIO_FROM_NUMBER="+12012100100",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _manage_as_operator(*args, **env):
    """`manage.py` as an operator would start it: no DEBUG unless given, the real settings."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "secret_key",
    [
        None,
        "",
        "short-but-secret",
        "dev-only-insecure-key-change-me-in-production-0123456789abcdef",
    ],
    ids=["unset", "empty", "short", "development-key"],
)
def test_without_debug_start_up_refuses_a_missing_short_or_development_secret_key(secret_key):
    env = {} if secret_key is None else {"SECRET_KEY": secret_key}
    result = _manage_as_operator("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a secret of at least 50 characters" in result.stderr
    assert "unless DEBUG=true" in result.stderr


def test_debug_false_is_production_too():
    result = _manage_as_operator("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_without_debug_a_long_secret_key_starts():
    result = _manage_as_operator(
        "check", SECRET_KEY="s" * 20 + "-a-production-secret-0123456789abcdef"
    )
    assert result.returncode == 0, result.stderr


def test_debug_true_runs_with_the_development_key():
    result = _manage_as_operator("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


PRODUCTION_KEY = "p" * 20 + "-a-production-secret-0123456789abcdef"
SHOW_2FA = "from django.conf import settings; print(settings.STAFF_2FA_REQUIRED)"


def test_staff_second_factor_is_required_unless_debug():
    production = _manage_as_operator("shell", "-c", SHOW_2FA, SECRET_KEY=PRODUCTION_KEY)
    assert production.stdout.strip().endswith("True"), production.stderr
    development = _manage_as_operator("shell", "-c", SHOW_2FA, DEBUG="true")
    assert development.stdout.strip().endswith("False"), development.stderr


def test_an_unclear_staff_2fa_setting_stops_start_up():
    result = _manage_as_operator("check", SECRET_KEY=PRODUCTION_KEY, STAFF_2FA_REQUIRED="sometimes")
    assert result.returncode != 0
    assert "STAFF_2FA_REQUIRED='sometimes' must be true or false" in result.stderr


def test_message_text_retention_defaults_to_30_days_and_refuses_a_bad_value():
    from django.conf import settings

    result = _manage("check", OUTBOX_BODY_RETENTION="a month")

    assert settings.OUTBOX_BODY_RETENTION == timedelta(days=30)
    assert result.returncode != 0
    assert "OUTBOX_BODY_RETENTION='a month' is not a duration" in result.stderr
