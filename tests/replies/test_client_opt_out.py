"""A client's number that texted STOP is never texted again (the client's own texts included),
until it texts START; HELP from a client's number is answered with the practice's name."""

from dataclasses import replace
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from notifications.models import OutboxMessage
from tests.conftest import CLIENT
from tests.replies.signing import sms_post, text

pytestmark = pytest.mark.django_db

TEXTING = replace(CLIENT, consent_sms=True)


@pytest.fixture(autouse=True)
def twilio(channels):
    return channels


def run_worker():
    call_command("worker", "--once", stdout=StringIO())


def _client_texts(channels):
    return [m for m in channels.sms.messages if m["To"] == TEXTING.phone]


def test_a_client_number_that_sent_stop_is_not_texted_until_start(
    client, channels, make_referral, aetna
):
    sms_post(client, text(TEXTING.phone, "STOP", sid="SM1"))
    first = make_referral(network=aetna, client=TEXTING)
    run_worker()
    assert _client_texts(channels) == []
    held = OutboxMessage.objects.get(channel="sms", recipient=TEXTING.phone, referral=first)
    assert held.status == OutboxMessage.Status.FAILED and "STOP" in held.last_error

    sms_post(client, text(TEXTING.phone, "START", sid="SM2"))
    from referrals.services import Actor, close_referral

    close_referral(first.pk, "withdrew", actor=Actor("intake", is_staff=True), note="Withdrew")
    make_referral(network=aetna, client=TEXTING)
    run_worker()
    assert len(_client_texts(channels)) == 1


def test_help_from_a_client_number_names_the_practice_not_the_providers_commands(
    client, make_referral, aetna
):
    make_referral(network=aetna, client=TEXTING)
    answer = sms_post(client, text(TEXTING.phone, "HELP", sid="SM3")).content.decode()
    assert settings.PRACTICE_NAME in answer and "STOP" in answer and "Sam" not in answer
    assert "A 123" not in answer and "to accept" not in answer
