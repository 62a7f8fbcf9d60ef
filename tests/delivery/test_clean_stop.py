"""`bin/run-dev` (what `make run` starts) stopped the way a supervisor or a terminal multiplexer
stops a process tree: SIGTERM to its whole process group, or SIGTERMs in quick succession to the
worker. The server and the worker both end, promptly and cleanly, with nothing left in flight."""

import os
import signal
import subprocess
import time
import urllib.request

import pytest

from notifications.models import OutboxMessage
from tests.loopback.processes import children, database_url, start_run_dev
from tests.loopback.servers import free_port, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def serves(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def send_sigterm_to_group(run_dev):
    os.killpg(run_dev.pid, signal.SIGTERM)


def send_three_sigterms_to_the_worker(run_dev):
    (worker,) = [pid for pid, cmd in children(run_dev.pid) if "worker" in cmd]
    for _ in range(3):
        os.kill(worker, signal.SIGTERM)
        time.sleep(0.01)


def send_three_sigterms_to_group(run_dev):
    for _ in range(3):
        os.killpg(run_dev.pid, signal.SIGTERM)
        time.sleep(0.01)


@pytest.mark.parametrize(
    "stop",
    [send_sigterm_to_group, send_three_sigterms_to_the_worker, send_three_sigterms_to_group],
)
def test_sigterm_stops_server_and_worker_cleanly_with_nothing_in_flight(
    stop, channels, make_referral, ana, aetna, tmp_path
):
    for _ in range(3):
        make_referral(network=aetna, preferred=ana)
    channels.slack.fail("slow", delay=0.6)  # the worker is mid-send when the signal comes
    port = free_port()
    log = tmp_path / "run-dev.log"
    env = {
        **channels.env,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "PORT": port,
        "WORKER_POLL_INTERVAL": "0.2s",
        "DELIVERY_TIMEOUT": "3s",
        "SLACK_MIN_INTERVAL": "0.01s",
        "SMS_MIN_INTERVAL": "0.01s",
    }
    run_dev = start_run_dev(env, log)  # in its own process group, whose id is its pid
    try:
        assert wait_until(lambda: serves(port), timeout=20), log.read_text()
        assert channels.slack.wait_for(lambda: len(channels.slack.posts) >= 1, timeout=20)
        started = time.monotonic()
        stop(run_dev)
        try:
            code = run_dev.wait(timeout=15)
        except subprocess.TimeoutExpired:  # say who is still running, and what they logged
            pytest.fail(f"still running: {children(run_dev.pid)}\n{log.read_text()}")
        assert code == 0, log.read_text()
        assert wait_until(
            lambda: group_gone(run_dev.pid), timeout=15 - (time.monotonic() - started)
        )
    finally:
        if not group_gone(run_dev.pid):
            os.killpg(run_dev.pid, signal.SIGKILL)
            run_dev.wait(timeout=5)
    text = log.read_text()
    assert "worker stopped" in text
    for crash in ("Traceback", "RecursionError", "lost sys.stderr"):
        assert crash not in text, text
    assert not OutboxMessage.objects.filter(status="inflight").exists()
