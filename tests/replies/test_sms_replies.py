"""Providers answer a referral by text: signed Twilio webhooks reach `/sms/inbound`, the services
act, and the answer is TwiML from a template with no client details."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from notifications.gsm import GSM7, segments
from notifications.models import OutboxMessage
from notifications.outbox import render_message
from providers.models import Provider
from referrals.models import Referral, ReferralEvent
from replies.models import InboundMessage, SmsOptOut
from tests.replies.signing import sms_post, text

pytestmark = pytest.mark.django_db

ANA = "+12012230001"
BEN = "+12012230002"


@pytest.fixture(autouse=True)
def twilio(channels):
    return channels


def run_worker():
    call_command("worker", "--once", stdout=StringIO())


def _say(response) -> str:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response')
    return body


def test_provider_sms_carries_the_reply_code_in_one_gsm7_segment_for_six_digit_numbers(ana):
    referral = Referral(pk=123456, kind="preferred", status="pending")
    body = render_message("sms", "provider_referral", {"referral": referral})["body_text"]
    assert "Reply A 123456 to accept, D 123456 to decline" in body
    assert len(body) <= 160 and segments(body) == 1 and set(body) <= set(GSM7)


@pytest.mark.parametrize("said", ["A {n}", "a{n}", "accept {n}", " a  R-{p} ", "Accept r{n}."])
def test_a_reply_accepts(client, make_referral, ana, aetna, said):
    referral = make_referral(network=aetna, preferred=ana)
    body = said.format(n=referral.pk, p=f"{referral.pk:05d}")
    answer = _say(sms_post(client, text(ANA, body)))
    assert f"<Message>Accepted {referral.number}. Client details are in your email" in answer
    assert "Sam" not in answer and "Rivera" not in answer
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana
    assert referral.events.get(kind="accepted").actor_label == f"text message: {ana.email}"


def test_d_reply_declines_as_unavailable(client, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    answer = _say(sms_post(client, text(ANA, f"D {referral.pk}")))
    assert f"<Message>Declined {referral.number}." in answer
    event = referral.events.get(kind=ReferralEvent.Kind.DECLINED)
    assert event.provider == ana and event.reason == "unavailable"


def test_bare_yes_accepts_the_one_referral_waiting(client, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    assert "Accepted" in _say(sms_post(client, text(ANA, "yes")))
    assert Referral.objects.get(pk=referral.pk).accepted_by == ana


def test_bare_yes_with_two_waiting_gets_help_and_changes_nothing(client, make_referral, ana, aetna):
    make_referral(network=aetna, preferred=ana)
    make_referral(network=aetna, preferred=ana)
    answer = _say(sms_post(client, text(ANA, "YES")))
    assert "reply A and the referral number" in answer
    assert not Referral.objects.filter(status="accepted").exists()


def test_what_it_does_not_understand_gets_help(client, make_referral, ana, aetna):
    make_referral(network=aetna, preferred=ana)
    answer = _say(sms_post(client, text(ANA, "ok will call her tomorrow")))
    assert "reply A and the referral number to accept (A 123)" in answer
    assert not Referral.objects.filter(status="accepted").exists()


def test_help_names_the_practice_and_its_phone(client, ana, settings):
    answer = _say(sms_post(client, text(ANA, "HELP")))
    assert settings.PRACTICE_NAME in answer and settings.PRACTICE_PHONE in answer


def test_unknown_number_gets_one_polite_answer_and_nothing_else(client, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    first = _say(sms_post(client, text("+12017770000", f"A {referral.pk}", sid="SM1")))
    assert "only takes replies from our providers" in first
    second = _say(sms_post(client, text("+12017770000", f"A {referral.pk}", sid="SM2")))
    assert "<Message>" not in second
    assert Referral.objects.get().status == Referral.Status.PENDING
    assert not referral.events.filter(kind="note").exists()


def test_someone_elses_referral_answers_as_one_that_does_not_exist(
    client, make_referral, ana, ben, aetna
):
    theirs = make_referral(network=aetna, preferred=ana)
    about_theirs = _say(sms_post(client, text(BEN, f"A {theirs.pk}", sid="SM1")))
    about_none = _say(sms_post(client, text(BEN, "A 99999", sid="SM2")))
    assert about_theirs.replace(theirs.number, "R-?") == about_none.replace("R-99999", "R-?")
    assert "No referral" in about_none
    assert Referral.objects.get().status == Referral.Status.PENDING


def test_refusals_in_plain_words(client, make_referral, ana, ben, aetna):
    open_to_both = make_referral(network=aetna)
    _say(sms_post(client, text(BEN, f"A {open_to_both.pk}", sid="SM1")))
    late = _say(sms_post(client, text(ANA, f"A {open_to_both.pk}", sid="SM2")))
    assert "was already accepted by another provider" in late

    ana.status = Provider.Status.INACTIVE
    ana.save()
    other = make_referral(network=aetna)
    inactive = _say(sms_post(client, text(ANA, f"A {other.pk}", sid="SM3")))
    assert "inactive or away" in inactive


def test_after_48_hours_a_reply_is_refused(client, make_referral, ana, aetna):
    import time_machine

    referral = make_referral(network=aetna, preferred=ana)
    with time_machine.travel(referral.expires_at + timedelta(minutes=1), tick=False):
        answer = _say(sms_post(client, text(ANA, f"A {referral.pk}")))
    assert "to answer" in answer and "have passed" in answer
    assert Referral.objects.get().status == Referral.Status.PENDING


@pytest.mark.parametrize("how", ["unsigned", "wrong token", "tampered body", "token unset"])
def test_badly_signed_texts_are_refused_and_change_nothing(
    client, make_referral, ana, aetna, settings, how
):
    referral = make_referral(network=aetna, preferred=ana)
    params = text(ANA, f"A {referral.pk}")
    if how == "unsigned":
        response = client.post("/sms/inbound", params)
    elif how == "wrong token":
        response = sms_post(client, params, token="not-the-token")
    elif how == "tampered body":
        response = sms_post(client, params, tamper=True)
    else:
        signed_with = settings.TWILIO_AUTH_TOKEN
        settings.TWILIO_AUTH_TOKEN = ""
        response = sms_post(client, params, token=signed_with)
    assert response.status_code == 403
    assert Referral.objects.get().status == Referral.Status.PENDING
    assert not InboundMessage.objects.exists()


def test_a_message_twilio_sends_twice_acts_once_and_gets_the_same_answer(
    client, make_referral, ana, aetna
):
    referral = make_referral(network=aetna, preferred=ana)
    first = _say(sms_post(client, text(ANA, f"A {referral.pk}", sid="SMsame")))
    again = _say(sms_post(client, text(ANA, f"A {referral.pk}", sid="SMsame")))
    assert first == again
    assert referral.events.filter(kind="accepted").count() == 1
    assert InboundMessage.objects.count() == 1


def test_each_text_is_on_the_referral_timeline(client, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    sms_post(client, text(ANA, f"D {referral.pk}"))
    note = referral.events.get(kind=ReferralEvent.Kind.NOTE)
    assert note.note == (
        f'Text message from Ana Lee: "D {referral.pk}". Answered: Declined {referral.number}. '
        "It is now available to other providers."
    )


def test_a_number_that_sent_stop_is_not_texted_until_start(
    client, channels, make_referral, ana, aetna
):
    assert "<Message>" not in _say(sms_post(client, text(ANA, "STOP", sid="SM1")))
    assert SmsOptOut.objects.filter(phone=ANA).exists()
    make_referral(network=aetna, preferred=ana)
    run_worker()
    assert channels.sms.messages == []
    held = OutboxMessage.objects.get(channel="sms")
    assert held.status == OutboxMessage.Status.FAILED and "STOP" in held.last_error

    _say(sms_post(client, text(ANA, "START", sid="SM2")))
    make_referral(network=aetna, preferred=ana)
    run_worker()
    assert [m["To"] for m in channels.sms.messages] == [ANA]


@pytest.mark.parametrize(
    "template,outcome",
    [("reply_accepted", "accepted"), ("reply_declined", "declined"), ("reply_help", "help")]
    + [
        ("reply_refused", o)
        for o in (
            "inactive",
            "already_accepted",
            "expired",
            "not_eligible",
            "not_holder",
            "changed",
            "not_found",
        )
    ]
    + [("reply_unknown_number", "unknown_number")],
)
def test_every_sms_answer_fits_one_gsm7_segment(template, outcome, db):
    from replies.acting import answer_context

    context = answer_context(
        None,
        outcome,
        number="R-123456",
        referral_url="https://referrals.example-practice.org/accept/?referral=123456",
    )
    body = render_message("sms", template, context)["body_text"]
    assert body and segments(body) == 1 and set(body) <= set(GSM7), body
