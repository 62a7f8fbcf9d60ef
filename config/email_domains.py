"""One encoding of an email domain for SMTP: IDNA 2008 with UTS #46 mapping (`bücher.example` →
`xn--bcher-kva.example`, `faß.de` → `xn--fa-hia.de`).

The intake refuses the domains this cannot encode, and the email transport sends the domains it
can in this form, so what was accepted is exactly what can be sent.
"""

import idna


def ascii_domain(domain: str) -> str | None:
    """The domain as SMTP carries it, or None when it cannot be encoded (or is over 253)."""
    if domain.isascii():
        encoded = domain
    else:
        try:
            encoded = idna.encode(domain, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            return None
    return encoded if encoded and len(encoded) <= 253 else None
