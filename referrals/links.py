"""Signed one-click Accept/Decline links for provider emails.

A link is bound to one referral, one provider and the referral's current `round`; it is valid for
REFERRAL_LINK_TTL from when it was made. Any transition bumps the round, so a used link (or one
for an offer that has moved on) no longer acts. Opening a link never acts: only the POST does.
"""

from dataclasses import dataclass

from django.conf import settings

from config.signed_links import LinkInvalid, read_signed, signed_url

SALT = "referrals.action-link"


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
