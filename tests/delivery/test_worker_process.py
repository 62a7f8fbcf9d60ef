"""The real `manage.py worker` process: killed with SIGKILL mid-batch and restarted it loses
nothing and repeats at most the one message per channel it was sending; a hanging channel does
not hold up the others; it names unconfigured channels once and stops cleanly on SIGTERM, even
in the middle of a batch or under a storm of SIGTERMs.

Load-proof: on a busy machine (load average 15 on 2 CPUs, a process gets an eighth of a CPU)
these processes are slow, not wrong. So the tests wait for what they need to see (a post, the
log line, the worker's heartbeat) rather than sleeping, with limits generous enough for such a
machine and still finite, so a worker that hangs or ignores SIGTERM fails. What makes a stop
"clean" is asserted from what the worker did after SIGTERM was delivered (how many more posts,
what it handed back), not from the wall clock.
"""

import signal
import subprocess

import pytest

from notifications.models import OutboxMessage, WorkerHeartbeat
from tests.loopback.processes import database_url, start_worker, stop_worker
from tests.loopback.servers import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

START_WITHIN = 120  # seconds for a worker to start and reach its first delivery (quiet: ~2 s)
DELIVER_WITHIN = 120  # seconds for a backlog to be delivered (quiet: a few seconds)
STOP_WITHIN = 60  # seconds from SIGTERM's delivery to the exit (quiet: under 1 s)


@pytest.fixture
def worker_env(channels):
    return {
        **channels.env,
        "DATABASE_URL": database_url(),
        "DELIVERY_TIMEOUT": "3s",
        "WORKER_POLL_INTERVAL": "0.2s",
        "OUTBOX_INFLIGHT_TIMEOUT": "4s",
        "SLACK_MIN_INTERVAL": "0.01s",
        "SMS_MIN_INTERVAL": "0.01s",
    }


def restart_until_all_sent(channels, worker_env, log_path) -> None:
    """Start a fresh worker, wait until every outbox row is sent, and stop it cleanly."""
    worker = start_worker(worker_env, log_path)
    try:
        assert channels.slack.wait_for(
            lambda: not OutboxMessage.objects.exclude(status="sent").exists(),
            timeout=DELIVER_WITHIN,
        ), log_path.read_text()
    finally:
        assert stop_worker(worker, timeout=STOP_WITHIN) == 0


def test_worker_killed_mid_batch_then_restarted_loses_nothing(
    channels, worker_env, make_referral, ana, aetna, tmp_path
):
    numbers = [make_referral(network=aetna, preferred=ana).number for _ in range(3)]
    channels.slack.fail("slow", delay=0.6)  # posts are recorded, then answered slowly

    first = start_worker(worker_env, tmp_path / "worker.log")
    try:
        assert channels.slack.wait_for(lambda: len(channels.slack.posts) >= 1, timeout=START_WITHIN)
    finally:
        stop_worker(first, signal.SIGKILL, timeout=STOP_WITHIN)
    assert OutboxMessage.objects.filter(status="inflight").exists()  # it died holding rows

    channels.slack.recover()
    restart_until_all_sent(channels, worker_env, tmp_path / "worker.log")

    posted = [p["text"] for p in channels.slack.posts]
    assert all(any(n in text for text in posted) for n in numbers)  # none lost
    assert 3 <= len(posted) <= 4  # at most the one post that was in flight is repeated
    assert 6 <= len(channels.smtp.messages) <= 7
    assert 3 <= len(channels.sms.messages) <= 4


def test_sigterm_mid_batch_finishes_the_message_in_hand_and_hands_back_the_rest(
    channels, worker_env, make_referral, ana, aetna, tmp_path
):
    numbers = [make_referral(network=aetna, preferred=ana).number for _ in range(4)]
    channels.slack.fail("slow", delay=0.6)

    first = start_worker(worker_env, tmp_path / "worker.log")
    try:
        assert channels.slack.wait_for(lambda: len(channels.slack.posts) >= 1, timeout=START_WITHIN)
    finally:
        first.send_signal(signal.SIGTERM)
        posted_by_then = len(channels.slack.posts)  # read once SIGTERM is delivered
        assert first.wait(timeout=STOP_WITHIN) == 0  # a clean exit
    # It finished the post in hand (at most one more: one it had begun as the signal arrived)
    # and did not work through the backlog (4 posts) first; the rest is handed back.
    assert len(channels.slack.posts) <= posted_by_then + 1 < 4
    assert not OutboxMessage.objects.filter(status="inflight").exists()  # nothing left held
    assert OutboxMessage.objects.filter(channel="slack", status="queued").exists()

    channels.slack.recover()
    restart_until_all_sent(channels, worker_env, tmp_path / "worker.log")
    posted = [p["text"] for p in channels.slack.posts]
    assert len(posted) == 4 and all(any(n in t for t in posted) for n in numbers)  # exactly once


