"""Accepting and declining for a provider who answered on Slack or by text, and what to call the
outcome. Both channels act only through `referrals.services` (the same rules, rounds and row
locks as the Accept Referral page and the email link) and answer in one vocabulary of outcomes,
which their templates turn into words.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.errors import (
    AlreadyAccepted,
    InactiveProvider,
    NotEligible,
    NotFound,
    NotHolder,
    NotOpen,
    ProviderUnavailable,
    ReferralError,
)
from referrals.models import Referral, ReferralEvent

ACCEPTED, DECLINED = "accepted", "declined"

_REFUSALS = {
    AlreadyAccepted: "already_accepted",
    InactiveProvider: "inactive",
    ProviderUnavailable: "inactive",  # away, not accepting new clients or at their limit
    NotEligible: "not_eligible",
    NotHolder: "not_holder",
    NotFound: "not_found",
}


def act(
    referral_id: int,
    provider,
    *,
    accept: bool,
    actor: services.Actor,
    reason: str = ReferralEvent.Reason.UNAVAILABLE,
    expected_round: int | None = None,
) -> tuple[str, Referral | None]:
    """(outcome, the referral as it now stands or None). Refusals are outcomes, not errors."""
    try:
        if accept:
            referral = services.accept_referral(
                referral_id, provider, actor=actor, expected_round=expected_round
            )
        else:
            referral = services.decline_referral(
                referral_id, provider, reason=reason, actor=actor, expected_round=expected_round
            )
    except ReferralError as exc:
        return refusal(exc, referral_id), None
    return (ACCEPTED if accept else DECLINED), referral


def refusal(exc: ReferralError, referral_id: int) -> str:
    """The outcome naming why the service refused, read from the refusal's type alone (the
    service decided it under the row lock: an away provider is refused `ProviderUnavailable`,
    "inactive or away", only where that is the reason)."""
    if not isinstance(exc, NotOpen):
        return _REFUSALS.get(type(exc), "changed")
    # Not open: the 48 hours passed (before or after the worker declined it), or it moved on.
    referral = Referral.objects.filter(pk=referral_id).first()
    if referral is not None and (
        referral.expired_at is not None
        or (referral.expires_at is not None and referral.expires_at <= timezone.now())
    ):
        return "expired"
    return "changed"


def answer_context(referral_id: int | None, outcome: str, **extra) -> dict:
    """What every answer template may use. Only the client's first name, never contact details."""
    referral = (
        Referral.objects.select_related("client").filter(pk=referral_id).first()
        if referral_id
        else None
    )
    return {
        "outcome": outcome,
        "number": Referral(pk=referral_id).number if referral_id else "",
        "referral_id": referral_id,
        "client_first_name": referral.client.first_name if referral and outcome == ACCEPTED else "",
        "referral_url": f"{settings.SITE_URL}{reverse('referrals:accept')}?referral={referral_id}"
        if referral_id
        else f"{settings.SITE_URL}{reverse('referrals:accept')}",
        "profile_url": f"{settings.SITE_URL}{reverse('portal:profile')}",
        **extra,
    }


def note_on_timeline(referral_id: int | None, *, channel: str, who: str, sent: str, answer: str):
    """Each inbound message goes on the referral's timeline: who, what they sent, what we said."""
    if not referral_id or not Referral.objects.filter(pk=referral_id).exists():
        return
    note = render_to_string(
        "replies/timeline_note.txt",
        {"channel": channel, "who": who, "sent": sent[:160], "answer": answer},
    )
    services.add_note(referral_id, " ".join(note.split()), actor=services.Actor(label=channel))
