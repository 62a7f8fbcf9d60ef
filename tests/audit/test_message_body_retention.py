"""A delivered message's subject and text (which may name the client) are emptied
OUTBOX_BODY_RETENTION after delivery, by the worker, in one UPDATE; what the timeline shows of it
(channel, recipient, template, status, times) stays, and the timeline still renders."""

import io
from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.urls import reverse

from notifications.models import OutboxMessage
from notifications.retention import remove_delivered_bodies
from referrals import services

THIRTY_DAYS = timedelta(days=30)
SECOND = timedelta(seconds=1)


def _worker(at):
    """`manage.py worker --once` with the clock at `at` (messages are stamped sent by the clock)."""
    with time_machine.travel(at, tick=False):
        call_command("worker", "--once", stdout=io.StringIO())


def _texts_kept() -> bool:
    return all(m.body_text and m.body_removed_at is None for m in OutboxMessage.objects.all())


def _accepted_and_delivered(make_referral, provider, network, at):
    """A referral accepted and its client contacted at `at` (so no deadline fires later) with
    every message delivered."""
    referral = make_referral(network=network, preferred=provider, now=at)
    services.accept_referral(referral.pk, provider, actor=services.Actor("test"), now=at)
    services.confirm_contact(referral.pk, provider, actor=services.Actor("test"), now=at)
    _worker(at)
    return referral


def test_delivered_messages_lose_their_text_30_days_after_delivery(make_referral, ana, aetna, t0):
    referral = _accepted_and_delivered(make_referral, ana, aetna, t0)
    before = {m.pk: m for m in OutboxMessage.objects.all()}
    assert all(m.status == "sent" and m.body_text for m in before.values())

    _worker(t0 + THIRTY_DAYS - SECOND)
    assert _texts_kept()

    _worker(t0 + THIRTY_DAYS)
    for message in OutboxMessage.objects.all():
        was = before[message.pk]
        assert (message.subject, message.body_text, message.body_html) == ("", "", "")
        assert message.body_removed_at == t0 + THIRTY_DAYS
        assert (message.channel, message.recipient, message.template, message.status) == (
            was.channel,
            was.recipient,
            was.template,
            was.status,
        )
        assert (message.sent_at, message.created_at, message.event_id) == (
            was.sent_at,
            was.created_at,
            was.event_id,
        )
    assert OutboxMessage.objects.filter(referral=referral).count() == len(before)


def test_messages_not_yet_delivered_keep_their_text(make_referral, ana, aetna, t0):
    make_referral(network=aetna, preferred=ana, now=t0)
    OutboxMessage.objects.filter(channel="sms").update(status="failed")

    remove_delivered_bodies(t0 + 365 * THIRTY_DAYS)

    assert _texts_kept()


def test_the_retention_follows_the_setting_and_runs_as_one_update(
    make_referral, ana, aetna, t0, settings, django_assert_num_queries
):
    settings.OUTBOX_BODY_RETENTION = timedelta(days=7)
    for _ in range(3):
        make_referral(network=aetna, preferred=ana, now=t0)
    OutboxMessage.objects.update(status="sent", sent_at=t0)

    with django_assert_num_queries(1):
        emptied = remove_delivered_bodies(t0 + timedelta(days=7))

    assert emptied == OutboxMessage.objects.count() > 3
    assert remove_delivered_bodies(t0 + timedelta(days=8)) == 0  # nothing is emptied twice


def test_the_timeline_still_shows_a_message_whose_text_was_removed(
    as_staff, make_referral, ana, aetna, t0
):
    referral = _accepted_and_delivered(make_referral, ana, aetna, t0)
    _worker(t0 + THIRTY_DAYS)

    with time_machine.travel(t0 + THIRTY_DAYS + SECOND, tick=False):
        response = as_staff.get(reverse("desk:timeline", args=[referral.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Email “Referral confirmation” (text removed" in page
    assert "sam.rivera@example.org" in page and "delivered" in page
