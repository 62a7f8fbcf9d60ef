"""The Slack transport never puts an unchecked user ID into a message: a provider's stored ID is
checked again before `<@ID>` is built, and an invalid one (saved before validation existed, or
written straight to the database) means no mention, never raw text like `<!channel>`."""

from io import StringIO

import pytest
from django.core.management import call_command

from notifications.models import OutboxMessage
from providers.models import Provider
from referrals.services import Actor, accept_referral

pytestmark = pytest.mark.django_db
INJECTION = "U1><!channel"


def run_worker():
    call_command("worker", "--once", stdout=StringIO())


def slack_texts(channels) -> list[str]:
    return [p["text"] + str(p.get("blocks", "")) for p in channels.slack.posts]


def test_a_valid_stored_id_is_mentioned(channels, make_referral, ana, aetna):
    make_referral(network=aetna, preferred=ana)
    run_worker()
    [post] = channels.slack.posts
    assert post["text"].startswith("<@U0ANA>\n")


def test_an_invalid_stored_id_is_never_sent_and_nobody_is_pinged(
    channels, make_referral, ana, aetna
):
    Provider.objects.filter(pk=ana.pk).update(slack_user_id=INJECTION)
    ana.refresh_from_db()
    referral = make_referral(network=aetna, preferred=ana)
    run_worker()
    accept_referral(referral.pk, ana, actor=Actor("test"))
    run_worker()

    assert len(channels.slack.posts) == 2  # the post and the "accepted" reply went out
    for text in slack_texts(channels):
        assert "<!" not in text and "<@" not in text and "U1" not in text
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_an_invalid_id_from_the_email_lookup_is_not_mentioned(channels, make_referral, ben, aetna):
    channels.slack.users[ben.email] = INJECTION
    make_referral(network=aetna, preferred=ben)
    run_worker()

    [post] = channels.slack.posts
    assert "<!" not in post["text"] and "<@" not in post["text"]
    assert Provider.objects.get(pk=ben.pk).slack_user_id == ""
