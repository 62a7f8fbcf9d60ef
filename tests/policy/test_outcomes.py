"""Every referral ends with an outcome: who may close with which, and what closing stops."""

import re
from datetime import date, timedelta

import pytest

from notifications.models import OutboxMessage
from referrals.eligibility import CONTACT_ATTEMPTS_BEFORE_UNREACHABLE
from referrals.errors import CannotClose, NotFound, NotHolder, NotOpen
from referrals.models import Referral, ReferralEvent
from referrals.services import (
    Actor,
    accept_referral,
    close_referral,
    decline_referral,
    offer_referral,
    record_contact_attempt,
)
from tests.policy.helpers import PROVIDER, STAFF, queued

Outcome = Referral.Outcome
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)


@pytest.fixture
def held(make_referral, ana, aetna, t0):
    """A referral Ana accepted an hour after it was received."""
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + HOUR)
    return referral


def test_the_holder_records_the_first_session_and_the_referral_closes(held, ana, t0):
    on = (t0 + WEEK).date()

    close_referral(
        held.pk,
        Outcome.FIRST_SESSION,
        actor=PROVIDER,
        provider=ana,
        first_session_on=on,
        now=t0 + 2 * HOUR,
    )

    held.refresh_from_db()
    assert (held.status, held.outcome, held.first_session_on) == ("closed", "first_session", on)
    assert held.closed_at == t0 + 2 * HOUR
    assert held.contacted_at == t0 + 2 * HOUR  # a session was booked: the client was reached
    event = held.events.get(kind=ReferralEvent.Kind.CLOSED)
    assert (event.outcome, event.provider) == ("first_session", ana)


def test_a_first_session_needs_a_date_not_before_the_request(held, ana, t0):
    with pytest.raises(CannotClose, match="date"):
        close_referral(held.pk, Outcome.FIRST_SESSION, actor=PROVIDER, provider=ana)
    with pytest.raises(CannotClose, match="before"):
        close_referral(
            held.pk,
            Outcome.FIRST_SESSION,
            actor=PROVIDER,
            provider=ana,
            first_session_on=t0.date() - timedelta(days=1),
        )
    held.refresh_from_db()
    assert held.status == Referral.Status.ACCEPTED


def test_the_holder_may_close_as_client_withdrew(held, ana, t0):
    close_referral(held.pk, Outcome.WITHDREW, actor=PROVIDER, provider=ana, now=t0 + 2 * HOUR)

    held.refresh_from_db()
    assert (held.status, held.outcome) == ("closed", "withdrew")


def test_could_not_be_reached_needs_the_recorded_attempts_first(held, ana, t0):
    assert CONTACT_ATTEMPTS_BEFORE_UNREACHABLE == 2
    record_contact_attempt(held.pk, ana, actor=PROVIDER, note="voicemail", now=t0 + 2 * HOUR)
    with pytest.raises(CannotClose, match="at least 2 attempts"):
        close_referral(held.pk, Outcome.UNREACHABLE, actor=PROVIDER, provider=ana)

    record_contact_attempt(held.pk, ana, actor=PROVIDER, note="no answer", now=t0 + 26 * HOUR)
    close_referral(held.pk, Outcome.UNREACHABLE, actor=PROVIDER, provider=ana, now=t0 + 27 * HOUR)

    held.refresh_from_db()
    assert (held.status, held.outcome, held.contacted_at) == ("closed", "unreachable", None)
    attempts = held.events.filter(kind=ReferralEvent.Kind.CONTACT_ATTEMPT)
    assert list(attempts.values_list("note", "provider")) == [
        ("voicemail", ana.pk),
        ("no answer", ana.pk),
    ]


@pytest.mark.parametrize("outcome", [Outcome.REFERRED_OUT, Outcome.NO_PROVIDER, Outcome.DUPLICATE])
def test_a_provider_may_not_close_with_a_staff_outcome(held, ana, outcome):
    with pytest.raises(CannotClose):
        close_referral(held.pk, outcome, actor=PROVIDER, provider=ana)
    held.refresh_from_db()
    assert held.status == Referral.Status.ACCEPTED


def test_a_provider_who_does_not_hold_it_is_refused_as_if_it_did_not_exist(
    held, make_referral, ben, aetna, t0
):
    waiting = make_referral(network=aetna, now=t0, client=_other_person())
    for referral in (held, waiting):
        with pytest.raises(NotFound):
            close_referral(referral.pk, Outcome.WITHDREW, actor=PROVIDER, provider=ben)
        with pytest.raises(NotHolder):
            record_contact_attempt(referral.pk, ben, actor=PROVIDER)
    assert not ReferralEvent.objects.filter(
        kind__in=[ReferralEvent.Kind.CLOSED, ReferralEvent.Kind.CONTACT_ATTEMPT]
    ).exists()


def test_staff_close_with_any_outcome_but_only_with_a_note(make_referral, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    with pytest.raises(CannotClose, match="note"):
        close_referral(referral.pk, Outcome.REFERRED_OUT, actor=STAFF, note="  ")

    close_referral(
        referral.pk,
        Outcome.REFERRED_OUT,
        actor=STAFF,
        note="Needs an eating-disorder program; referred to the clinic.",
        now=t0 + HOUR,
    )

    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "referred_out")
    assert referral.events.get(kind="closed").note.startswith("Needs an eating-disorder")


def test_staff_close_a_duplicate_only_by_merging(make_referral, aetna):
    referral = make_referral(network=aetna)
    with pytest.raises(CannotClose, match="merging"):
        close_referral(referral.pk, Outcome.DUPLICATE, actor=STAFF, note="same person")


