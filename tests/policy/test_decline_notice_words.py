"""The Decline Notice says what happened, kindly, and what happens next: the preferred provider is
not available; the provider and the client agreed it was not the right fit; nobody could accept
within 48 hours. Each is its own template variant (snapshots in tests/delivery/snapshots)."""

from datetime import timedelta

from notifications.models import OutboxMessage
from referrals.services import accept_referral, decline_referral, expire_referral
from tests.policy.helpers import PROVIDER


def _notice(referral) -> str:
    return OutboxMessage.objects.get(referral=referral, template="decline_notice").body_text


def test_decline_notice_when_the_preferred_provider_is_not_available(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    decline_referral(referral.pk, ana, reason="unavailable", actor=PROVIDER, now=t0)

    text = _notice(referral)
    assert "Ana Lee is not able to take your request" in text
    assert "not the right fit" not in text and "48 hours" not in text
    assert "What happens next" in text


def test_decline_notice_when_provider_and_client_agreed_it_was_not_the_right_fit(
    make_referral, ana, aetna, t0
):
    referral = make_referral(network=aetna, now=t0)
    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0)
    decline_referral(referral.pk, ana, reason="not_a_fit", actor=PROVIDER, now=t0 + timedelta(1))

    text = _notice(referral)
    assert "Thank you for talking with Ana Lee" in text
    assert "not the right fit" in text
    assert "is not able to take your request" not in text


def test_decline_notice_when_nobody_could_accept_within_48_hours(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    expire_referral(referral.pk, now=t0 + timedelta(hours=48))

    text = _notice(referral)
    assert "could not accept your request within 48 hours" in text
    assert "our intake team" in text.lower()
    assert "not the right fit" not in text
