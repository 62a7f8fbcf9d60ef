"""Referral numbers as people type them: "123", "R-00123", "r 123". One parser for every place
that reads one (the Accept Referral page, the API, text-message replies)."""

import re

_NUMBER = re.compile(r"^(?:R-?\s*)?(\d{1,18})$", re.IGNORECASE)


def parse_referral_number(value: str | None) -> int | None:
    """The referral id in `value`, or None when it is not a referral number."""
    match = _NUMBER.match((value or "").strip())
    return int(match.group(1)) if match else None
