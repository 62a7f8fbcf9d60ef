"""`manage.py seed_demo` builds a living practice through the services, once.

Seeding takes a few seconds, so each test seeds once and checks one whole outcome.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from notifications.models import OutboxMessage
from providers.availability import availability
from providers.models import AvailabilityChange, Provider
from referrals.models import Referral, ReferralEvent


def _seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_builds_a_living_practice_with_referrals_in_every_state(db, monkeypatch):
    monkeypatch.setenv("DEMO_STAFF_PASSWORD", "demo-pass-123")

    printed = _seed()

    # The roster: a dozen and more providers across the networks, one of them inactive.
    assert Provider.objects.count() >= 12
    assert Provider.objects.filter(insurance_networks__isnull=False).distinct().count() >= 12
    inactive = Provider.objects.get(status=Provider.Status.INACTIVE)
    assert not Referral.objects.filter(preferred_provider=inactive).exists()
    # One provider away this week, one not accepting new clients, with their history.
    labels = sorted(
        availability(p).label for p in Provider.objects.active() if not availability(p).ok
    )
    assert len(labels) == 2 and labels[0].startswith("Back on ")
    assert labels[1] == "Not accepting new clients"
    assert AvailabilityChange.objects.count() == 3
    # Referrals in every state, made through the services with their audit trail.
    assert Referral.objects.count() >= 60
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    assert Referral.objects.filter(insurance_network__isnull=True).exists()  # self-pay
    kinds = set(ReferralEvent.objects.values_list("kind", flat=True))
    assert {"received", "reminded", "accepted", "declined", "expired", "offered"} <= kinds
    # Outcomes and the funnel show on first run: every outcome, one asked again, one merged.
    assert set(Referral.objects.values_list("outcome", flat=True)) == {"", *Referral.Outcome}
    assert {"asked_again", "merged", "contact_attempt", "closed"} <= kinds
    assert Referral.objects.filter(attention_since__isnull=False).exists()
    # What is waiting now has its deadlines ahead; nothing is overdue for the worker.
    now = timezone.now()
    assert Referral.objects.filter(status=Referral.Status.PENDING).count() >= 5
    assert not Referral.objects.filter(expires_at__lte=now).exists()
    assert not Referral.objects.filter(remind_at__lte=now).exists()
    # Past messages are history, marked sent at their event's time: `make run` sends none.
    assert OutboxMessage.objects.exists()
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
    assert not OutboxMessage.objects.exclude(sent_at=F("created_at")).exists()
    # Staff can sign in; a password from the environment is not echoed.
    assert get_user_model().objects.get(username="staff").check_password("demo-pass-123")
    assert "'staff'" in printed and "/admin/" in printed and "demo-pass-123" not in printed


def test_seed_prints_a_generated_password_and_if_empty_then_leaves_the_data_alone(db, monkeypatch):
    monkeypatch.delenv("DEMO_STAFF_PASSWORD", raising=False)
    password = _seed().split("password ")[1].split(" ")[0]
    assert get_user_model().objects.get(username="staff").check_password(password)
    counts = (Provider.objects.count(), Referral.objects.count(), ReferralEvent.objects.count())

    printed = _seed("--if-empty")

    assert "already has providers" in printed and password not in printed
    after = (Provider.objects.count(), Referral.objects.count(), ReferralEvent.objects.count())
    assert after == counts
    with pytest.raises(CommandError, match="empty database"):
        _seed()
