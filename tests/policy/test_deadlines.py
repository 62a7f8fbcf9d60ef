"""The timed rules, fired by the worker: 24-hour reminders and the automatic decline at 48 hours.

Nothing fires a second early, nothing fires twice, and durations are elapsed UTC seconds.
"""

import re
from datetime import datetime, timedelta

import pytest
import time_machine

from config.signed_links import LinkExpired
from referrals.deadlines import run_due
from referrals.errors import NotOpen
from referrals.links import read_action_token
from referrals.models import Referral, ReferralEvent
from referrals.services import accept_referral, decline_referral, offer_referral
from tests.policy.helpers import PROVIDER, STAFF, queued

SECOND = timedelta(seconds=1)
DAY = timedelta(hours=24)
TWO_DAYS = timedelta(hours=48)
CLIENT_EMAIL = "sam.rivera@example.org"


def _link_token(message) -> str:
    return re.search(r"/r/([^/\s]+)/", message.body_text).group(1)


def test_an_unanswered_referral_is_not_declined_one_second_before_48_hours(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    run_worker(t0 + TWO_DAYS - SECOND)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    assert not referral.events.filter(kind=ReferralEvent.Kind.EXPIRED).exists()


def test_an_unanswered_referral_is_declined_automatically_at_exactly_48_hours(
    make_referral, ana, ben, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    run_worker(t0 + TWO_DAYS)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.offered_to is None
    assert referral.expired_at == t0 + TWO_DAYS
    assert referral.expires_at is None  # no new clock: one Decline Notice, not one every 48 h
    event = referral.events.get(kind=ReferralEvent.Kind.EXPIRED)
    assert (event.reason, event.actor_label, event.provider) == ("expired", "worker", ana)
    assert event.at == t0 + TWO_DAYS
    assert ("email", "decline_notice", CLIENT_EMAIL) in queued(event=event)
    assert ("slack", "referral_available_again", "#referrals") in queued(event=event)
    accept_referral(referral.pk, ben, actor=PROVIDER, now=t0 + TWO_DAYS + SECOND)


def test_a_general_referral_nobody_accepts_is_declined_automatically_too(
    make_referral, aetna, ana, t0, run_worker
):
    referral = make_referral(network=aetna, now=t0)

    run_worker(t0 + TWO_DAYS)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE and referral.expired_at == t0 + TWO_DAYS
    assert referral.messages.filter(template="decline_notice").count() == 1


def test_reminders_are_not_sent_one_second_before_24_hours(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    run_worker(t0 + DAY - SECOND)

    assert not referral.events.filter(kind=ReferralEvent.Kind.REMINDED).exists()
    assert not referral.messages.filter(template__in=["provider_reminder", "client_reminder"])


def test_at_24_hours_the_provider_gets_a_fresh_link_and_the_client_the_providers_phone(
    make_referral, ana, aetna, t0, run_worker
):
    ana.office_phone = "+12125550111"  # the line for clients, never the mobile
    ana.save(update_fields=["office_phone"])
    with time_machine.travel(t0, tick=False):
        referral = make_referral(network=aetna, preferred=ana, now=t0)
    first_link = referral.messages.get(template="provider_referral", channel="email")

    with time_machine.travel(t0 + DAY, tick=False):
        run_worker(t0 + DAY)

    event = referral.events.get(kind=ReferralEvent.Kind.REMINDED)
    assert event.at == t0 + DAY and event.actor_label == "worker"
    assert queued(event=event) == [
        ("email", "provider_reminder", ana.email),
        ("email", "client_reminder", CLIENT_EMAIL),
    ]
    client_reminder = event.messages.get(template="client_reminder")
    assert "(212) 555-0111" in client_reminder.body_text
    assert ana.phone not in client_reminder.body_text
    with time_machine.travel(t0 + DAY + timedelta(hours=11), tick=False):
        with pytest.raises(LinkExpired):
            read_action_token(_link_token(first_link))
        claim = read_action_token(_link_token(event.messages.get(template="provider_reminder")))
    referral.refresh_from_db()
    assert (claim.referral_id, claim.provider_id, claim.round) == (referral.pk, ana.pk, 1)
    assert referral.round == 1  # a reminder is not a transition: the fresh link stays valid


def test_general_referral_client_is_reminded_without_a_provider_phone(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, now=t0)

    run_worker(t0 + DAY)

    event = referral.events.get(kind=ReferralEvent.Kind.REMINDED)
    assert queued(event=event) == [("email", "client_reminder", CLIENT_EMAIL)]
    assert ana.phone not in event.messages.get().body_text


def test_reminders_are_sent_once_even_when_the_worker_runs_twice(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    run_worker(t0 + DAY)
    run_worker(t0 + DAY + SECOND)

    assert referral.events.filter(kind=ReferralEvent.Kind.REMINDED).count() == 1
    assert referral.messages.filter(template="provider_reminder").count() == 1
    assert referral.messages.filter(template="client_reminder").count() == 1


def test_an_accepted_referral_gets_no_provider_reminder_and_never_expires(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + timedelta(hours=2))

    run_worker(t0 + timedelta(days=10))

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    # Not contacted: the holder is nudged and the client reminded (tests/policy/
    # test_contact_promise.py), but no Referral Reminder and no expiry.
    assert list(referral.events.values_list("kind", flat=True)) == [
        "received",
        "accepted",
        "reminded",
        "nudged",
    ]
    assert not referral.messages.filter(template="provider_reminder").exists()


@pytest.mark.usefixtures("routing_off")
def test_nothing_fires_twice_when_deadlines_are_run_twice(make_referral, ana, aetna, t0):
    preferred = make_referral(network=aetna, preferred=ana, now=t0)
    general = make_referral(network=aetna, now=t0)
    at = t0 + TWO_DAYS

    first = run_due(at)
    second = run_due(at)

    assert first == {"reminded": 2, "expired": 2, "nudged": 0, "waves": 0}
    assert second == {"reminded": 0, "expired": 0, "nudged": 0, "waves": 0}
    for referral in (preferred, general):
        kinds = list(referral.events.values_list("kind", flat=True))
        assert kinds == ["received", "reminded", "expired"]
        assert referral.messages.filter(template="decline_notice").count() == 1
    assert run_due(at + timedelta(days=30)) == {
        "reminded": 0,
        "expired": 0,
        "nudged": 0,
        "waves": 0,
    }


def test_after_a_decline_the_new_round_has_its_own_48_hours_and_no_provider_reminder(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    declined_at = t0 + timedelta(hours=5)
    decline_referral(referral.pk, ana, reason="unavailable", actor=PROVIDER, now=declined_at)

    run_worker(t0 + TWO_DAYS)
    run_worker(declined_at + TWO_DAYS - SECOND)
    assert not referral.events.filter(kind="expired").exists()
    # The client is still reminded at 24 h (not contacted); nobody waits for a provider reminder.
    assert queued(event=referral.events.get(kind="reminded")) == [
        ("email", "client_reminder", CLIENT_EMAIL)
    ]

    run_worker(declined_at + TWO_DAYS)
    assert referral.events.filter(kind=ReferralEvent.Kind.EXPIRED).count() == 1


@pytest.mark.parametrize(
    "created_at",
    ["2026-03-08T06:00:00Z", "2026-11-01T05:00:00Z"],
    ids=["hour-before-spring-forward", "hour-before-fall-back"],
)
def test_durations_are_elapsed_seconds_across_a_dst_change(
    created_at, make_referral, ana, aetna, run_worker, settings
):
    # 06:00Z on 8 March 2026 is 01:00 in New York, an hour before clocks go forward;
    # 05:00Z on 1 November 2026 is 01:00 EDT, an hour before they go back.
    assert settings.DISPLAY_TIME_ZONE == "America/New_York"
    start = datetime.fromisoformat(created_at)
    referral = make_referral(network=aetna, preferred=ana, now=start)

    run_worker(start + timedelta(seconds=86_399))
    assert not referral.events.filter(kind="reminded").exists()
    run_worker(start + timedelta(seconds=86_400))
    assert referral.events.get(kind="reminded").at == start + timedelta(seconds=86_400)

    run_worker(start + timedelta(seconds=172_799))
    assert not referral.events.filter(kind="expired").exists()
    run_worker(start + timedelta(seconds=172_800))
    assert referral.events.get(kind="expired").at == start + timedelta(seconds=172_800)


@pytest.mark.usefixtures("routing_off")
def test_an_accept_at_exactly_48_hours_is_refused_and_the_expiry_wins(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    with pytest.raises(NotOpen):
        accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + TWO_DAYS)
    run_worker(t0 + TWO_DAYS)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE and referral.accepted_by is None
    assert list(referral.events.values_list("kind", flat=True)) == [
        "received",
        "reminded",
        "expired",
    ]


def test_an_expiry_after_an_accept_does_nothing(make_referral, ana, aetna, t0, run_worker):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + TWO_DAYS - SECOND)

    run_worker(t0 + TWO_DAYS)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.expired_at is None
    assert not referral.messages.filter(template="decline_notice").exists()


def test_an_answer_that_waited_behind_the_expiry_is_refused(make_referral, ana, aetna, t0):
    # The provider clicked a moment before the deadline; the worker's expiry held the row first.
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    run_due(t0 + TWO_DAYS)

    with pytest.raises(NotOpen):
        accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + TWO_DAYS - SECOND)
    with pytest.raises(NotOpen):
        decline_referral(
            referral.pk, ana, reason="unavailable", actor=PROVIDER, now=t0 + TWO_DAYS - SECOND
        )

    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE and referral.accepted_by is None
    assert referral.messages.filter(template="decline_notice").count() == 1


def test_a_staff_offer_starts_its_own_24_hour_reminder_and_48_hour_clock(
    make_referral, ana, ben, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, now=t0)
    run_worker(t0 + TWO_DAYS)  # reminded, then declined automatically: available, no clock
    offered_at = t0 + TWO_DAYS + timedelta(hours=3)
    offer_referral(referral.pk, ben, actor=STAFF, now=offered_at)
    event = referral.events.get(kind=ReferralEvent.Kind.OFFERED)
    assert queued(event=event) == [
        ("slack", "referral_offered", "#referrals"),
        ("slack", "referral_card", "#referrals"),
        ("email", "provider_referral", ben.email),
        ("sms", "provider_referral", ben.phone),
    ]

    run_worker(offered_at + DAY - SECOND)
    assert referral.events.filter(kind=ReferralEvent.Kind.REMINDED).count() == 1
    run_worker(offered_at + DAY)
    reminder = referral.events.filter(kind=ReferralEvent.Kind.REMINDED).last()
    assert ("email", "provider_reminder", ben.email) in queued(event=reminder)

    run_worker(offered_at + TWO_DAYS)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.events.filter(kind=ReferralEvent.Kind.EXPIRED).count() == 2
