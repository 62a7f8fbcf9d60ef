"""One-time sign-in links for providers (no passwords): asked for on the sign-in page, emailed
by the worker, valid SIGNIN_LINK_TTL, and spent by their first use.

Asking (`request_link`) only writes a `SignInLink` row, whatever the address, so the page
answers known and unknown addresses alike and in the same time. The worker
(`send_requested_links`) looks the address up and emails a link to an active provider.

The token names the link and a fingerprint of the provider's sign-in state (their user's last
login and their practice email). Using a link spends it with a conditional UPDATE (`consume`):
of any number of simultaneous uses, exactly one signs in. Signing in changes the last login, so
every other link sent before it stops working too; so does changing the provider's email.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode

from config.durations import describe
from config.signed_links import LinkInvalid, read_signed, signed_url
from notifications.outbox import Channel, queue_message
from notifications.wakeup import wake_worker
from providers.models import Provider, SignInLink

SALT = "providers.signin-link"
BATCH = 100
# Rows are kept a day past their link's life (the worker may have been down), then deleted.
KEEP = timedelta(days=1)


class LinkUsed(LinkInvalid):
    pass


def _state(provider: Provider) -> str:
    last_login = provider.user.last_login if provider.user_id and provider.user else None
    value = f"{provider.email}|{last_login.isoformat() if last_login else ''}"
    return salted_hmac(SALT, value).hexdigest()[:20]


def request_link(email: str, next_url: str, now: datetime, *, keep_signed_in: bool = False) -> None:
    """Note that someone asked for a link to `email`; the same single write for any address."""
    SignInLink.objects.create(
        email=email, next_url=next_url, requested_at=now, keep_signed_in=keep_signed_in
    )
    wake_worker()  # the worker queues the email; the same NOTIFY for any address


def send_requested_links(now: datetime) -> int:
    """Worker: email a link for each request to an active provider's address; how many were sent.

    Every request is marked handled and its typed address blanked, in the transaction that
    queues the email, so each is handled once even with several workers.
    """
    sent = 0
    with transaction.atomic():
        pending = SignInLink.objects.filter(handled_at__isnull=True).order_by("requested_at")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        for link in pending[:BATCH]:
            provider = (
                Provider.objects.active()
                .select_related("user")
                .filter(email__iexact=link.email)
                .first()
            )
            if provider is not None:
                link.provider = provider
                _queue_email(link, now)
                sent += 1
            link.email = ""
            link.handled_at = now
            link.save(update_fields=["email", "handled_at", "provider"])
    return sent


def _queue_email(link: SignInLink, now: datetime) -> None:
    provider = link.provider
    url = signed_url("providers:signin_link", {"l": link.pk, "s": _state(provider)}, salt=SALT)
    if link.next_url:
        url += "?" + urlencode({"next": link.next_url})
    queue_message(
        key=f"signin:{link.pk}",
        template="provider_signin",
        channel=Channel.EMAIL,
        recipient=provider.email,
        context={
            "provider": provider,
            "signin_url": url,
            "signin_ttl": describe(settings.SIGNIN_LINK_TTL),
        },
        now=now,
    )


def forget_old_links(now: datetime) -> int:
    """Worker: delete requests whose links died long ago; how many."""
    cutoff = now - settings.SIGNIN_LINK_TTL - KEEP
    deleted, _ = SignInLink.objects.filter(requested_at__lt=cutoff).delete()
    return deleted


def read_signin_token(token: str) -> SignInLink:
    """The unused, unexpired link this token names, with its active provider; or LinkExpired,
    LinkUsed, LinkInvalid."""
    data = read_signed(token, salt=SALT, max_age=settings.SIGNIN_LINK_TTL)
    try:
        link = (
            SignInLink.objects.select_related("provider__user")
            .filter(pk=int(data["l"]), provider__isnull=False)
            .first()
        )
        state = str(data["s"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise LinkInvalid() from exc
    if link is None:
        raise LinkInvalid()
    if link.used_at is not None:
        raise LinkUsed()
    provider = link.provider
    if not provider.is_active or state != _state(provider):
        raise LinkInvalid()
    if provider.user_id and not provider.user.is_active:
        raise LinkInvalid()
    return link


def consume(link: SignInLink, now: datetime) -> bool:
    """Spend the link; True for exactly one caller however many use it at once."""
    return SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now) == 1
