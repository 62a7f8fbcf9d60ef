"""Each channel opens one connection per batch, not one per message: the emails of a batch share
one SMTP connection (QUIT at the batch's end), the Slack posts and Twilio texts one kept-alive
HTTP connection. A connection the server ends fails only the message being sent; the rest go out
over a new one, and nothing is sent twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.clients import build_transport
from notifications.dispatcher import BATCH, drain_channel
from notifications.models import OutboxMessage
from tests.delivery.batches import queue_batch, received

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


def peers(calls) -> list:
    return [c.peer if hasattr(c, "peer") else c["peer"] for c in calls]


@pytest.mark.parametrize("channel", ["email", "slack", "sms"])
def test_a_batch_goes_over_one_connection_and_the_next_batch_over_a_new_one(channels, channel):
    queue_batch(channel, BATCH + 5)

    assert drain_channel(build_transport(channel)) == BATCH + 5

    used = peers(received(channels, channel))
    assert len(used) == BATCH + 5
    assert set(used[:BATCH]) == {used[0]}  # the first batch: one connection
    assert set(used[BATCH:]) == {used[-1]} and used[-1] != used[0]  # the second: a new one


def test_the_smtp_connection_says_quit_at_the_end_of_each_batch(channels):
    queue_batch("email", BATCH + 5)

    drain_channel(build_transport("email"))

    assert channels.smtp.quits == 2


def test_a_connection_the_server_ends_fails_only_the_message_being_sent(channels):
    batch = queue_batch("email", 10)
    channels.smtp.fail("drop", after=3)  # answers the 4th MAIL FROM with 421 and hangs up
    transport = build_transport("email")

    assert drain_channel(transport) == 3

    rows = {r.pk: r for r in OutboxMessage.objects.all()}
    fourth = rows[batch[3].pk]
    assert fourth.status == Status.QUEUED and fourth.attempts == 1 and "421" in fourth.last_error
    assert fourth.next_attempt_at > timezone.now()
    untried = [rows[m.pk] for m in batch[4:]]
    assert {(r.status, r.attempts) for r in untried} == {(Status.QUEUED, 0)}  # handed back

    channels.smtp.recover()
    assert drain_channel(transport) == 6  # the next pass: the rest, over a new connection
    used = peers(received(channels, "email"))
    assert len(set(used[:3])) == 1 and len(set(used[3:])) == 1 and used[3] != used[0]

    assert drain_channel(transport, now=timezone.now() + timedelta(hours=1)) == 1
    assert len(received(channels, "email")) == 10  # each once
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
