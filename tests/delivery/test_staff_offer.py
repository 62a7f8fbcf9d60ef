"""When intake staff offer a referral to a provider (the desk's "Offer to provider"), the provider
hears it is the intake team offering it, not that the client asked for them by name, and the
reply in the referral's Slack thread @-mentions them, as the desk says it does."""

from io import StringIO

import pytest
from django.core.management import call_command

from referrals import services
from referrals.services import Actor

pytestmark = pytest.mark.django_db
STAFF = Actor("intake", is_staff=True)


def run_worker():
    call_command("worker", "--once", stdout=StringIO())


@pytest.fixture
def offered(channels, make_referral, ana, ben, aetna, settings):
    """A General referral (nobody asked for Ben) that staff offer to Ben."""
    settings.ROUTING = False
    ben.slack_user_id = "U0BEN"
    ben.save(update_fields=["slack_user_id"])
    referral = make_referral(network=aetna)
    run_worker()
    channels.slack.forget()
    channels.smtp.forget()
    services.offer_referral(referral.pk, ben, actor=STAFF)
    run_worker()
    return referral


def test_the_slack_reply_of_a_staff_offer_mentions_the_provider(channels, offered):
    [reply] = [p for p in channels.slack.posts if p.get("thread_ts")]
    assert reply["text"].startswith("<@U0BEN>\n")
    assert "offered to Ben Okafor by intake staff" in reply["text"]


def test_the_staff_offer_email_says_the_intake_team_is_offering_it(channels, offered, ben):
    [email] = channels.smtp.to(ben.email)
    body = email.get_body(("plain",)).get_content()
    assert "The intake team is offering you this referral" in body
    assert "asked for you by name" not in body
