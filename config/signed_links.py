"""Signed links, made and read in one place: the one-click Accept/Decline links of provider emails
(referrals/links.py) and the providers' sign-in links (providers/signin_links.py).

A link carries a small dict signed with a timestamp and a salt of its own kind, so a token of one
kind is never read as another; reading it back within its life gives the dict, else LinkExpired
or LinkInvalid (tampered, foreign, or not a token at all).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def sign(data: dict, *, salt: str) -> str:
    # The timestamp is taken from the clock at signing; tests move the clock with time-machine.
    return signing.TimestampSigner(salt=salt).sign_object(data)


def signed_url(url_name: str, data: dict, *, salt: str) -> str:
    """The absolute URL (SITE_URL) of the page `url_name`, carrying `data` signed."""
    return settings.SITE_URL + reverse(url_name, args=[sign(data, salt=salt)])


def read_signed(token: str, *, salt: str, max_age: timedelta) -> dict:
    try:
        return signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired() from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid() from exc
