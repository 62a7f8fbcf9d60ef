"""Throttle counters live in a cache every web process shares, so N processes allow the limit,
not N times it: the database by default, Redis with CACHE_URL."""

import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

from config.cache_url import cache_settings
from config.throttle import Rate, hit, over, parse_rate
from tests.loopback.processes import ROOT, database_url

HOUR = timedelta(hours=1)


def _hits_in_another_process(times: int) -> list[int]:
    script = (
        "import django; django.setup()\n"
        "from datetime import timedelta\n"
        "from config.throttle import hit\n"
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
def test_two_processes_share_one_count_in_the_database_cache():
    assert hit("test", "203.0.113.7", HOUR) == 1
    assert _hits_in_another_process(3) == [2, 3, 4]
    assert hit("test", "203.0.113.7", HOUR) == 5
    assert hit("test", "198.51.100.1", HOUR) == 1  # another key counts on its own


@pytest.mark.skipif(not shutil.which("redis-server"), reason="no Redis on this machine")
def test_two_cache_instances_share_one_count_in_redis(settings):
    url = "redis://127.0.0.1:6379/15"
    settings.CACHES = cache_settings(url)
    from django.core.cache import caches

    first = caches["default"]
    try:
        first.clear()
    except Exception as exc:  # installed but not running
        pytest.skip(f"Redis is not answering: {exc}")
    second = RedisCache(url, {})
    assert hit("test", "k", HOUR) == 1
    second.incr("throttle:test:k")  # another web process counting the same client
    assert hit("test", "k", HOUR) == 3
    first.clear()


def test_over_says_so_only_past_the_limit(db):
    rate = Rate(2, HOUR)
    assert [over("test", "k", rate) for _ in range(3)] == [False, False, True]


def test_a_window_ends_after_its_period(db, t0):
    import time_machine

    with time_machine.travel(t0, tick=False):
        assert [hit("test", "k", HOUR) for _ in range(2)] == [1, 2]
    with time_machine.travel(t0 + HOUR + timedelta(seconds=1), tick=False):
        assert hit("test", "k", HOUR) == 1


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
