"""Routing races with real parallel connections: the providers of one wave accepting at once
have one winner, and an accept racing the next wave ends with one holder and no live offers."""

from datetime import timedelta

import pytest

from referrals.models import Offer, Referral, ReferralEvent
from referrals.services import Actor, accept_referral, route_referral
from tests.postgres.conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_providers_of_one_wave_accepting_at_once_have_exactly_one_winner(
    make_referral, provider_factory, aetna, t0
):
    providers = [
        provider_factory("P", f"Wave{i}", phone=f"+1201200010{i}", networks=[aetna])
        for i in range(3)
    ]
    referral = make_referral(network=aetna, now=t0)
    assert Offer.objects.filter(referral=referral, answer="").count() == 3
    at = t0 + timedelta(hours=1)

    results = run_together(
        *[
            (lambda p=p: accept_referral(referral.pk, p, actor=Actor(p.name), now=at))
            for p in providers
        ]
    )

    winners = [r for r in results if isinstance(r, Referral)]
    assert len(winners) == 1
    referral.refresh_from_db()
    assert referral.events.filter(kind=ReferralEvent.Kind.ACCEPTED).count() == 1
    answers = sorted(Offer.objects.filter(referral=referral).values_list("answer", flat=True))
    assert answers == ["accepted", "withdrawn", "withdrawn"]


def test_an_accept_racing_the_next_wave_leaves_one_holder_and_no_live_offer(
    make_referral, provider_factory, aetna, t0
):
    providers = [
        provider_factory("P", f"Net{i}", phone=f"+1201200020{i}", networks=[aetna])
        for i in range(6)
    ]
    due = t0 + timedelta(hours=4)
    for _ in range(8):
        referral = make_referral(network=aetna, now=t0)
        accepted, _routed = run_together(
            lambda r=referral: accept_referral(r.pk, providers[0], actor=Actor("p0"), now=due),
            lambda r=referral: route_referral(r.pk, now=due),
        )
        assert isinstance(accepted, Referral), accepted
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ACCEPTED
        assert referral.next_wave_at is None
        assert not Offer.objects.filter(referral=referral, answer="").exists()
