"""Every transition writes one audit event (who, what, when, why) and its messages, in the same
transaction as the change: a change and its messages exist together or not at all."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from notifications.models import OutboxMessage
from referrals import notify
from referrals.models import Client, Referral, ReferralEvent
from referrals.services import (
    Actor,
    accept_referral,
    add_note,
    decline_referral,
    expire_referral,
    offer_referral,
    send_reminders,
)
from tests.policy.helpers import PROVIDER


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_user("intake", is_staff=True)
    return Actor.for_user(user)


def _only_new_event(referral, seen: set[int]) -> ReferralEvent:
    new = list(referral.events.exclude(pk__in=seen))
    assert len(new) == 1, [e.kind for e in new]
    seen.add(new[0].pk)
    return new[0]


@pytest.mark.usefixtures("routing_off")
def test_every_transition_writes_one_event_with_actor_reason_and_its_messages(
    make_referral, ana, ben, aetna, staff, t0
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    seen: set[int] = set()
    steps = [
        ("received", "test", "", lambda: None),
        ("reminded", "worker", "", lambda: send_reminders(referral.pk, now=t0 + timedelta(days=1))),
        (
            "declined",
            "provider",
            "unavailable",
            lambda: decline_referral(
                referral.pk, ana, reason="unavailable", actor=PROVIDER, now=t0 + timedelta(days=1)
            ),
        ),
        (
            "offered",
            "intake",
            "",
            lambda: offer_referral(referral.pk, ben, actor=staff, now=t0 + timedelta(days=2)),
        ),
        (
            "accepted",
            "intake",
            "",
            lambda: accept_referral(referral.pk, ben, actor=staff, now=t0 + timedelta(days=2)),
        ),
        (
            "declined",
            "provider",
            "not_a_fit",
            lambda: decline_referral(
                referral.pk, ben, reason="not_a_fit", actor=PROVIDER, now=t0 + timedelta(days=3)
            ),
        ),
        (
            "expired",
            "worker",
            "expired",
            lambda: expire_referral(referral.pk, now=t0 + timedelta(days=5)),
        ),
    ]
    for kind, actor_label, reason, step in steps:
        step()
        event = _only_new_event(referral, seen)
        assert (event.kind, event.actor_label, event.reason) == (kind, actor_label, reason)
        assert event.messages.exists(), f"{kind} queued no message"
        assert set(event.messages.values_list("referral", flat=True)) == {referral.pk}
        assert all(m.created_at == event.at for m in event.messages.all())
    assert referral.events.filter(actor__username="intake").count() == 2


def test_a_note_is_recorded_in_the_audit_trail_and_sends_nothing(make_referral, staff, aetna, t0):
    referral = make_referral(network=aetna, now=t0)

    event = add_note(referral.pk, "Client prefers evenings.", actor=staff, now=t0)

    assert (event.kind, event.note, event.actor_label) == (
        "note",
        "Client prefers evenings.",
        "intake",
    )
    assert not event.messages.exists()


@pytest.fixture
def break_outbox(monkeypatch):
    """From the call on, writing any outgoing message fails (a full disk, a broken template)."""

    def broken(**_):
        raise RuntimeError("outbox unavailable")

    return lambda: monkeypatch.setattr(notify, "queue_message", broken)


def _snapshot():
    return (
        list(Referral.objects.values_list("pk", "status", "round", "accepted_by", "expires_at")),
        Client.objects.count(),
        ReferralEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_a_referral_is_not_received_if_its_messages_cannot_be_written(
    make_referral, ana, aetna, t0, break_outbox
):
    break_outbox()
    with pytest.raises(RuntimeError):
        make_referral(network=aetna, preferred=ana, now=t0)

    assert _snapshot() == ([], 0, 0, 0)


@pytest.mark.parametrize(
    "change",
    [
        lambda r, ana, at: accept_referral(r.pk, ana, actor=PROVIDER, now=at),
        lambda r, ana, at: decline_referral(
            r.pk, ana, reason="unavailable", actor=PROVIDER, now=at
        ),
        lambda r, ana, at: send_reminders(r.pk, now=at + timedelta(days=1)),
        lambda r, ana, at: expire_referral(r.pk, now=at + timedelta(days=2)),
    ],
    ids=["accept", "decline", "remind", "expire"],
)
def test_a_change_is_not_made_if_its_messages_cannot_be_written(
    change, make_referral, ana, aetna, t0, break_outbox
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    before = _snapshot()
    break_outbox()

    with pytest.raises(RuntimeError):
        change(referral, ana, t0)

    assert _snapshot() == before
