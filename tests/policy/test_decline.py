"""Declining: the preferred provider is unavailable, or the holder contacted the client and they
will not go ahead. Either way the client gets the Decline Notice and the referral is available."""

from dataclasses import replace
from datetime import timedelta

import pytest

from referrals.eligibility import eligible_providers
from referrals.errors import NotEligible, NotHolder
from referrals.models import Referral, ReferralEvent
from referrals.services import accept_referral, decline_referral
from tests.policy.helpers import PROVIDER, queued

CLIENT_EMAIL = "sam.rivera@example.org"
AVAILABLE_AGAIN = [
    ("slack", "referral_available_again", "#referrals"),
    ("slack", "referral_card", "#referrals"),
    ("email", "decline_notice", CLIENT_EMAIL),
]


def test_preferred_provider_declining_as_unavailable_sends_decline_notice_and_opens_it_to_others(
    make_referral, ana, ben, aetna, t0
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    at = t0 + timedelta(hours=3)

    decline_referral(referral.pk, ana, reason="unavailable", actor=PROVIDER, now=at)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.offered_to is None and referral.last_declined_at == at
    assert referral.expires_at == at + timedelta(hours=48)
    assert list(eligible_providers(referral)) == [ben]
    event = referral.events.get(kind=ReferralEvent.Kind.DECLINED)
    assert (event.provider, event.reason) == (ana, "unavailable")
    assert queued(event=event) == AVAILABLE_AGAIN
    slack = event.messages.get(template="referral_available_again")
    assert slack.payload["broadcast"] is True and "available" in slack.body_text


def test_holder_declining_after_contact_sends_decline_notice_and_opens_it_to_others(
    make_referral, ana, ben, aetna, t0
):
    referral = make_referral(network=aetna, now=t0)
    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0)

    decline_referral(
        referral.pk, ana, reason="not_a_fit", actor=PROVIDER, now=t0 + timedelta(days=2)
    )

    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.accepted_by is None and referral.accepted_at is None
    assert list(eligible_providers(referral)) == [ben]
    event = referral.events.get(kind=ReferralEvent.Kind.DECLINED)
    assert (event.provider, event.reason) == (ana, "not_a_fit")
    assert queued(event=event) == AVAILABLE_AGAIN
    accept_referral(referral.pk, ben, actor=PROVIDER, now=t0 + timedelta(days=2, hours=1))


@pytest.mark.usefixtures("routing_off")
def test_a_provider_who_does_not_hold_a_referral_cannot_decline_it(
    make_referral, ana, ben, aetna, t0
):
    pending = make_referral(network=aetna, preferred=ana, now=t0)
    available = make_referral(network=aetna, now=t0)
    accepted = make_referral(network=aetna, now=t0)
    accept_referral(accepted.pk, ana, actor=PROVIDER, now=t0)

    with pytest.raises(NotEligible):
        decline_referral(pending.pk, ben, reason="unavailable", actor=PROVIDER, now=t0)
    with pytest.raises(NotHolder):
        decline_referral(available.pk, ben, reason="unavailable", actor=PROVIDER, now=t0)
    with pytest.raises(NotHolder):
        decline_referral(accepted.pk, ben, reason="not_a_fit", actor=PROVIDER, now=t0)
    assert not ReferralEvent.objects.filter(kind=ReferralEvent.Kind.DECLINED).exists()


def test_expired_is_not_a_reason_a_person_can_give(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    with pytest.raises(ValueError):
        decline_referral(referral.pk, ana, reason="expired", actor=PROVIDER, now=t0)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_client_from_before_email_was_required_without_one_gets_no_decline_notice_email(
    make_referral, client_details, ana, aetna, t0
):
    no_email = replace(client_details, email="")
    referral = make_referral(network=aetna, preferred=ana, now=t0, client=no_email)

    decline_referral(referral.pk, ana, reason="unavailable", actor=PROVIDER, now=t0)

    assert not referral.messages.filter(channel="email", template="decline_notice").exists()
    assert referral.events.filter(kind="declined").exists()