def test_a_closed_referral_stays_closed(held, ana, ben, t0):
    close_referral(held.pk, Outcome.WITHDREW, actor=PROVIDER, provider=ana, now=t0 + 2 * HOUR)

    with pytest.raises(NotOpen):
        close_referral(held.pk, Outcome.NO_PROVIDER, actor=STAFF, note="again")
    with pytest.raises(NotOpen):
        offer_referral(held.pk, ben, actor=STAFF)
    with pytest.raises(NotOpen):
        decline_referral(held.pk, ana, reason="not_a_fit", actor=PROVIDER)
    with pytest.raises(NotOpen):
        accept_referral(held.pk, ben, actor=PROVIDER)


def test_closing_stops_every_reminder_and_notice_past_all_deadlines(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    close_referral(referral.pk, Outcome.WITHDREW, actor=STAFF, note="Called to cancel", now=t0)
    referral.refresh_from_db()
    assert (referral.remind_at, referral.expires_at, referral.link_sent_at) == (None, None, None)
    before = OutboxMessage.objects.count()

    for days in (1, 2, 3, 30):
        run_worker(t0 + timedelta(days=days))

    assert OutboxMessage.objects.count() == before
    assert not referral.events.filter(kind__in=["reminded", "expired"]).exists()


def test_closing_updates_the_slack_post_and_tells_nobody_else(held, ana, t0):
    close_referral(
        held.pk,
        Outcome.FIRST_SESSION,
        actor=PROVIDER,
        provider=ana,
        first_session_on=date(2026, 12, 8),
        now=t0 + 2 * HOUR,
    )

    event = held.events.get(kind="closed")
    assert queued(event=event) == [
        ("slack", "referral_closed", "#referrals"),
        ("slack", "referral_card", "#referrals"),
    ]
    card = OutboxMessage.objects.get(event=event, template="referral_card")
    assert card.payload["op"] == "update"
    assert "closed: first session scheduled" in card.body_text
    reply = OutboxMessage.objects.get(event=event, template="referral_closed")
    assert "first session scheduled for Tue 8 Dec" in reply.body_text
    assert "Sam" not in reply.body_text + card.body_text


def test_the_emailed_link_stops_working_once_closed(make_referral, ana, aetna, t0, client):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    email = OutboxMessage.objects.get(template="provider_referral", channel="email")
    path = re.search(r"https?://[^/]+(/r/[^/\s]+/)", email.body_text).group(1)
    close_referral(referral.pk, Outcome.NO_PROVIDER, actor=STAFF, note="Waitlist full")

    response = client.post(path, {"choice": "accept"})

    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED and referral.accepted_by is None


def test_closed_referrals_leave_the_providers_sight(held, ana, t0):
    from referrals.eligibility import visible_to

    close_referral(held.pk, Outcome.WITHDREW, actor=PROVIDER, provider=ana, now=t0 + 2 * HOUR)

    assert not visible_to(ana).filter(pk=held.pk).exists()


def test_an_inactive_provider_cannot_close_what_they_accepted(held, ana):
    ana.status = ana.Status.INACTIVE
    ana.save(update_fields=["status"])

    with pytest.raises(NotFound):
        close_referral(held.pk, Outcome.WITHDREW, actor=Actor("ana"), provider=ana)


def _other_person():
    from tests.conftest import CLIENT

    return CLIENT.__class__(
        **{**CLIENT.__dict__, "email": "kim@example.org", "phone": "+12019870002"}
    )


def test_a_first_session_is_recorded_only_on_an_accepted_referral(make_referral, aetna, t0):
    referral = make_referral(network=aetna, now=t0)

    with pytest.raises(CannotClose, match="accepted"):
        close_referral(
            referral.pk,
            Outcome.FIRST_SESSION,
            actor=STAFF,
            note="Booked by phone",
            first_session_on=(t0 + WEEK).date(),
        )


def test_days_to_first_session_count_from_the_day_received_in_practice_time(
    make_referral, ana, aetna
):
    from datetime import UTC, datetime

    late_evening = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)  # Tue 1 Dec, 22:30 in New York
    referral = make_referral(network=aetna, now=late_evening)
    accept_referral(referral.pk, ana, actor=PROVIDER, now=late_evening + HOUR)

    close_referral(
        referral.pk,
        Outcome.FIRST_SESSION,
        actor=PROVIDER,
        provider=ana,
        first_session_on=date(2026, 12, 8),
        now=late_evening + 2 * HOUR,
    )

    referral.refresh_from_db()
    assert referral.first_session_days == 7  # 1 Dec to 8 Dec, not 2 Dec (UTC) to 8 Dec


def test_closing_a_routed_referral_ends_its_wave_and_every_deadline(
    make_referral, ana, ben, aetna, t0, run_worker
):
    """A General referral out in a routing wave, closed by staff: the wave's offers end, so no
    link works and no next wave, nudge or client reminder is ever sent."""
    referral = make_referral(network=aetna, now=t0)
    assert referral.offers.filter(answer="").exists()  # the first wave is out
    close_referral(referral.pk, Outcome.REFERRED_OUT, actor=STAFF, note="Referred out", now=t0)

    referral.refresh_from_db()
    assert not referral.offers.filter(answer="").exists()
    assert all(getattr(referral, name) is None for name in Referral.DEADLINE_FIELDS)
    before = OutboxMessage.objects.count()
    for days in (1, 2, 3):
        run_worker(t0 + timedelta(days=days))
    assert OutboxMessage.objects.count() == before
