"""A first end-to-end pass through the services: received, accepted, declined."""

from notifications.models import OutboxMessage
from referrals.models import Referral
from referrals.services import Actor, accept_referral, decline_referral


def test_preferred_referral_is_offered_then_accepted(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    assert referral.status == Referral.Status.PENDING
    templates = set(OutboxMessage.objects.values_list("channel", "template"))
    assert templates == {
        ("slack", "referral_card"),
        ("email", "provider_referral"),
        ("sms", "provider_referral"),
        ("email", "referral_confirmation"),
    }
    accepted = accept_referral(referral.pk, ana, actor=Actor("test"), now=t0)
    assert accepted.status == Referral.Status.ACCEPTED
    assert accepted.remind_at is None and accepted.expires_at is None


def test_decline_makes_referral_available_and_notifies_client(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    declined = decline_referral(referral.pk, ana, reason="unavailable", actor=Actor("test"), now=t0)
    assert declined.status == Referral.Status.AVAILABLE
    assert (
        OutboxMessage.objects.filter(
            template="decline_notice", recipient="sam.rivera@example.org"
        ).count()
        == 1
    )
