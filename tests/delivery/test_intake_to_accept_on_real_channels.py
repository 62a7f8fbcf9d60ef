"""The issue's "done when", as one flow through the real parts: a client submits the intake form;
the worker delivers the Slack post with the @-mention, the provider's email, the provider's SMS
and the client's confirmation to loopback servers; the provider follows the emailed link and
accepts; the worker posts the reply in the referral's thread and updates the original post."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from referrals.models import Referral

pytestmark = pytest.mark.django_db


def run_worker():
    call_command("worker", "--once", stdout=StringIO())


def test_intake_form_to_accept_by_email_link_on_every_channel(client, channels, ana, aetna):
    response = client.post(
        "/referrals/new/",
        {
            "first_name": "Sam",
            "last_name": "Rivera",
            "email": "sam.rivera@example.org",
            "phone": "(201) 987-0001",
            "insurance": str(aetna.pk),
            "preferred_provider": str(ana.pk),
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    run_worker()

    [post] = channels.slack.posts
    assert post["text"].startswith("<@U0ANA>\n") and referral.number in post["text"]
    [sms] = channels.sms.messages
    assert sms["To"] == ana.phone and "Sam" not in sms["Body"]
    [confirmation] = channels.smtp.to("sam.rivera@example.org")
    assert referral.number in confirmation.get_body(("plain",)).get_content()
    [mail] = channels.smtp.to(ana.email)
    link = re.search(r"Accept or decline: (\S+)", mail.get_body(("plain",)).get_content())
    path = urlsplit(link.group(1)).path

    page = client.get(path)  # opening the link (a mail scanner would too) changes nothing
    assert page.status_code == 200
    assert Referral.objects.get().status == Referral.Status.PENDING
    assert client.post(path, {"choice": "accept"}).status_code == 200
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana
    run_worker()

    reply = channels.slack.posts[-1]
    assert reply["thread_ts"] == referral.slack_ts and "accepted by Ana Lee" in reply["text"]
    [update] = channels.slack.updates
    assert update["ts"] == referral.slack_ts and "accepted by Ana Lee" in update["text"]
    assert client.post(path, {"choice": "accept"}).status_code == 409  # a used link
