"""Accept and Decline from the referral's Slack card: signed button presses reach
`/slack/interactions`, the services act, the card and thread follow, and the presser gets an
answer only they see. Slack's calls go to the loopback Slack server."""

import json
import time
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from slack_sdk.signature import SignatureVerifier

from notifications.models import OutboxMessage
from referrals.models import Referral, ReferralEvent
from replies.models import InboundMessage
from tests.conftest import make_provider
from tests.replies.signing import SLACK_SECRET, press, slack_post, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_secret(settings, channels):
    settings.SLACK_SIGNING_SECRET = SLACK_SECRET
    return channels


def run_worker():
    call_command("worker", "--once", stdout=StringIO())


def _buttons(message: dict) -> dict:
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    actions = [b for b in blocks if b["type"] == "actions"]
    return {e["action_id"].split(":")[0]: e["action_id"] for a in actions for e in a["elements"]}


def _posted_card(channels, make_referral, aetna, preferred):
    referral = make_referral(network=aetna, preferred=preferred)
    run_worker()
    [card] = [p for p in channels.slack.posts if not p.get("thread_ts")]
    return referral, _buttons(card)


def test_accept_button_accepts_updates_the_card_replies_in_thread_and_answers_privately(
    client, channels, make_referral, ana, aetna
):
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    assert set(buttons) == {"accept", "decline"}
    assert buttons["accept"] == f"accept:{referral.pk}:{referral.round}"

    response_url = channels.slack.response_url_for("1")
    assert (
        slack_post(client, press(buttons["accept"], response_url=response_url)).status_code == 200
    )

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana
    run_worker()
    [reply] = [p for p in channels.slack.posts if p.get("thread_ts")]
    assert reply["thread_ts"] == referral.slack_ts and "accepted by Ana Lee" in reply["text"]
    [update] = channels.slack.updates
    assert "accepted by Ana Lee" in update["text"] and _buttons(update) == {}
    [answer] = channels.slack.ephemerals
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert "Sam" in answer["text"] and f"/accept/?referral={referral.pk}" in answer["text"]
    for detail in ("Rivera", "sam.rivera", "9870001"):
        assert detail not in answer["text"]


def test_decline_button_opens_a_modal_with_the_two_reasons_and_its_submission_declines(
    client, channels, make_referral, ana, aetna
):
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    url = channels.slack.response_url_for("2")
    assert slack_post(client, press(buttons["decline"], response_url=url)).status_code == 200
    assert Referral.objects.get().status == Referral.Status.PENDING  # nothing until a reason

    [opened] = channels.slack.views_opened
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert opened["trigger_id"].startswith("trigger-U0ANA")
    options = view["blocks"][0]["element"]["options"]
    assert [o["value"] for o in options] == ["unavailable", "not_a_fit"]

    assert slack_post(client, submit(view, "not_a_fit")).status_code == 200
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    event = referral.events.get(kind=ReferralEvent.Kind.DECLINED)
    assert event.provider == ana and event.reason == "not_a_fit"
    run_worker()
    [answer] = channels.slack.ephemerals
    assert f"You declined referral {referral.number}" in answer["text"]
    [update] = channels.slack.updates  # the card again offers buttons, for the new round
    assert _buttons(update)["accept"] == f"accept:{referral.pk}:{referral.round}"


def _refusal(client, channels, action_id, user="U0ANA"):
    assert slack_post(client, press(action_id, user=user)).status_code == 200
    run_worker()
    [answer] = [
        c["params"]
        for c in channels.slack.calls_to("chat.postEphemeral")
        if c["params"]["user"] == user
    ]
    assert answer["channel"] == "C0REFERRAL"
    return answer["text"]


def test_unlinked_slack_user_is_told_how_to_link_and_nothing_changes(
    client, channels, make_referral, ana, aetna
):
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    said = _refusal(client, channels, buttons["accept"], user="U0NOBODY")
    assert "not linked" in said and "My profile" in said and "U0NOBODY" in said
    assert Referral.objects.get().status == Referral.Status.PENDING


def test_not_eligible_provider_is_refused(client, channels, make_referral, ana, aetna):
    make_provider("Ben", "Okafor", networks=[aetna], slack_user_id="U0BEN")
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    said = _refusal(client, channels, buttons["accept"], user="U0BEN")
    assert "not eligible" in said
    assert Referral.objects.get().status == Referral.Status.PENDING


def test_already_accepted_by_someone_else_is_refused(client, channels, make_referral, ana, aetna):
    make_provider("Ben", "Okafor", networks=[aetna], slack_user_id="U0BEN")
    referral, buttons = _posted_card(channels, make_referral, aetna, None)  # open to both
    assert slack_post(client, press(buttons["accept"], user="U0BEN", ts="1.1")).status_code == 200
    said = _refusal(client, channels, buttons["accept"], user="U0ANA")
    assert "already been accepted by another provider" in said
    assert Referral.objects.get().accepted_by.slack_user_id == "U0BEN"