def test_a_hanging_slack_does_not_delay_email_or_sms(
    channels, worker_env, make_referral, ana, aetna, tmp_path
):
    for _ in range(3):
        make_referral(network=aetna, preferred=ana)
    channels.slack.fail("hang")

    worker = start_worker(worker_env, tmp_path / "worker.log")
    try:
        # Slack hangs until it recovers below: email and SMS arriving at all is the proof.
        assert channels.smtp.wait_for(
            lambda: len(channels.smtp.messages) == 6 and len(channels.sms.messages) == 3,
            timeout=START_WITHIN,
        )
        assert channels.slack.posts == []
        channels.slack.recover()
        assert channels.slack.wait_for(
            lambda: len(channels.slack.posts) == 3, timeout=DELIVER_WITHIN
        )
    finally:
        assert stop_worker(worker, timeout=STOP_WITHIN) == 0
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_worker_names_unconfigured_channels_once_and_stops_on_sigterm(tmp_path, db):
    log = tmp_path / "worker.log"
    env = {
        "DATABASE_URL": database_url(),
        "WORKER_POLL_INTERVAL": "0.2s",
        "SLACK_BOT_TOKEN": "",
        "EMAIL_URL": "",
        "TWILIO_ACCOUNT_SID": "",
    }
    worker = start_worker(env, log)
    try:
        assert wait_until(lambda: "worker started" in log.read_text(), timeout=START_WITHIN)
        passes = heartbeats_of(worker)
        assert wait_until(lambda: passes() >= 3, timeout=START_WITHIN)  # a few polls went by
    finally:
        assert stop_worker(worker, timeout=STOP_WITHIN) == 0
    text = log.read_text()
    for channel in ("slack", "email", "sms"):
        assert text.count(f"{channel} is not configured") == 1
    assert "worker stopped" in text


def test_a_storm_of_sigterms_stops_the_worker_as_cleanly_as_one(
    channels, worker_env, make_referral, ana, aetna, tmp_path
):
    for _ in range(3):
        make_referral(network=aetna, preferred=ana)
    channels.slack.fail("slow", delay=0.6)
    log = tmp_path / "worker.log"

    worker = start_worker(worker_env, log)
    assert channels.slack.wait_for(lambda: len(channels.slack.posts) >= 1, timeout=START_WITHIN)
    # SIGTERM after SIGTERM until the worker has gone, as a launcher's signal loop once sent.
    storm = f"while kill -TERM {worker.pid} 2>/dev/null; do :; done"
    senders = [subprocess.Popen(["bash", "-c", storm]) for _ in range(2)]
    try:
        assert stop_worker(worker, signal.SIGTERM, timeout=STOP_WITHIN) == 0, log.read_text()
    finally:
        stop_worker(worker, signal.SIGKILL)
        for sender in senders:
            sender.wait(timeout=STOP_WITHIN)
    text = log.read_text()
    assert "worker stopped" in text
    for crash in ("Traceback", "RecursionError", "lost sys.stderr"):
        assert crash not in text, text
    assert not OutboxMessage.objects.filter(status="inflight").exists()


def test_two_workers_deliver_every_message_exactly_once(
    channels, worker_env, make_referral, ana, ben, aetna, tmp_path
):
    channels.slack.users["ben.okafor@example.com"] = "U0BEN"
    numbers = [make_referral(network=aetna, preferred=p).number for p in [ana, ben] * 6]

    workers = [start_worker(worker_env, tmp_path / f"worker{i}.log") for i in (1, 2)]
    try:
        assert wait_until(
            lambda: not OutboxMessage.objects.exclude(status="sent").exists(),
            timeout=DELIVER_WITHIN,
        )
    finally:
        assert [stop_worker(w, timeout=STOP_WITHIN) for w in workers] == [0, 0]

    posted = sorted(n for p in channels.slack.posts for n in numbers if n in p["text"])
    assert posted == sorted(numbers)  # each referral posted once, none twice
    assert len(channels.smtp.messages) == 24 and len(channels.sms.messages) == 12
    assert len({m["Message-ID"] for m in channels.smtp.messages}) == 24


def heartbeats_of(worker: subprocess.Popen):
    """A counter of the different heartbeats this worker was seen to give (one per pass of its
    main loop, notifications/heartbeat.py): the sign that it is polling."""
    seen = set()

    def count() -> int:
        beat = (
            WorkerHeartbeat.objects.filter(name__endswith=f":{worker.pid}")
            .values_list("beat_at", flat=True)
            .first()
        )
        if beat is not None:
            seen.add(beat)
        return len(seen)

    return count
