"""Rules for what a client may type, shared by the intake form and the JSON API.

Phones are stored in E.164. A US number typed any common way ("(555) 234-5678", "555.234.5678",
"1 555 234 5678") is normalised; anything else must already be E.164 ("+44 20 7946 0958").
"""

import re

from django.core.exceptions import ValidationError

NAME_MAX = 80
_NAME_OK = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '\-.])*$")


def clean_name(value: str, label: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError(f"Please enter your {label.lower()}.")
    if len(value) > NAME_MAX:
        raise ValidationError(f"{label} must be at most {NAME_MAX} characters.")
    if not _NAME_OK.match(value):
        raise ValidationError(
            f"{label} may contain letters, spaces, hyphens, apostrophes and periods only."
        )
    return value


def normalise_phone(value: str) -> str:
    """Return the phone in E.164, or raise ValidationError with a message a person understands."""
    raw = (value or "").strip()
    if not raw:
        return ""
    if re.search(r"[^\d\s().+\-]", raw):
        raise ValidationError(
            "Enter a phone number using digits, like (555) 234-5678 or +15552345678."
        )
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        if not 8 <= len(digits) <= 15 or digits.startswith("0"):
            raise ValidationError(
                "An international number needs a country code and 8 to 15 digits, like +442079460958."
            )
        return "+" + digits
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ValidationError(
            "Enter a 10-digit US phone number, like (555) 234-5678, or an international number starting with +."
        )
    if digits[0] in "01" or digits[3] in "01":
        raise ValidationError(
            "That is not a valid US phone number (area code and exchange cannot start with 0 or 1)."
        )
    return "+1" + digits
