"""A provider's two numbers: the mobile for alerts (texts to them, never shown to clients) and the
client-facing office line, which the client's 24-hour Reminder shows, formatted, tap-to-call.
Without an office line the client is pointed to the practice's number, never to the mobile."""

from django.conf import settings

from config.phones import display
from notifications.models import OutboxMessage
from providers.models import Provider
from referrals.services import send_reminders

OFFICE = "+12125550111"


def test_profile_page_says_where_each_number_appears_and_takes_the_office_line(as_provider, ana):
    client = as_provider(ana)
    page = client.get("/portal/profile/").content.decode()
    assert "Mobile phone (alerts)" in page and "never shown to clients" in page
    assert "Office phone for clients" in page and "24-hour Reminder" in page

    client.post("/portal/profile/", {"phone": ana.phone, "office_phone": "(212) 555-0111"})
    assert Provider.objects.get(pk=ana.pk).office_phone == OFFICE


def test_a_bad_office_phone_saves_nothing(as_provider, ana):
    response = as_provider(ana).post(
        "/portal/profile/", {"phone": ana.phone, "office_phone": "(555) 234-5678"}
    )
    assert "not a number in use" in response.content.decode()
    assert Provider.objects.get(pk=ana.pk).office_phone == ""


def _reminder(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    send_reminders(referral.pk, now=t0 + settings.REFERRAL_REMINDER_AFTER)
    return OutboxMessage.objects.get(template="client_reminder", channel="email")


def test_client_reminder_gives_the_office_line_tap_to_call_never_the_mobile(
    make_referral, ana, aetna, t0
):
    Provider.objects.filter(pk=ana.pk).update(office_phone=OFFICE)
    email = _reminder(make_referral, ana, aetna, t0)
    assert "call them at (212) 555-0111" in email.body_text
    assert f'href="tel:{OFFICE}"' in email.body_html
    assert ana.phone not in email.body_text + email.body_html
    assert display(ana.phone) not in email.body_text + email.body_html


def test_without_an_office_line_the_reminder_points_to_the_practice_not_the_mobile(
    make_referral, ana, aetna, t0
):
    email = _reminder(make_referral, ana, aetna, t0)
    assert ana.phone not in email.body_text + email.body_html
    assert display(ana.phone) not in email.body_text + email.body_html
    assert "call them at" not in email.body_text
    assert display(settings.PRACTICE_PHONE) in email.body_text
