"""Signed one-click Accept/Decline links for provider emails.

A link is bound to one referral, one provider and the referral's current `round`; it is valid for
REFERRAL_LINK_TTL from when it was made. Any transition bumps the round, so a used link (or one
for an offer that has moved on) no longer acts. Opening a link never acts: only the POST does.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "referrals.action-link"


@dataclass(frozen=True)
class LinkClaim:
    referral_id: int
    provider_id: int
    round: int


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def make_action_url(referral, provider) -> str:
    signer = signing.TimestampSigner(salt=SALT)
    # The timestamp is taken from the clock at signing; tests move the clock with time-machine.
    token = signer.sign_object({"r": referral.pk, "p": provider.pk, "n": referral.round})
    return settings.SITE_URL + reverse("referrals:link", args=[token])


def read_action_token(token: str) -> LinkClaim:
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token, max_age=settings.REFERRAL_LINK_TTL)
    except signing.SignatureExpired as exc:
        raise LinkExpired() from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid() from exc
    try:
        return LinkClaim(int(data["r"]), int(data["p"]), int(data["n"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid() from exc
