"""`manage.py status`: the health `/healthz` reports, plus the outbox backlog per channel, the
oldest unsent message's age and the next due deadline; exit status 1 when unhealthy."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError, connection

from notifications.heartbeat import beat
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def status() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("status", stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_status_reports_backlog_oldest_unsent_and_next_deadline(make_referral, ana, aetna, t0):
    with time_machine.travel(t0, tick=False):
        referral = make_referral(network=aetna, preferred=ana)
    assert OutboxMessage.objects.filter(status="queued").exists()
    queued = {
        ch: OutboxMessage.objects.filter(channel=ch, status="queued").count()
        for ch in ("slack", "email", "sms")
    }
    first = min(
        (referral.remind_at, "remind_at"),
        (referral.client_remind_at, "client_remind_at"),
        (referral.expires_at, "expires_at"),
    )
    with time_machine.travel(t0 + timedelta(minutes=10), tick=False):
        beat(t0 + timedelta(minutes=9), name="host:1")
        code, text = status()
    assert code == 0
    assert text.splitlines() == [
        "healthy",
        "worker heartbeat: 60s ago (limit 120s)",
        f"outbox backlog: slack {queued['slack']}, email {queued['email']}, sms {queued['sms']}",
        "oldest unsent message: 600s old",
        f"next deadline: {first[1]} at {first[0]:%Y-%m-%d %H:%M:%S}Z "
        f"(in {(first[0] - t0 - timedelta(minutes=10)).total_seconds():.0f}s)",
    ]


def test_status_of_an_empty_service_with_a_stale_worker_exits_1(t0):
    beat(t0, name="host:1")
    with time_machine.travel(t0 + timedelta(minutes=3), tick=False):
        code, text = status()
    assert code == 1
    assert text.splitlines() == [
        "UNHEALTHY worker: last heartbeat 180s ago (limit 120s)",
        "worker heartbeat: 180s ago (limit 120s)",
        "outbox backlog: slack 0, email 0, sms 0",
        "oldest unsent message: none",
        "next deadline: none",
    ]


def test_status_with_the_database_down_says_so_and_exits_1():
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        code, text = status()
    assert code == 1
    assert text == "UNHEALTHY database: not answering (OperationalError)\n"
