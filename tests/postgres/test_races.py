"""Races with real parallel connections: simultaneous accepts, accept against the 48-hour expiry,
and two workers firing the same deadlines. Each ends in exactly one outcome."""

from collections import Counter
from datetime import timedelta

import pytest

from notifications.models import OutboxMessage
from referrals.deadlines import run_due
from referrals.errors import AlreadyAccepted, NotOpen
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor, accept_referral, expire_referral
from tests.postgres.conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TWO_DAYS = timedelta(hours=48)
MS = timedelta(milliseconds=1)


def test_of_24_simultaneous_accepts_exactly_one_wins(make_referral, provider_factory, aetna, t0):
    providers = [provider_factory("P", f"Number{i}", phone="", networks=[aetna]) for i in range(24)]
    referral = make_referral(network=aetna, now=t0)
    at = t0 + timedelta(hours=1)

    results = run_together(
        *[
            (lambda p=p: accept_referral(referral.pk, p, actor=Actor(p.name), now=at))
            for p in providers
        ]
    )

    winners = [r for r in results if isinstance(r, Referral)]
    losers = [r for r in results if not isinstance(r, Referral)]
    assert len(winners) == 1
    assert all(isinstance(e, AlreadyAccepted | NotOpen) for e in losers), losers
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.accepted_by == winners[0].accepted_by
    assert referral.events.filter(kind=ReferralEvent.Kind.ACCEPTED).count() == 1
    assert referral.messages.filter(template="referral_accepted").count() == 1


@pytest.mark.usefixtures("routing_off")
def test_an_accept_racing_the_expiry_at_the_deadline_ends_in_one_outcome(
    make_referral, ana, aetna, t0
):
    referrals = [make_referral(network=aetna, preferred=ana, now=t0) for _ in range(12)]
    deadline = t0 + TWO_DAYS

    outcomes = Counter()
    for referral in referrals:
        accepted, expired = run_together(
            lambda r=referral: accept_referral(r.pk, ana, actor=Actor("ana"), now=deadline - MS),
            lambda r=referral: expire_referral(r.pk, now=deadline),
        )
        referral.refresh_from_db()
        kinds = set(referral.events.values_list("kind", flat=True)) - {"received"}
        if isinstance(accepted, Referral):
            assert kinds == {"accepted"} and referral.status == Referral.Status.ACCEPTED
            assert not referral.messages.filter(template="decline_notice").exists()
            outcomes["accepted"] += 1
        else:
            assert isinstance(accepted, NotOpen) and expired is True
            assert kinds == {"expired"} and referral.status == Referral.Status.AVAILABLE
            assert referral.messages.filter(template="decline_notice").count() == 1
            outcomes["expired"] += 1
        # The worker comes round again: nothing more happens.
        assert expire_referral(referral.pk, now=deadline + timedelta(minutes=1)) is False
    assert sum(outcomes.values()) == len(referrals), outcomes


def test_two_workers_fire_each_of_50_due_deadlines_exactly_once(make_referral, ana, aetna, t0):
    referrals = [
        make_referral(network=aetna, preferred=ana if i % 2 else None, now=t0) for i in range(50)
    ]
    at = t0 + TWO_DAYS

    first, second = run_together(lambda: run_due(at), lambda: run_due(at))

    assert first["expired"] + second["expired"] == 50
    assert first["reminded"] + second["reminded"] == 50
    ids = [r.pk for r in referrals]
    per_referral = Counter(
        ReferralEvent.objects.filter(referral__in=ids).values_list("referral", "kind")
    )
    for pk in ids:
        assert per_referral[(pk, "reminded")] == 1
        assert per_referral[(pk, "expired")] == 1
    notices = Counter(
        OutboxMessage.objects.filter(template="decline_notice").values_list("referral", flat=True)
    )
    assert notices == dict.fromkeys(ids, 1)
    assert not Referral.objects.exclude(status=Referral.Status.AVAILABLE).exists()
