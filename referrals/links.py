"""Signed links: one-click Accept/Decline links for provider emails, and the client's status page.

An Accept/Decline link is bound to one referral, one provider and the referral's current
`round`; it is valid for REFERRAL_LINK_TTL from when it was made. Any transition bumps the round,
so a used link (or one for an offer that has moved on) no longer acts. Opening a link never acts:
only the POST does.

A status page link is bound to one referral and its `status_link_version`; how long it works
(while open, and STATUS_LINK_AFTER_CLOSE after) and whether it was revoked is the referral's
to say (`referrals.eligibility.status_link_works`), so it carries no age limit of its own.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "referrals.action-link"
STATUS_SALT = "referrals.status-link"


@dataclass(frozen=True)
class StatusClaim:
    referral_id: int
    version: int


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
    data = _unsign(token, SALT, settings.REFERRAL_LINK_TTL)
    try:
        return LinkClaim(int(data["r"]), int(data["p"]), int(data["n"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid() from exc


def make_status_url(referral) -> str:
    """The client's status page for this referral (absolute, for emails)."""
    token = signing.TimestampSigner(salt=STATUS_SALT).sign_object(
        {"r": referral.pk, "v": referral.status_link_version}
    )
    return settings.SITE_URL + reverse("client_status:page", args=[token])


def read_status_token(token: str) -> StatusClaim:
    data = _unsign(token, STATUS_SALT, None)
    try:
        return StatusClaim(int(data["r"]), int(data["v"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid() from exc


def _unsign(token: str, salt: str, max_age):
    signer = signing.TimestampSigner(salt=salt)
    try:
        return signer.unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired() from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid() from exc
