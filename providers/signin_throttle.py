"""Limits on sign-in emails, so /signin/ cannot be used to flood a provider's inbox.

At most ADDRESS_LIMIT emails per address and REQUEST_LIMIT requests per client IP (REMOTE_ADDR)
in a WINDOW. The IP limit is generous on purpose: behind the production proxy, or in a clinic
where everyone shares one public address, every provider's request comes from the same IP, and
a practice's own sign-ins must never reach it; it only stops a flood across many addresses. Over a limit nothing is sent, but the page is the same "check your email" as
always, so the limit tells no one which addresses belong to providers.

Counters live in Django's cache: a fixed window that starts at the first request and expires
WINDOW later. The default cache (LocMemCache) counts per process, so with N web processes the
effective limits are up to N times these. Addresses are counted lowercased and hashed with the
SECRET_KEY: neither the cache nor the log holds the address itself.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.utils.crypto import salted_hmac

ADDRESS_LIMIT = 5
REQUEST_LIMIT = 100
WINDOW = timedelta(hours=1)

_SALT = "providers.signin-throttle"
log = logging.getLogger("referral_desk.signin")


def allow(email: str, ip: str) -> bool:
    """Count this sign-in request; False when the client IP or the address is over its limit."""
    requests = _count(f"ip:{ip}")
    if requests > REQUEST_LIMIT:
        if requests == REQUEST_LIMIT + 1:  # once a window, so a flood does not flood the log
            log.warning(
                "sign-in: over %d requests this hour from %s; sending nothing for them",
                REQUEST_LIMIT,
                ip,
            )
        return False
    address = address_digest(email)
    emails = _count(f"address:{address}")
    if emails > ADDRESS_LIMIT:
        if emails == ADDRESS_LIMIT + 1:
            log.warning(
                "sign-in: over %d emails this hour to address %s; sending no more",
                ADDRESS_LIMIT,
                address,
            )
        return False
    return True


def address_digest(email: str) -> str:
    """A short keyed hash naming an address in the cache and the log, never the address."""
    return salted_hmac(_SALT, email.strip().lower()).hexdigest()[:12]


def _key(name: str) -> str:
    return f"signin-throttle:{name}"


def _count(name: str) -> int:
    key = _key(name)
    cache.add(key, 0, timeout=WINDOW.total_seconds())
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr(): this request opens a new window
        cache.set(key, 1, timeout=WINDOW.total_seconds())
        return 1
