"""Web processes keep their database connection between requests (DB_CONN_MAX_AGE, 60 s by
default, "0" for a new one per request), checked before reuse so a restarted database costs no
error; a bad value stops start-up naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


def settings_with(**env) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if k != "DB_CONN_MAX_AGE"}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", SHOW],
        cwd=ROOT,
        env={**inherited, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_connections_persist_for_a_minute_with_health_checks_by_default():
    assert settings_with().stdout.split() == ["60.0", "True"]


def test_the_age_is_configurable_and_zero_means_a_connection_per_request():
    assert settings_with(DB_CONN_MAX_AGE="5m").stdout.split() == ["300.0", "True"]
    assert settings_with(DB_CONN_MAX_AGE="0").stdout.split() == ["0", "True"]


def test_a_bad_age_stops_start_up_naming_the_variable():
    result = settings_with(DB_CONN_MAX_AGE="forever")
    assert result.returncode != 0
    assert "DB_CONN_MAX_AGE" in result.stderr
