"""Limits on sign-in emails, so /signin/ cannot be used to flood a provider's inbox.

At most ADDRESS_LIMIT emails per address and REQUEST_LIMIT requests per client address in a
WINDOW. The client address is the real one (`config.client_ip`: X-Forwarded-For believed only
from TRUSTED_PROXIES), so a flood from one address never stops a provider elsewhere, even when
everyone arrives through the practice's proxy. The per-client limit is generous on purpose: in
a clinic where everyone shares one public address, the practice's own sign-ins must never reach
it. Over a limit nothing is sent, but the page is the same "check your email" as always, so the
limit tells no one which addresses belong to providers.

Counters are `throttles.counters`', shared by every web process. Addresses are counted lowercased
and hashed with the SECRET_KEY: neither the counters' table nor the log holds the address itself.
"""

import logging
from datetime import timedelta

from django.utils.crypto import salted_hmac

from throttles.counters import hit

ADDRESS_LIMIT = 5
REQUEST_LIMIT = 100
WINDOW = timedelta(hours=1)

_SALT = "providers.signin-throttle"
log = logging.getLogger("referral_desk.signin")


def allow(email: str, ip: str) -> bool:
    """Count this sign-in request; False when the client or the address is over its limit."""
    requests = hit("signin-ip", ip, WINDOW)
    if requests > REQUEST_LIMIT:
        if requests == REQUEST_LIMIT + 1:  # once a window, so a flood does not flood the log
            log.warning(
                "sign-in: over %d requests this hour from %s; sending nothing for them",
                REQUEST_LIMIT,
                ip,
            )
        return False
    address = address_digest(email)
    emails = hit("signin-address", address, WINDOW)
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
    """A short keyed hash naming an address in the counters and the log, never the address."""
    return salted_hmac(_SALT, email.strip().lower()).hexdigest()[:12]
