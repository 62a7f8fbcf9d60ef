"""Signed links: one-click Accept/Decline links for provider emails, and the client's status page.

An Accept/Decline link is bound to one referral, one provider and the referral's current
`round`; it is valid for REFERRAL_LINK_TTL from when it was made. Any transition bumps the round,
so a used link (or one for an offer that has moved on) no longer acts. Opening a link never acts:
only the POST does.

A status page link is bound to one referral and its `status_link_version`; how long it works
(while open, and STATUS_LINK_AFTER_CLOSE after) and whether it was revoked is the referral's
to say (`referrals.eligibility.status_link_problem`), so it carries no age limit of its own.

Signing and reading are config/signed_links.py's; this module only says what each link carries.
"""

from dataclasses import dataclass

from django.conf import settings

from config.signed_links import LinkInvalid, read_signed, signed_url

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


def make_action_url(referral, provider) -> str:
    data = {"r": referral.pk, "p": provider.pk, "n": referral.round}
    return signed_url("referrals:link", data, salt=SALT)


def read_action_token(token: str) -> LinkClaim:
    data = read_signed(token, salt=SALT, max_age=settings.REFERRAL_LINK_TTL)
    try:
        return LinkClaim(int(data["r"]), int(data["p"]), int(data["n"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid() from exc


def make_status_url(referral) -> str:
    """The client's status page for this referral (absolute, for emails)."""
    data = {"r": referral.pk, "v": referral.status_link_version}
    return signed_url("client_status:page", data, salt=STATUS_SALT)


def read_status_token(token: str) -> StatusClaim:
    data = read_signed(token, salt=STATUS_SALT, max_age=None)
    try:
        return StatusClaim(int(data["r"]), int(data["v"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid() from exc
