"""A Slack button, a text-message reply and an emailed link race for one referral, on real
parallel connections: exactly one provider wins and the others are told it was taken."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from referrals.links import make_action_url
from referrals.models import Referral, ReferralEvent
from tests.postgres.conftest import run_together
from tests.replies.signing import SLACK_SECRET, press, slack_post, sms_post, text

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_slack_sms_and_email_link_racing_for_one_referral_end_with_one_winner(
    settings, make_referral, provider_factory, aetna
):
    settings.SLACK_SIGNING_SECRET = SLACK_SECRET
    settings.TWILIO_AUTH_TOKEN = "race-token"
    by_slack = provider_factory("Sia", "Slack", phone="+12012239001", networks=[aetna])
    by_slack.slack_user_id = "U0SIA"
    by_slack.save()
    by_sms = provider_factory("Sam", "Sms", phone="+12012239002", networks=[aetna])
    by_link = provider_factory("Lia", "Link", phone="+12012239003", networks=[aetna])
    for _ in range(5):
        referral = make_referral(network=aetna)  # available to all three
        link = urlsplit(make_action_url(referral, by_link)).path
        button = f"accept:{referral.pk}:{referral.round}"
        pressed = press(button, user="U0SIA", ts=f"{referral.pk}.1")
        texted = text(by_sms.phone, f"A {referral.pk}", sid=f"SM{referral.pk}")
        results = run_together(
            lambda pressed=pressed: slack_post(Client(), pressed),
            lambda texted=texted: sms_post(Client(), texted),
            lambda link=link: Client().post(link, {"choice": "accept"}),
        )
        assert [getattr(r, "status_code", r) for r in results][:2] == [200, 200]
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ACCEPTED
        assert referral.events.filter(kind=ReferralEvent.Kind.ACCEPTED).count() == 1
        winner = referral.accepted_by
        sms_said = results[1].content.decode()
        if winner == by_sms:
            assert f"Accepted {referral.number}" in sms_said
        else:
            assert "already accepted by another provider" in sms_said
        assert (results[2].status_code == 200) == (winner == by_link)
