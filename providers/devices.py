"""A provider's signed-in devices: each sign-in is a `ProviderDevice` row, and signing a row out
ends that session on its next request.

A provider signs in on a phone, a home laptop, an office computer; any of them can be lost. Each
sign-in (not staff's) writes a row naming the session by a keyed hash of its key (the key itself
is a credential and is never stored), the browser and system it came from, and when it expires.
`SignedInDeviceMiddleware` looks the current session's row up on every signed-in request (one
query, which also reads the provider the user is: `providers.accounts.provider_of`) and signs
the session out when its row is signed out or missing, so a signed-out device
is out from its next request on, and a session that predates these rows is refused. This needs a
server-side session engine (the session key names the session for its whole life); with signed
cookies every session is refused, which fails closed.

The provider signs out one device or every other one (the Provider Portal's "My devices");
staff, or being made inactive, sign them out everywhere (`sign_out_everywhere`), which is kept
in the provider's history.
"""

from datetime import datetime, timedelta

from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import salted_hmac

from providers.accounts import provider_of, remember_provider
from providers.models import AvailabilityChange, Provider, ProviderDevice

SALT = "providers.devices"
KEEP_SIGNED_IN = timedelta(days=30)  # "Keep me signed in on this device for 30 days"
REFRESH_EVERY = timedelta(minutes=5)  # last seen is written at most this often
KEEP_SIGNED_OUT = timedelta(days=30)  # rows stay this long after they end, then are deleted
SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"  # the history row's `field`

# (marker in the User-Agent, name); the first marker found names it, so order matters:
# Edge and Opera also say "Chrome/", Chrome also says "Safari/"; Android also says "Linux",
# iPhones also say "Mac OS X".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def key_hash(session_key: str) -> str:
    return salted_hmac(SALT, session_key, algorithm="sha256").hexdigest()


def describe_agent(user_agent: str) -> tuple[str, str]:
    """(browser, system) named from a User-Agent header, "" for what is not recognised."""
    ua = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in ua), "")
    system = next((name for marker, name in _SYSTEMS if marker in ua), "")
    return browser, system


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    """Every sign-in but staff's is a device row (staff sessions end after idle time instead)."""
    if request is None or user.is_staff or not request.session.session_key:
        return
    now = timezone.now()
    browser, system = describe_agent(request.META.get("HTTP_USER_AGENT", ""))
    request.device = ProviderDevice.objects.create(
        user=user,
        session_key_hash=key_hash(request.session.session_key),
        browser=browser[:40],
        os=system[:40],
        created_at=now,
        last_seen_at=now,
        expires_at=request.session.get_expiry_date(),
    )


@receiver(user_logged_out)
def record_sign_out(sender, request, user, **kwargs):
    key = request.session.session_key if request is not None else None
    if user is not None and not user.is_staff and key:
        ProviderDevice.objects.filter(
            session_key_hash=key_hash(key), signed_out_at__isnull=True
        ).update(signed_out_at=timezone.now())


class SignedInDeviceMiddleware:
    """Sign out a (non-staff) session whose device row is signed out or missing; note the
    device's last use at most every REFRESH_EVERY. The row is `request.device`; the provider the
    user is comes with it (the request's `providers.accounts.provider_of`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.device = None
        user = request.user
        if user.is_authenticated and not user.is_staff:
            key = request.session.session_key
            device = (
                ProviderDevice.objects.select_related("user__provider")
                .filter(session_key_hash=key_hash(key), user=user, signed_out_at__isnull=True)
                .first()
                if key
                else None
            )
            if device is None:
                logout(request)
            else:
                remember_provider(user, provider_of(device.user))  # read with the device: no query
                device.user = user
                _seen(device, request)
                request.device = device
        return self.get_response(request)


def _seen(device: ProviderDevice, request) -> None:
    now = timezone.now()
    if now - device.last_seen_at >= REFRESH_EVERY:
        device.last_seen_at = now
        device.expires_at = request.session.get_expiry_date()
        ProviderDevice.objects.filter(pk=device.pk).update(
            last_seen_at=device.last_seen_at, expires_at=device.expires_at
        )


def signed_in_devices(user, now: datetime | None = None):
    """The user's devices still signed in, most recently used first."""
    return ProviderDevice.objects.filter(
        user=user, signed_out_at__isnull=True, expires_at__gt=now or timezone.now()
    )


def sign_out_device(user, device_id: int, now: datetime | None = None) -> bool:
    """Sign out one of the user's own devices; False if they have no such device signed in."""
    return bool(
        ProviderDevice.objects.filter(pk=device_id, user=user, signed_out_at__isnull=True).update(
            signed_out_at=now or timezone.now()
        )
    )


def sign_out_others(user, keep: ProviderDevice, now: datetime | None = None) -> int:
    """Sign out every device of the user's but `keep` (the one asking); how many."""
    return (
        ProviderDevice.objects.filter(user=user, signed_out_at__isnull=True)
        .exclude(pk=keep.pk)
        .update(signed_out_at=now or timezone.now())
    )


def sign_out_everywhere(user, actor, now: datetime | None = None) -> int:
    """Sign the user out on every device (staff asked, or they were made inactive); how many.

    Kept in their provider's history under `actor`'s name, even when no device was signed in.
    """
    at = now or timezone.now()
    with transaction.atomic():
        ended = ProviderDevice.objects.filter(user=user, signed_out_at__isnull=True).update(
            signed_out_at=at
        )
        provider = Provider.objects.filter(user=user).first()
        if provider is not None:
            AvailabilityChange.objects.create(
                provider=provider,
                at=at,
                actor=actor.user,
                actor_label=actor.label[:80],
                field=SIGNED_OUT_EVERYWHERE,
                new=str(ended),
            )
    return ended


def forget_old_devices(now: datetime) -> int:
    """Worker: delete rows of sessions that ended more than KEEP_SIGNED_OUT ago; how many."""
    cutoff = now - KEEP_SIGNED_OUT
    deleted, _ = ProviderDevice.objects.filter(expires_at__lt=cutoff).delete()
    signed_out, _ = ProviderDevice.objects.filter(signed_out_at__lt=cutoff).delete()
    return deleted + signed_out
