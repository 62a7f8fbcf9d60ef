"""Phone numbers: the one module that parses, checks, stores and shows them.

Built on `phonenumbers` (Google's libphonenumber, kept up to date with every country's numbering
plan) rather than rules of our own. A number a person types is read in the practice's region
(`PHONE_REGION`, e.g. US: "(201) 555-0123", "201.555.0123", "1 201 555 0123") unless it starts
with + and a country code; it must be a number that can exist there, and is stored in E.164
("+12015550123"). It is shown in the region's national format ("(201) 555-0123"), or the
international one for another country, everywhere through the `phone` template filter (a
builtin of every template); pages link it with `tel:` and the stored E.164 form.
"""

import phonenumbers
from django import template
from django.conf import settings
from django.core.exceptions import ValidationError
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

PHONE_MAX = 40  # characters a person may type, separators included

register = template.Library()


def example() -> str:
    """A number of the practice's region as people write it, for help texts and messages."""
    number = phonenumbers.example_number_for_type(
        settings.PHONE_REGION, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    )
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL) if number else ""


def _refused(why: str) -> ValidationError:
    return ValidationError(
        f"{why} Enter a number like {example()}, or an international number starting with + "
        "and the country code."
    )


_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "No country has the code after the +.",
    NumberParseException.NOT_A_NUMBER: "That is not a phone number: use digits.",
    NumberParseException.TOO_SHORT_AFTER_IDD: "That phone number is too short.",
    NumberParseException.TOO_SHORT_NSN: "That phone number is too short.",
    NumberParseException.TOO_LONG: "That phone number is too long.",
}
_IMPOSSIBLE = {
    ValidationResult.TOO_SHORT: "That phone number is too short.",
    ValidationResult.TOO_LONG: "That phone number is too long.",
    ValidationResult.INVALID_COUNTRY_CODE: "No country has the code after the +.",
}


def parse_phone(value: str) -> str:
    """The number in E.164, "" for none, or ValidationError saying what is wrong with it."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > PHONE_MAX:
        raise ValidationError(f"A phone number has at most {PHONE_MAX} characters.")
    if any(char.isalpha() for char in value):
        raise _refused("That is not a phone number: use digits.")
    try:
        number = phonenumbers.parse(value, settings.PHONE_REGION)
    except NumberParseException as exc:
        raise _refused(_PARSE_ERRORS.get(exc.error_type, "That is not a phone number.")) from exc
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _IMPOSSIBLE:
        raise _refused(_IMPOSSIBLE[reason])
    if not phonenumbers.is_valid_number(number) or number.extension:
        raise _refused("That is not a number in use: check the area code and the digits.")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _number(value: str):
    try:
        return phonenumbers.parse(value, settings.PHONE_REGION)
    except NumberParseException:
        return None


@register.filter(name="phone")
def display(value: str) -> str:
    """How a stored (E.164) or configured number is shown to people: national format in the
    practice's region, international otherwise; a value that is no number is shown as it is."""
    number = _number(value or "") if value else None
    if number is None:
        return value or ""
    same = number.country_code == phonenumbers.country_code_for_region(settings.PHONE_REGION)
    return phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if same else PhoneNumberFormat.INTERNATIONAL
    )


def e164(value: str) -> str:
    """A configured number (such as PRACTICE_PHONE) in E.164 for a `tel:` link, or as it is."""
    number = _number(value or "") if value else None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if number else value or ""
