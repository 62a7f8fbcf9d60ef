"""Template context shared by every page and message: the practice's name and contact details."""

from django.conf import settings

from config.durations import describe
from config.phones import display, e164


def practice(request=None) -> dict:
    return {
        "practice_name": settings.PRACTICE_NAME,
        "practice_phone": display(settings.PRACTICE_PHONE),
        "practice_phone_e164": e164(settings.PRACTICE_PHONE),  # for tel: links
        "practice_email": settings.PRACTICE_EMAIL,
        "site_url": settings.SITE_URL,
        "link_ttl": describe(settings.REFERRAL_LINK_TTL),
        "reminder_after": describe(settings.REFERRAL_REMINDER_AFTER),
        "expire_after": describe(settings.REFERRAL_EXPIRE_AFTER),
        "contact_within": describe(settings.CONTACT_WITHIN),
    }
