"""The policy's Client Communications: every client with an email hears from us by email (no
opt-in box: the messages are about their own request), and a client who ticked the text-message
box also gets short texts for the Referral Confirmation, the 24-hour Reminder and the Decline
Notice, with no health details and the practice's name."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.conf import settings

from notifications.gsm import GSM7, segments
from referrals.services import decline_referral, expire_referral, send_reminders
from tests.policy.helpers import PROVIDER, queued

CLIENT_TEXTS = ["referral_confirmation", "client_reminder", "decline_notice"]


def _client_texts(client_details):
    return [
        template
        for channel, template, recipient in queued(channel="sms")
        if recipient == client_details.phone
    ]


def _walk(make_referral, client_details, ana, aetna, t0):
    """Received, the 24-hour Reminder, then declined by the preferred provider."""
    referral = make_referral(network=aetna, preferred=ana, now=t0, client=client_details)
    send_reminders(referral.pk, now=t0 + settings.REFERRAL_REMINDER_AFTER)
    later = t0 + settings.REFERRAL_REMINDER_AFTER + timedelta(minutes=1)
    decline_referral(referral.pk, ana, reason="unavailable", actor=PROVIDER, now=later)
    return referral


def test_every_client_with_an_email_gets_the_confirmation_reminder_and_decline_notice(
    make_referral, client_details, ana, aetna, t0
):
    _walk(make_referral, client_details, ana, aetna, t0)
    emails = [t for _, t, r in queued(channel="email") if r == client_details.email]
    assert emails == CLIENT_TEXTS


def test_client_who_ticked_texts_gets_the_three_client_texts(
    make_referral, client_details, ana, aetna, t0
):
    texting = replace(client_details, consent_sms=True)
    _walk(make_referral, texting, ana, aetna, t0)
    assert _client_texts(texting) == CLIENT_TEXTS


def test_client_who_did_not_tick_texts_gets_no_text(make_referral, client_details, ana, aetna, t0):
    _walk(make_referral, replace(client_details, consent_sms=False), ana, aetna, t0)
    assert _client_texts(client_details) == []


def test_expired_referral_texts_the_decline_notice_too(make_referral, client_details, aetna, t0):
    texting = replace(client_details, consent_sms=True)
    referral = make_referral(network=aetna, now=t0, client=texting)
    expire_referral(referral.pk, now=t0 + settings.REFERRAL_EXPIRE_AFTER)
    assert "decline_notice" in _client_texts(texting)


@pytest.mark.parametrize("template", CLIENT_TEXTS)
def test_client_texts_name_the_practice_say_how_to_stop_and_fit_one_segment(
    make_referral, client_details, ana, aetna, t0, template
):
    from notifications.models import OutboxMessage

    texting = replace(client_details, consent_sms=True)
    _walk(make_referral, texting, ana, aetna, t0)
    text = OutboxMessage.objects.get(channel="sms", template=template, recipient=texting.phone)
    body = text.body_text
    assert settings.PRACTICE_NAME in body and "STOP" in body
    assert len(body) <= 160 and segments(body) == 1 and set(body) <= set(GSM7)
    for detail in ("Sam", "Rivera", "Aetna", "Ana", "Lee", texting.email, texting.phone):
        assert detail not in body, detail
