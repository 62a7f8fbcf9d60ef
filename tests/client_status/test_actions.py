"""What a client can do from their status page: withdraw ("I no longer need this"), give the
best times to reach them, and, once a provider accepted and 12 hours passed without contact, say
"no one has contacted me yet". Each is a POST with CSRF, throttled; bad input or a refusal
changes nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.throttle import parse_rate
from desk.attention import client_not_contacted
from notifications.models import OutboxMessage
from referrals import services
from referrals.links import make_action_url
from referrals.models import Referral, ReferralEvent
from tests.client_status.conftest import status_path
from tests.policy.helpers import STAFF

pytestmark = pytest.mark.django_db
ACCEPTOR = services.Actor("provider")


def _accept(referral, provider, at=None):
    return services.accept_referral(referral.pk, provider, actor=ACCEPTOR, now=at)


# Withdraw ------------------------------------------------------------------------------------


def test_withdrawing_closes_the_referral_as_client_withdrew(client, path, referral):
    response = client.post(path + "withdraw/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == path
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED
    assert referral.outcome == Referral.Outcome.WITHDREW
    event = referral.events.get(kind=ReferralEvent.Kind.CLOSED)
    assert (
        event.outcome == Referral.Outcome.WITHDREW and event.actor_label == "client (status page)"
    )
    page = client.get(path).content.decode()
    assert "you told us you no longer need this" in page and "Close my request" not in page


def test_after_withdrawing_the_providers_links_stop_working(client, path, referral, ana):
    link = make_action_url(referral, ana).removeprefix(settings.SITE_URL)
    client.post(path + "withdraw/", {"confirm": "on"})
    assert client.post(link, {"choice": "accept"}).status_code == 409
    assert Referral.objects.get().status == Referral.Status.CLOSED


def test_after_withdrawing_the_slack_card_says_withdrawn(client, path, referral):
    client.post(path + "withdraw/", {"confirm": "on"})
    card = OutboxMessage.objects.filter(template="referral_card", channel="slack").last()
    assert "closed: client withdrew" in card.body_text


def test_after_withdrawing_no_more_messages_are_sent(client, path, referral, run_worker):
    client.post(path + "withdraw/", {"confirm": "on"})
    before = OutboxMessage.objects.count()
    run_worker(timezone.now() + timedelta(days=3))  # past every reminder and expiry
    assert OutboxMessage.objects.count() == before
    referral.refresh_from_db()
    assert all(getattr(referral, name) is None for name in Referral.DEADLINE_FIELDS)


def test_withdrawing_an_accepted_referral_frees_the_provider(client, path, referral, ana):
    _accept(referral, ana)
    client.post(path + "withdraw/", {"confirm": "on"})
    referral.refresh_from_db()
    assert referral.outcome == Referral.Outcome.WITHDREW
    assert referral.events.get(kind=ReferralEvent.Kind.CLOSED).provider == ana


def test_withdrawing_without_confirming_changes_nothing(client, path, referral):
    response = client.post(path + "withdraw/", {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert Referral.objects.get().status == referral.status


def test_withdrawing_a_closed_referral_is_refused_and_changes_nothing(client, path, referral):
    services.close_referral(referral.pk, Referral.Outcome.NO_PROVIDER, actor=STAFF, note="x")
    response = client.post(path + "withdraw/", {"confirm": "on"}, follow=True)
    assert "already closed" in response.content.decode()
    assert Referral.objects.get().outcome == Referral.Outcome.NO_PROVIDER


def test_withdrawing_through_a_revoked_link_changes_nothing(client, path, referral):
    services.revoke_status_links(referral.pk, actor=STAFF)
    assert client.post(path + "withdraw/", {"confirm": "on"}).status_code == 410
    assert Referral.objects.get().status == Referral.Status.PENDING


def test_a_client_closes_only_as_withdrawn(referral):
    with pytest.raises(services.CannotClose):
        services.close_referral(
            referral.pk, Referral.Outcome.NO_PROVIDER, actor=services.CLIENT, by_client=True
        )
    assert Referral.objects.get().status == Referral.Status.PENDING


def test_an_action_without_the_csrf_token_is_refused(path, referral):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(path + "withdraw/", {"confirm": "on"}).status_code == 403
    assert browser.post(path + "best-times/", {"best_times": "mornings"}).status_code == 403
    assert Referral.objects.get().status == Referral.Status.PENDING
    assert Referral.objects.get().best_times == ""


def test_actions_only_take_post(client, path):
    for action in ("withdraw/", "best-times/", "not-contacted/"):
        assert client.get(path + action).status_code == 405


# Best times ----------------------------------------------------------------------------------


def test_best_times_are_stored_and_shown_on_the_page(client, path, referral):
    response = client.post(path + "best-times/", {"best_times": "  Weekday   mornings "})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.best_times == "Weekday mornings"
    assert referral.events.filter(kind=ReferralEvent.Kind.BEST_TIMES).count() == 1
    assert "Weekday mornings" in client.get(path).content.decode()


def test_best_times_are_shown_on_the_desk(client, as_staff, path, referral):
    client.post(path + "best-times/", {"best_times": "After 5 PM"})
    page = as_staff.get(reverse("desk:timeline", args=[referral.pk])).content.decode()
    assert "After 5 PM" in page


def test_best_times_are_shown_to_the_provider_who_holds_it(
    client, as_provider, path, referral, ana, ben
):
    _accept(referral, ana)
    client.post(path + "best-times/", {"best_times": "After 5 PM"})
    assert "After 5 PM" in as_provider(ana).get(reverse("portal:home")).content.decode()
    assert "After 5 PM" not in as_provider(ben).get(reverse("portal:home")).content.decode()


@pytest.mark.parametrize("given", ["", "   ", "x" * 301])
def test_bad_best_times_change_nothing(client, path, referral, given):
    response = client.post(path + "best-times/", {"best_times": given})
    assert response.status_code == 400
    assert Referral.objects.get().best_times == ""
    assert not ReferralEvent.objects.filter(kind=ReferralEvent.Kind.BEST_TIMES).exists()


def test_best_times_for_a_closed_request_are_refused(client, path, referral):
    services.close_referral(referral.pk, Referral.Outcome.NO_PROVIDER, actor=STAFF, note="x")
    client.post(path + "best-times/", {"best_times": "mornings"})
    assert Referral.objects.get().best_times == ""


# No one has contacted me yet -----------------------------------------------------------------


def test_no_one_contacted_me_is_offered_only_12_hours_after_accepting(client, path, referral, ana):
    accepted = _accept(referral, ana)
    assert "No one has contacted me yet" not in client.get(path).content.decode()
    with time_machine.travel(accepted.accepted_at + settings.CONTACT_WITHIN):
        assert "No one has contacted me yet" in client.get(path).content.decode()


def test_no_one_contacted_me_shows_at_once_under_needs_attention(
    client, as_staff, path, referral, ana
):
    accepted = _accept(referral, ana)
    at = accepted.accepted_at + settings.CONTACT_WITHIN + timedelta(minutes=1)
    with time_machine.travel(at):
        assert client.post(path + "not-contacted/").status_code == 302
        assert list(client_not_contacted(timezone.now())) == [referral]
    queue = as_staff.get(reverse("desk:queue")).content.decode()  # (the staff session is fresh)
    assert 'data-attention="not_contacted"><strong>1</strong>' in queue
    assert referral.number in queue.split('data-attention="not_contacted"')[1].split("</li>")[0]


def test_no_one_contacted_me_before_12_hours_changes_nothing(client, path, referral, ana):
    accepted = _accept(referral, ana)
    at = accepted.accepted_at + settings.CONTACT_WITHIN - timedelta(seconds=1)
    with time_machine.travel(at):
        client.post(path + "not-contacted/")
    assert Referral.objects.get().not_contacted_at is None


def test_no_one_contacted_me_while_nobody_accepted_changes_nothing(client, path, referral):
    client.post(path + "not-contacted/")
    assert Referral.objects.get().not_contacted_at is None


def test_no_one_contacted_me_once_contact_is_confirmed_changes_nothing(client, path, referral, ana):
    accepted = _accept(referral, ana)
    services.confirm_contact(referral.pk, ana, actor=ACCEPTOR)
    with time_machine.travel(accepted.accepted_at + timedelta(days=1)):
        client.post(path + "not-contacted/")
    assert Referral.objects.get().not_contacted_at is None


def test_no_one_contacted_me_is_said_once_per_provider_who_accepted(client, path, referral, ana):
    accepted = _accept(referral, ana)
    with time_machine.travel(accepted.accepted_at + timedelta(hours=13)):
        client.post(path + "not-contacted/")
        client.post(path + "not-contacted/")
    events = ReferralEvent.objects.filter(kind=ReferralEvent.Kind.NOT_CONTACTED)
    assert events.count() == 1


def test_confirming_contact_clears_it_from_needs_attention(client, path, referral, ana):
    accepted = _accept(referral, ana)
    with time_machine.travel(accepted.accepted_at + timedelta(hours=13)):
        client.post(path + "not-contacted/")
        assert client_not_contacted(timezone.now()).exists()  # said, and on the desk
        services.confirm_contact(referral.pk, ana, actor=ACCEPTOR)
        assert not client_not_contacted(timezone.now()).exists()


# Throttle ------------------------------------------------------------------------------------


def test_actions_past_the_rate_limit_get_429_and_change_nothing(client, settings, path, referral):
    settings.STATUS_ACTION_RATE_LIMIT = parse_rate("2/h", "STATUS_ACTION_RATE_LIMIT")
    client.post(path + "best-times/", {"best_times": "one"})
    client.post(path + "best-times/", {"best_times": "two"})
    response = client.post(path + "withdraw/", {"confirm": "on"})
    assert response.status_code == 429 and settings.PRACTICE_PHONE in response.content.decode()
    assert Referral.objects.get().status == Referral.Status.PENDING


def test_another_clients_link_does_not_act_on_this_request(client, make_referral, referral):
    other = make_referral()
    client.post(status_path(other) + "withdraw/", {"confirm": "on"})
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.PENDING
    assert Referral.objects.get(pk=other.pk).status == Referral.Status.CLOSED
