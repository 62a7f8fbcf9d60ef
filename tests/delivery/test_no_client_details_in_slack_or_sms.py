"""Slack and SMS never carry a client's name, email or phone, whatever happens to the referral:
received, offered, accepted, declined, expired, reminded, nudged to confirm contact, routed in a
wave, asked again, closed, merged. (Client details are health information;
only email to the provider and to the client themselves may contain them.) The client's own
texts (they ticked the box) are held to more: one plain segment with the practice's name, the
referral number and how to stop, and no insurance or provider either."""

from datetime import timedelta

import pytest
from django.conf import settings

from notifications.gsm import GSM7, segments
from notifications.models import OutboxMessage
from providers.models import Language, Specialty
from referrals import services
from referrals.models import ReferralEvent
from referrals.services import Actor, ClientDetails

pytestmark = pytest.mark.django_db

CLIENT = ClientDetails(
    first_name="Zephyrine",
    last_name="Quillfeather",
    email="zq.private@example.net",
    phone="+12019876543",
    consent_sms=True,  # the client's own texts are checked too
)
CLIENT_PHONES = [CLIENT.phone, "+12019876500", "+12019876501"]
FORBIDDEN = [
    "Zephyrine",
    "Quillfeather",
    "zq.private",
    "example.net",
    "+12019876543",
    "9876543",
    "987-6543",  # the phone as shown (national format)
    # What the client needs (section 4): used for fit, never shown in Slack or SMS.
    "Kalaallisut",
    "Hoarding recovery",
    "couple",
    "Couple",
]


def _every_event_kind(ana, ben, aetna, t0):
    staff = Actor("intake", is_staff=True)
    create = dict(client=CLIENT, insurance_network=aetna, actor=Actor("test"))
    first = services.create_referral(preferred_provider=ana, now=t0, **create)
    services.send_reminders(first.pk, now=t0 + settings.REFERRAL_REMINDER_AFTER)
    later = t0 + settings.REFERRAL_REMINDER_AFTER + timedelta(minutes=1)
    services.decline_referral(first.pk, ana, reason="unavailable", actor=staff, now=later)
    services.offer_referral(first.pk, ben, actor=staff, now=later)
    services.accept_referral(first.pk, ben, actor=staff, now=later)
    services.nudge_contact(first.pk, now=later + settings.CONTACT_WITHIN)
    services.close_referral(
        first.pk, "first_session", actor=staff, note="Booked", first_session_on=later.date()
    )
    needs = {
        "care_for": "couple",
        "modality": "video",
        "language": Language.objects.create(name="Kalaallisut"),
        "focus_areas": [Specialty.objects.create(name="Hoarding recovery")],
    }
    # The same person again, with another email and phone each time (a new referral each).
    create["client"] = ClientDetails(
        **{**CLIENT.__dict__, "email": "zq2@x.example.net", "phone": "+12019876500"}
    )
    second = services.create_referral(preferred_provider=None, now=t0, needs=needs, **create)
    services.expire_referral(second.pk, now=t0 + settings.REFERRAL_EXPIRE_AFTER)
    services.create_referral(preferred_provider=None, now=t0, **create)  # asked again
    create["client"] = ClientDetails(
        **{**CLIENT.__dict__, "email": "zq3@x.example.net", "phone": "+12019876501"}
    )
    third = services.create_referral(preferred_provider=None, now=t0, **create)
    services.merge_referrals(third.pk, second.pk, actor=staff)


def test_no_slack_or_sms_body_contains_client_details(ana, ben, aetna, t0):
    _every_event_kind(ana, ben, aetna, t0)

    kinds = set(ReferralEvent.objects.values_list("kind", flat=True))
    assert kinds >= {
        *("received", "offered", "accepted", "declined", "expired", "reminded"),
        *("nudged", "wave", "asked_again", "closed", "merged"),
    }
    outgoing = OutboxMessage.objects.filter(channel__in=["slack", "sms"])
    # Reminders and "in hand" are email only, and a confirmed contact sends nothing.
    assert {m.event.kind for m in outgoing} >= kinds - {"reminded", "asked_again", "contacted"}
    for message in outgoing:
        shown = f"{message.subject}\n{message.body_text}\n{message.body_html}\n{message.payload}"
        for detail in FORBIDDEN:
            assert detail not in shown, (message.template, message.event.kind, detail)


def test_the_client_texts_carry_only_the_practice_the_number_and_how_to_stop(ana, ben, aetna, t0):
    _every_event_kind(ana, ben, aetna, t0)

    texts = OutboxMessage.objects.filter(channel="sms", recipient__in=CLIENT_PHONES)
    sent = {(m.template, m.event.kind) for m in texts}
    assert sent >= {
        ("referral_confirmation", "received"),
        ("client_reminder", "reminded"),
        ("decline_notice", "declined"),
        ("decline_notice", "expired"),
    }
    for message in texts:
        body = message.body_text
        assert settings.PRACTICE_NAME in body and message.referral.number in body
        assert "STOP" in body
        assert len(body) <= 160 and segments(body) == 1 and set(body) <= set(GSM7)
        for detail in ("Aetna", "Ana", "Lee", "Ben", "Okafor", "Preferred", "General"):
            assert detail not in body, (message.template, detail)


@pytest.mark.usefixtures("routing_off")
def test_the_same_details_do_reach_the_provider_email(ana, ben, aetna, t0):
    """The check above would pass vacuously if the details never reached any message."""
    _every_event_kind(ana, ben, aetna, t0)
    email = OutboxMessage.objects.get(
        template="provider_referral", channel="email", recipient=ana.email
    )
    assert "Zephyrine Quillfeather" in email.body_text and "(201) 987-6543" in email.body_text
