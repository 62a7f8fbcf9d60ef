"""A referral made through the services reaches real Slack-, SMTP- and Twilio-compatible servers
via the worker: the post with its @-mention, the provider's email with a working link, the SMS,
the client's confirmation, and later the thread reply, the post update and the timed messages."""

import re
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import resolve

from notifications.gsm import GSM7, GSM7_EXTENDED, SEGMENT
from notifications.models import OutboxMessage
from referrals.links import read_action_token
from referrals.notify import accept_page_url
from referrals.services import Actor, accept_referral

pytestmark = pytest.mark.django_db


def run_worker(now=None):
    args = ["--once"] + ([f"--now={now.isoformat()}"] if now else [])
    call_command("worker", *args, stdout=StringIO())


def test_preferred_referral_reaches_slack_email_and_sms(channels, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    run_worker()

    [post] = channels.slack.posts
    assert post["channel"] == "#referrals"
    assert post["text"].startswith("<@U0ANA>\n")
    assert accept_page_url(referral) in post["text"]
    referral.refresh_from_db()
    assert referral.slack_ts and referral.slack_channel == channels.slack.CHANNEL_ID

    [mail] = channels.smtp.to("ana.lee@example.com")
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Reply-To"] == settings.REPLY_TO_EMAIL
    assert referral.number in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = re.search(r"Accept or decline: (\S+)", text).group(1)
    assert link + "?choice=accept" in html.replace("&amp;", "&")
    claim = read_action_token(resolve(urlsplit(link).path).kwargs["token"])
    assert (claim.referral_id, claim.provider_id, claim.round) == (referral.pk, ana.pk, 1)
    assert settings.PRACTICE_PHONE in text and settings.PRACTICE_PHONE in html

    [sms] = channels.sms.messages
    assert sms["To"] == ana.phone and sms["From"] == channels.env["TWILIO_FROM_NUMBER"]
    assert referral.number in sms["Body"]
    assert len(sms["Body"]) <= SEGMENT
    assert set(sms["Body"]) <= set(GSM7 + GSM7_EXTENDED)

    [confirmation] = channels.smtp.to("sam.rivera@example.org")
    assert confirmation["Subject"].startswith("We received your request")
    assert confirmation.get_body(("html",)) is not None
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_accepting_replies_in_the_thread_and_updates_the_post(channels, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    run_worker()
    referral.refresh_from_db()

    accept_referral(referral.pk, ana, actor=Actor("test"))
    run_worker()

    reply = channels.slack.posts[-1]
    assert reply["thread_ts"] == referral.slack_ts and reply["channel"] == "C0REFERRAL"
    assert "accepted by Ana Lee" in reply["text"]
    [update] = channels.slack.updates
    assert update["ts"] == referral.slack_ts and "accepted by Ana Lee" in update["text"]
    assert channels.slack.messages[referral.slack_ts]["text"] == update["text"]


def test_provider_without_slack_id_is_looked_up_by_email_and_stored(
    channels, make_referral, ben, aetna
):
    channels.slack.users["ben.okafor@example.com"] = "U0BEN"
    make_referral(network=aetna, preferred=ben)
    run_worker()

    assert [c["params"]["email"] for c in channels.slack.calls_to("users.lookupByEmail")] == [
        "ben.okafor@example.com"
    ]
    assert channels.slack.posts[0]["text"].startswith("<@U0BEN>\n")
    ben.refresh_from_db()
    assert ben.slack_user_id == "U0BEN"


@pytest.mark.usefixtures("routing_off")
def test_general_referral_is_posted_without_a_mention(channels, make_referral, aetna):
    make_referral(network=aetna)
    run_worker()
    [post] = channels.slack.posts
    assert not post["text"].startswith("<@")
    assert channels.sms.messages == []
    assert [m["To"] for m in channels.smtp.messages] == ["sam.rivera@example.org"]


@pytest.mark.usefixtures("routing_off")
def test_timed_messages_arrive_on_their_channels(channels, make_referral, ana, aetna):
    ana.office_phone = "+12125550111"
    ana.save(update_fields=["office_phone"])
    referral = make_referral(network=aetna, preferred=ana)
    run_worker()

    run_worker(now=referral.created_at + settings.REFERRAL_REMINDER_AFTER)
    [reminder] = channels.smtp.to("ana.lee@example.com")[1:]
    assert reminder["Subject"].startswith("Reminder: referral")
    assert re.search(r"/r/\S+", reminder.get_body(("plain",)).get_content())
    [_, client_reminder] = channels.smtp.to("sam.rivera@example.org")
    assert "(212) 555-0111" in client_reminder.get_body(("plain",)).get_content()

    run_worker(now=referral.created_at + settings.REFERRAL_EXPIRE_AFTER + timedelta(seconds=1))
    [_, _, notice] = channels.smtp.to("sam.rivera@example.org")
    assert notice["Subject"].startswith("Update on your request")
    assert "declined automatically" in channels.slack.posts[-1]["text"]
    assert "available to any eligible provider" in channels.slack.updates[-1]["text"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
