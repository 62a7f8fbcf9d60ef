"""Template context shared by every page and message: the practice's name and contact details."""

from functools import lru_cache

from django.conf import settings

from config.durations import describe
from config.phones import display, e164


@lru_cache(maxsize=8)
def _phone(raw: str) -> tuple[str, str]:
    """The practice's number as shown and for tel: links, parsed once (it is a setting)."""
    return display(raw), e164(raw)


def practice(request=None) -> dict:
    shown, dialled = _phone(settings.PRACTICE_PHONE)
    return {
        "practice_name": settings.PRACTICE_NAME,
        "practice_phone": shown,
        "practice_phone_e164": dialled,  # for tel: links
        "practice_email": settings.PRACTICE_EMAIL,
        "site_url": settings.SITE_URL,
        "link_ttl": describe(settings.REFERRAL_LINK_TTL),
        "reminder_after": describe(settings.REFERRAL_REMINDER_AFTER),
        "expire_after": describe(settings.REFERRAL_EXPIRE_AFTER),
        "contact_within": describe(settings.CONTACT_WITHIN),
    }
