"""`manage.py worker --once --now`: replays at a chosen instant; bad instants are refused clearly."""

import pytest
from django.core.management import CommandError, call_command

from referrals.models import Referral


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-02-30T09:00:00Z", "2026-12-01T25:00:00Z", "2026-12-01 09:00:00"],
    ids=["words", "no-such-day", "no-such-hour", "naive"],
)
def test_worker_refuses_a_now_that_is_not_an_instant(value, make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    with pytest.raises(CommandError, match="--now"):
        call_command("worker", "--once", "--now", value)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_worker_refuses_now_without_once(db):
    with pytest.raises(CommandError, match="--once"):
        call_command("worker", "--now", "2026-12-01T09:00:00Z")


def test_worker_once_reports_what_it_did(make_referral, ana, aetna, t0, run_worker):
    make_referral(network=aetna, preferred=ana, now=t0)

    out = run_worker(t0.replace(day=3))

    assert out.startswith("reminded 1, expired 1,")
