"""Rules for what a client may type, shared by the intake form, admin and the JSON API.

The name rule is one regular expression that the server checks and the API's OpenAPI schema
states (`NAME_PATTERN`), so a request the schema allows is never refused.

Names are written as clients really write them: letters and combining marks of every script
(José, Nguyễn, प्रिया, தமிழ், 王秀英, ʻAkaka), the joiners some scripts need (U+200C, U+200D),
apostrophes (' ’ ʼ), hyphens, periods and spaces (also the no-break and ideographic spaces a
phone or an IME types). Refused: digits, emoji, symbols, markup characters (< > & " and the
like) and control characters. A name is stored in NFC with its spaces collapsed; its length is
counted after that. Characters that NFC itself rewrites (the Ohm sign, Devanagari ख़ as one
code point) are refused rather than silently changed; their ordinary spelling is accepted.

Phones are parsed, checked and stored (E.164) by `config.phones`.

Emails must be deliverable: the part before the @ in plain ASCII (we do not send SMTPUTF8), and
a domain that encodes to IDNA (bücher.example is sent as xn--bcher-kva.example).
"""

import re
import unicodedata
from itertools import chain

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from config.email_domains import ascii_domain

NAME_MAX = 80
EMAIL_MAX = 254  # Client.email
_APOSTROPHES = "'\u2019\u02bc"
_SPACES = " \u00a0\u3000"
_JOINERS = "\u200c\u200d"


def _letters_and_marks() -> tuple[str, str]:
    """Regular-expression character classes (as ranges) of every letter and every mark of any
    script that NFC leaves as it is. Planes 4 to 13 hold no characters and 15 to 16 only
    private use, so they are skipped."""
    found: dict[str, list[str]] = {"L": [], "M": []}
    start = kind = None
    for point in chain(range(0x40000), range(0xE0000, 0xF0001)):
        char = chr(point) if point < 0xF0000 else ""
        here = unicodedata.category(char)[0] if char else None
        if here not in found or unicodedata.normalize("NFC", char) != char:
            here = None
        if here != kind:
            if kind is not None:
                last = point - 1
                found[kind].append(chr(start) if start == last else f"{chr(start)}-{chr(last)}")
            start, kind = point, here
    return "".join(found["L"]), "".join(found["M"])


_LETTERS, _MARKS = _letters_and_marks()
_ALLOWED = _LETTERS + _MARKS + re.escape(_APOSTROPHES + _SPACES + _JOINERS + "-.")
# At least one letter; the rest letters, marks and the allowed punctuation and spaces.
NAME_PATTERN = f"^[{_ALLOWED}]*[{_LETTERS}][{_ALLOWED}]*$"
_NAME = re.compile(NAME_PATTERN)


def name_words(value: str) -> str:
    """A name as stored: NFC, spaces collapsed. Also what the Accept Referral search compares."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def clean_name(value: str, label: str) -> str:
    value = value or ""
    if not value.strip():
        raise ValidationError(f"Please enter your {label.lower()}.")
    if not _NAME.match(value):
        raise ValidationError(
            f"{label} may contain letters, spaces, hyphens, apostrophes and periods only."
        )
    value = name_words(value)
    if len(value) > NAME_MAX:
        raise ValidationError(f"{label} must be at most {NAME_MAX} characters.")
    return value


def clean_email(value: str) -> str:
    """The address as stored ("" for none), or ValidationError if it could never be sent (the
    domain is encoded as the email transport will send it: `config.email_domains`)."""
    value = value or ""
    if not value:
        return ""
    if len(value) > EMAIL_MAX:
        raise ValidationError(f"An email address has at most {EMAIL_MAX} characters.")
    local, at, domain = value.rpartition("@")
    if at and not local.isascii():
        raise ValidationError(
            "We can only send to addresses whose part before the @ is written without accents "
            "or other non-English letters."
        )
    validate_email(value)
    if ascii_domain(domain) is None:
        raise ValidationError(
            "Mail cannot be sent to that domain: each part between the dots may be at most 63 "
            "letters long once encoded. Check the address for typing mistakes."
        )
    return value
