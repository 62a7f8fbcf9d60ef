"""One-time sign-in links for providers (no passwords): signed, valid SIGNIN_LINK_TTL, and
spent by use.

The token names the provider and a fingerprint of their sign-in state (their user's last login
and their practice email). Signing in changes the last login, so the link, and every other link
sent before it, stops working; so does changing the provider's email.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

from providers.models import Provider

SALT = "providers.signin-link"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _state(provider: Provider) -> str:
    last_login = provider.user.last_login if provider.user_id and provider.user else None
    value = f"{provider.email}|{last_login.isoformat() if last_login else ''}"
    return salted_hmac(SALT, value).hexdigest()[:20]


def make_signin_url(provider: Provider) -> str:
    token = signing.TimestampSigner(salt=SALT).sign_object(
        {"p": provider.pk, "s": _state(provider)}
    )
    return settings.SITE_URL + reverse("providers:signin_link", args=[token])


def read_signin_token(token: str) -> Provider:
    """The active provider this unused, unexpired link signs in, or LinkExpired / LinkInvalid."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.SIGNIN_LINK_TTL
        )
    except signing.SignatureExpired as exc:
        raise LinkExpired() from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid() from exc
    try:
        provider = Provider.objects.select_related("user").filter(pk=int(data["p"])).first()
        state = str(data["s"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise LinkInvalid() from exc
    if provider is None or not provider.is_active or state != _state(provider):
        raise LinkInvalid()
    if provider.user_id and not provider.user.is_active:
        raise LinkInvalid()
    return provider
