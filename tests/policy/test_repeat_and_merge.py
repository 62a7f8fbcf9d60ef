"""One person, one referral: asking again attaches to the open referral; staff merge the rest.
And an expired referral waits for a staff decision instead of staying "available" forever."""

from datetime import timedelta

import pytest

from notifications.models import OutboxMessage
from referrals.errors import CannotMerge
from referrals.models import Referral, ReferralEvent
from referrals.services import (
    ClientDetails,
    accept_referral,
    close_referral,
    merge_referrals,
    offer_referral,
)
from tests.conftest import CLIENT
from tests.policy.helpers import PROVIDER, STAFF, queued

HOUR = timedelta(hours=1)
TWO_DAYS = timedelta(hours=48)


def _person(**changes) -> ClientDetails:
    return ClientDetails(**{**CLIENT.__dict__, **changes})


def test_the_same_email_in_any_case_asks_again_instead_of_a_new_referral(
    make_referral, ana, aetna, t0
):
    first = make_referral(network=aetna, preferred=ana, now=t0)
    messages_before = OutboxMessage.objects.count()

    again = make_referral(
        network=aetna,
        now=t0 + HOUR,
        client=_person(email="SAM.Rivera@Example.org", phone="", first_name="Samuel"),
    )

    assert again.pk == first.pk and again.asked_again
    assert Referral.objects.count() == 1
    first.refresh_from_db()
    assert first.asked_again_at == t0 + HOUR
    event = first.events.get(kind=ReferralEvent.Kind.ASKED_AGAIN)
    assert event.changes == {"first_name": "Samuel", "email": "SAM.Rivera@Example.org"}
    # The client is told at the address on file; no provider, no Slack.
    assert queued(pk__gt=0, event=event) == [("email", "request_in_hand", CLIENT.email)]
    assert OutboxMessage.objects.count() == messages_before + 1


def test_the_same_phone_asks_again(make_referral, ana, aetna, t0):
    first = make_referral(network=aetna, now=t0)
    accept_referral(first.pk, ana, actor=PROVIDER, now=t0 + HOUR)

    again = make_referral(now=t0 + 2 * HOUR, client=_person(email="other@example.org"))

    assert again.pk == first.pk
    assert first.events.filter(kind="asked_again").count() == 1
    assert not OutboxMessage.objects.filter(template="provider_referral", event__kind="asked_again")


def test_a_closed_referral_does_not_catch_a_new_request(make_referral, aetna, t0):
    first = make_referral(network=aetna, now=t0)
    close_referral(first.pk, "withdrew", actor=STAFF, note="Changed their mind", now=t0 + HOUR)

    second = make_referral(network=aetna, now=t0 + 2 * HOUR)

    assert second.pk != first.pk and not getattr(second, "asked_again", False)
    assert not first.events.filter(kind="asked_again").exists()


def test_another_person_is_a_new_referral(make_referral, aetna, t0):
    first = make_referral(network=aetna, now=t0)

    second = make_referral(now=t0, client=_person(email="kim@example.org", phone="+12019870002"))

    assert second.pk != first.pk


def test_staff_merge_two_referrals_of_one_person_keeping_both_trails(make_referral, ana, aetna, t0):
    kept = make_referral(network=aetna, now=t0)
    duplicate = make_referral(
        network=aetna,
        preferred=ana,
        now=t0 + HOUR,
        client=_person(email="s.r@example.org", phone=""),
    )
    assert duplicate.pk != kept.pk
    trail_before = list(duplicate.events.values_list("pk", flat=True))

    merge_referrals(duplicate.pk, kept.pk, actor=STAFF, now=t0 + 2 * HOUR)

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.outcome) == ("closed", "duplicate")
    assert duplicate.merged_into_id == kept.pk and duplicate.expires_at is None
    assert list(duplicate.events.values_list("pk", flat=True))[:-1] == trail_before
    assert duplicate.events.last().kind == "merged"
    assert kept.events.get(kind="merged").note.startswith(f"{duplicate.number} merged into")
    kept.refresh_from_db()
    assert kept.status == Referral.Status.AVAILABLE
    card = OutboxMessage.objects.get(
        event__referral=duplicate, event__kind="merged", template="referral_card"
    )
    assert f"merged into {kept.number}" in card.body_text


def test_a_merge_is_refused_for_itself_closed_ones_or_non_staff(make_referral, aetna, t0):
    a = make_referral(network=aetna, now=t0)
    b = make_referral(network=aetna, now=t0, client=_person(email="b@example.org", phone=""))
    with pytest.raises(CannotMerge):
        merge_referrals(a.pk, a.pk, actor=STAFF)
    with pytest.raises(CannotMerge):
        merge_referrals(a.pk, b.pk, actor=PROVIDER)
    close_referral(b.pk, "no_provider", actor=STAFF, note="none", now=t0)
    with pytest.raises(CannotMerge, match="closed"):
        merge_referrals(a.pk, b.pk, actor=STAFF)
    a.refresh_from_db()
    assert a.status == Referral.Status.AVAILABLE


def test_an_expired_referral_waits_for_a_staff_decision(
    make_referral, ana, ben, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    run_worker(t0 + TWO_DAYS)

    referral.refresh_from_db()
    assert referral.attention_since == t0 + TWO_DAYS
    assert referral.attention_owner is None  # until a staff member takes it

    offer_referral(referral.pk, ben, actor=STAFF, now=t0 + TWO_DAYS + HOUR)
    referral.refresh_from_db()
    assert referral.attention_since is None


def test_closing_an_expired_referral_ends_the_wait_for_a_decision(
    make_referral, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, now=t0)
    run_worker(t0 + TWO_DAYS)

    close_referral(referral.pk, "no_provider", actor=STAFF, note="Nobody in network")

    referral.refresh_from_db()
    assert referral.attention_since is None and referral.status == "closed"
