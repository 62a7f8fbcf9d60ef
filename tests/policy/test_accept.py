"""Accepting: agreeing to contact the client. One holder at a time, no limit per provider."""

from datetime import timedelta

import pytest

from referrals.errors import AlreadyAccepted, NotOpen
from referrals.models import Referral, ReferralEvent
from referrals.services import accept_referral
from tests.policy.helpers import PROVIDER, queued


def test_accepting_a_general_referral_makes_that_provider_its_only_holder(
    make_referral, ana, ben, aetna, t0
):
    referral = make_referral(network=aetna, now=t0)

    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + timedelta(hours=1))

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.accepted_by == ana
    assert referral.accepted_at == t0 + timedelta(hours=1)
    assert referral.remind_at is None and referral.expires_at is None
    with pytest.raises(AlreadyAccepted):
        accept_referral(referral.pk, ben, actor=PROVIDER)
    referral.refresh_from_db()
    assert referral.accepted_by == ana


def test_accepting_twice_by_the_same_provider_changes_nothing(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0)

    again = accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + timedelta(minutes=1))

    assert again.accepted_at == t0
    assert referral.events.filter(kind=ReferralEvent.Kind.ACCEPTED).count() == 1


def test_there_is_no_limit_on_how_many_referrals_a_provider_accepts(make_referral, ana, aetna, t0):
    referrals = [make_referral(network=aetna, now=t0) for _ in range(12)]

    for referral in referrals:
        accept_referral(referral.pk, ana, actor=PROVIDER, now=t0)

    assert ana.accepted_referrals.filter(status=Referral.Status.ACCEPTED).count() == 12


def test_accept_with_a_stale_round_fails_cleanly_and_changes_nothing(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    stale_round = referral.round - 1
    before = set(ReferralEvent.objects.values_list("id", flat=True))

    with pytest.raises(NotOpen):
        accept_referral(referral.pk, ana, actor=PROVIDER, expected_round=stale_round, now=t0)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING and referral.accepted_by is None
    assert set(ReferralEvent.objects.values_list("id", flat=True)) == before


def test_accepting_posts_to_slack_and_tells_the_client_who_will_contact_them(
    make_referral, ana, aetna, t0
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0)

    event = referral.events.get(kind=ReferralEvent.Kind.ACCEPTED)
    assert queued(event=event) == [
        ("slack", "referral_accepted", "#referrals"),
        ("slack", "referral_card", "#referrals"),
        ("email", "provider_will_contact", "sam.rivera@example.org"),
    ]
