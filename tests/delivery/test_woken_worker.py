"""The worker wakes the moment a transaction commits new work (PostgreSQL LISTEN/NOTIFY), long
before its poll interval; one NOTIFY per transaction however many rows it queues; on SQLite it
polls, as before; and a stop still ends every wait at once."""

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import OutboxMessage
from notifications.wakeup import Bell, listen, wake_worker
from tests.loopback.processes import database_url, start_worker, stop_worker
from tests.loopback.servers import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (NOTIFY)"
)


def worker_env(channels, poll: str) -> dict:
    return {
        **channels.env,
        "DATABASE_URL": database_url(),
        "DELIVERY_TIMEOUT": "3s",
        "WORKER_POLL_INTERVAL": poll,
        "SLACK_MIN_INTERVAL": "0.01s",
        "SMS_MIN_INTERVAL": "0.01s",
    }


def all_sent() -> bool:
    return (
        OutboxMessage.objects.exists() and not OutboxMessage.objects.exclude(status="sent").exists()
    )


@pytest.mark.postgres
@needs_postgres
def test_on_postgresql_a_new_referral_is_delivered_long_before_the_poll_interval(
    channels, make_referral, ana, aetna, tmp_path
):
    log_path = tmp_path / "worker.log"
    worker = start_worker(worker_env(channels, "30s"), log_path)
    try:
        assert wait_until(lambda: "listening for work" in log_path.read_text(), timeout=20)
        time.sleep(0.5)  # the first pass is over; the loops now sleep for 30 s

        for _ in range(2):  # the second one finds every loop asleep again
            started = time.monotonic()
            make_referral(network=aetna, preferred=ana)
            assert wait_until(all_sent, timeout=3), log_path.read_text()
            assert time.monotonic() - started < 3
            time.sleep(0.3)
    finally:
        assert stop_worker(worker) == 0
    assert len(channels.slack.posts) == 2 and len(channels.sms.messages) == 2


@pytest.mark.postgres
@needs_postgres
def test_one_notify_per_transaction_however_many_rows_it_queues(make_referral, ana, aetna):
    with CaptureQueriesContext(connection) as queries:
        make_referral(network=aetna, preferred=ana)  # a post, two emails, an SMS, an event
    notifies = [q["sql"] for q in queries if q["sql"].startswith("NOTIFY")]
    assert notifies == ["NOTIFY referral_desk_work"]


@pytest.mark.postgres
@needs_postgres
def test_the_listener_rings_on_a_committed_notify_not_on_a_rolled_back_one():
    stop = threading.Event()
    bell = Bell(stop)
    woken = bell.waiter()
    listener = listen(bell, retry_after=0.2)
    try:
        assert listener.listening.wait(10)
        woken.clear()
        try:
            from django.db import transaction

            with transaction.atomic():
                wake_worker()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert not woken.wait(0.5)  # a rolled-back transaction wakes nobody

        wake_worker()  # autocommit: notifies at once
        assert woken.wait(2)
    finally:
        stop.set()
        listener.join(5)
    assert not listener.is_alive()


@pytest.mark.postgres
@needs_postgres
def test_the_listener_reconnects_after_losing_its_connection():
    stop = threading.Event()
    bell = Bell(stop)
    woken = bell.waiter()
    listener = listen(bell, retry_after=0.2)
    try:
        assert listener.listening.wait(10)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = %s",
                ["LISTEN referral_desk_work"],
            )
        assert woken.wait(5)  # losing it rings once: work may have come meanwhile
        assert wait_until(listener.listening.is_set, timeout=5)
        woken.clear()
        wake_worker()
        assert woken.wait(2)
    finally:
        stop.set()
        listener.join(5)


def test_on_sqlite_nothing_notifies_and_the_worker_polls(channels, make_referral, ana, aetna):
    if connection.vendor != "sqlite":
        pytest.skip("the polling-only path is SQLite's")
    stop = threading.Event()
    assert listen(Bell(stop), retry_after=1) is None
    with CaptureQueriesContext(connection) as queries:
        make_referral(network=aetna, preferred=ana)
    assert not [q for q in queries if "NOTIFY" in q["sql"]]


def test_a_stop_ends_a_waiting_loop_at_once():
    stop = threading.Event()
    bell = Bell(stop)
    woken = bell.waiter()
    done = threading.Event()

    def loop():
        bell.wait(woken, 30)
        done.set()

    threading.Thread(target=loop, daemon=True).start()
    time.sleep(0.1)
    stop.set()
    bell.ring()
    assert done.wait(1)
