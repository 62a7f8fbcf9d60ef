"""Throttle counters: one row per key in a table every web process shares, so N processes allow
the limit, not N times it; each hit is one atomic statement, exact on SQLite and PostgreSQL."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.cache_url import cache_settings
from config.throttle import Rate, parse_rate
from tests.loopback.processes import ROOT, database_url
from throttles.counters import hit, over
from throttles.models import Counter
from worker.management.commands.worker import forget_what_is_old

HOUR = timedelta(hours=1)


def _hits_in_another_process(times: int) -> list[int]:
    script = (
        "import django; django.setup()\n"
        "from datetime import timedelta\n"
        "from throttles.counters import hit\n"
        f"print([hit('test', '203.0.113.7', timedelta(hours=1)) for _ in range({times})])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env["DATABASE_URL"] = database_url()
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return eval(done.stdout)  # a list of ints we printed ourselves


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_count():
    assert hit("test", "203.0.113.7", HOUR) == 1
    assert _hits_in_another_process(3) == [2, 3, 4]
    assert hit("test", "203.0.113.7", HOUR) == 5
    assert hit("test", "198.51.100.1", HOUR) == 1  # another key counts on its own


def test_over_says_so_only_past_the_limit(db):
    rate = Rate(2, HOUR)
    assert [over("test", "k", rate) for _ in range(3)] == [False, False, True]


def test_a_window_lasts_its_whole_period(db, t0):
    # The database cache re-set the key with its default 5-minute timeout on each increment, so
    # a window ended 5 minutes after the latest hit: 10/h allowed 10 every 5 minutes.
    with time_machine.travel(t0, tick=False):
        assert hit("test", "k", HOUR) == 1
    with time_machine.travel(t0 + timedelta(seconds=1), tick=False):
        assert hit("test", "k", HOUR) == 2
    with time_machine.travel(t0 + timedelta(minutes=6), tick=False):
        assert hit("test", "k", HOUR) == 3
    with time_machine.travel(t0 + HOUR - timedelta(seconds=1), tick=False):
        assert hit("test", "k", HOUR) == 4


def test_a_window_ends_after_its_period(db, t0):
    with time_machine.travel(t0, tick=False):
        assert [hit("test", "k", HOUR) for _ in range(2)] == [1, 2]
    with time_machine.travel(t0 + HOUR, tick=False):
        assert hit("test", "k", HOUR) == 1  # a new window opens with this hit
    with time_machine.travel(t0 + HOUR + timedelta(minutes=59), tick=False):
        assert hit("test", "k", HOUR) == 2


def test_many_other_keys_do_not_reset_a_count(db):
    # The database cache culled a third of its rows past 300, so a flood of new addresses
    # reset every counter (the limit failed open).
    assert [hit("test", "a", HOUR) for _ in range(2)] == [1, 2]
    for n in range(400):
        hit("test", f"b{n:03d}", HOUR)
    assert hit("test", "a", HOUR) == 3


def test_the_worker_forgets_windows_that_ended(db, t0):
    with time_machine.travel(t0, tick=False):
        hit("test", "hour", HOUR)
        hit("test", "day", 24 * HOUR)
    forget_what_is_old(t0 + 2 * HOUR)
    with time_machine.travel(t0 + 2 * HOUR, tick=False):
        assert hit("test", "day", 24 * HOUR) == 2  # an open window is kept
    assert sorted(Counter.objects.values_list("name", flat=True)) == ["test:day"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_hits_count_exactly():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real parallel connections")
    from tests.postgres.conftest import run_together

    counts = run_together(*[(lambda: hit("test", "k", HOUR)) for _ in range(8)])

    assert sorted(counts) == list(range(1, 9))
    assert hit("test", "k", HOUR) == 9


@pytest.mark.parametrize(
    "text, expected",
    [("10/h", Rate(10, HOUR)), ("100/d", Rate(100, 24 * HOUR)), (" 5/15M ", Rate(5, HOUR / 4))],
)
def test_rates_read_as_a_count_per_period(text, expected):
    assert parse_rate(text, "INTAKE_RATE_LIMIT") == expected


@pytest.mark.parametrize("text", ["", "10", "10/w", "0/h", "10/0h", "-1/h", "ten/h"])
def test_a_bad_rate_names_the_variable(text):
    with pytest.raises(ImproperlyConfigured, match="INTAKE_RATE_LIMIT"):
        parse_rate(text, "INTAKE_RATE_LIMIT")


def test_cache_url_picks_the_shared_backend():
    assert cache_settings("")["default"]["BACKEND"].endswith("db.DatabaseCache")
    redis = cache_settings("redis://127.0.0.1:6379/1")["default"]
    assert redis["BACKEND"].endswith("redis.RedisCache")
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"


@pytest.mark.parametrize("url", ["memcached://127.0.0.1", "locmem://", "127.0.0.1:6379"])
def test_a_bad_cache_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_settings(url)