def test_inactive_provider_is_refused(client, channels, make_referral, ana, aetna):
    referral, buttons = _posted_card(channels, make_referral, aetna, None)
    ana.status = ana.Status.INACTIVE
    ana.save()
    said = _refusal(client, channels, buttons["accept"])
    assert "inactive or away" in said
    assert Referral.objects.get().status == Referral.Status.AVAILABLE


def test_a_provider_away_is_told_so_not_that_they_are_ineligible(
    client, channels, make_referral, ana, aetna
):
    from django.utils import timezone

    from providers.services import set_availability
    from referrals.services import Actor

    referral, buttons = _posted_card(channels, make_referral, aetna, None)
    today = timezone.localdate()
    set_availability(
        ana,
        actor=Actor("ana"),
        away_from=today,
        away_until=today + timedelta(days=7),
    )
    said = _refusal(client, channels, buttons["accept"])
    assert "inactive or away" in said
    assert Referral.objects.get().status == Referral.Status.AVAILABLE


def test_an_away_provider_declining_a_referral_waiting_for_another_is_told_it_is_not_theirs(
    client, channels, make_referral, ana, aetna
):
    from django.utils import timezone

    from providers.services import set_availability
    from referrals.services import Actor

    ben = make_provider("Ben", "Okafor", networks=[aetna], slack_user_id="U0BEN")
    referral, buttons = _posted_card(channels, make_referral, aetna, ben)
    today = timezone.localdate()
    set_availability(ana, actor=Actor("ana"), away_from=today, away_until=today)
    assert slack_post(client, press(buttons["decline"], user="U0ANA")).status_code == 200
    [opened] = channels.slack.views_opened
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert slack_post(client, submit(view, "unavailable", user="U0ANA")).status_code == 200
    run_worker()
    [said] = [
        c["params"]["text"]
        for c in channels.slack.calls_to("chat.postEphemeral")
        if c["params"]["user"] == "U0ANA"
    ]
    assert "not eligible" in said and "away" not in said
    assert Referral.objects.get().status == Referral.Status.PENDING


def test_after_48_hours_the_button_is_refused(client, channels, make_referral, ana, aetna):
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    later = referral.expires_at + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        said = _refusal(client, channels, buttons["accept"])
    assert "48 hours" in said
    assert not Referral.objects.filter(status=Referral.Status.ACCEPTED).exists()


@pytest.mark.parametrize(
    "how", ["unsigned", "wrong secret", "tampered body", "five minutes old", "secret unset"]
)
def test_badly_signed_presses_are_refused_and_change_nothing(
    client, channels, make_referral, ana, aetna, settings, how
):
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    payload = press(buttons["accept"])
    if how == "unsigned":
        response = client.post("/slack/interactions", {"payload": json.dumps(payload)})
    elif how == "wrong secret":
        response = slack_post(client, payload, secret="not-the-secret")
    elif how == "tampered body":  # signed for a Decline press, sent as an Accept press
        signed = "payload=" + json.dumps(press(buttons["decline"]))
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(SLACK_SECRET).generate_signature(
            timestamp=timestamp, body=signed
        )
        response = client.post(
            "/slack/interactions",
            data="payload=" + json.dumps(payload),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
            HTTP_X_SLACK_SIGNATURE=signature,
        )
    elif how == "five minutes old":
        response = slack_post(client, payload, at=time.time() - 301)
    else:
        settings.SLACK_SIGNING_SECRET = ""
        response = slack_post(client, payload)
    assert response.status_code == 403
    assert Referral.objects.get().status == Referral.Status.PENDING
    assert not InboundMessage.objects.exists()
    assert not OutboxMessage.objects.filter(payload__op="ephemeral").exists()


def test_slack_retries_and_repeats_of_one_press_act_once(
    client, channels, make_referral, ana, aetna
):
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    payload = press(buttons["accept"], response_url=channels.slack.response_url_for("3"))
    assert slack_post(client, payload).status_code == 200
    assert slack_post(client, payload, HTTP_X_SLACK_RETRY_NUM="1").status_code == 200
    assert slack_post(client, payload).status_code == 200  # the same trigger again
    assert referral.events.filter(kind=ReferralEvent.Kind.ACCEPTED).count() == 1
    assert OutboxMessage.objects.filter(payload__op="ephemeral").count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_response_url_that_is_not_slacks_is_never_fetched(
    client, channels, make_referral, ana, aetna
):
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    forged = "http://127.0.0.2:9/steal"
    assert slack_post(client, press(buttons["accept"], response_url=forged)).status_code == 200
    run_worker()
    answer = OutboxMessage.objects.get(payload__op="ephemeral")
    assert answer.status == OutboxMessage.Status.FAILED and "not Slack's" in answer.last_error
    assert channels.slack.ephemerals == []


def test_each_press_is_on_the_referral_timeline(client, channels, make_referral, ana, aetna):
    referral, buttons = _posted_card(channels, make_referral, aetna, ana)
    slack_post(client, press(buttons["accept"]))
    note = referral.events.get(kind=ReferralEvent.Kind.NOTE)
    assert note.note.startswith('Slack from Ana Lee (U0ANA): "Accept". Answered: ')
    assert settings.SITE_URL in note.note
