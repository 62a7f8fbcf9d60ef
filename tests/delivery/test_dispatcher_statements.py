"""The dispatcher's bookkeeping stays lean: one committed statement per message sent plus one
per batch (its claim; not two per message), paced channels claim what their pacing lets them send in the
next seconds (not 3 rows at a time), a claim close to the sweeper's timeout is renewed for the
whole batch in one statement, and a row swept meanwhile is never sent by the old claim."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.clients import build_transport
from notifications.dispatcher import CLAIM_AHEAD, PACE_BURST, batch_size, drain_channel
from notifications.models import OutboxMessage
from notifications.outbox import queue_message
from tests.delivery.batches import queue_batch, received

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, no test savepoints
Status = OutboxMessage.Status


def queue_emails(count: int) -> None:
    for i in range(count):
        queue_message(
            key=f"lean:{i}",
            template="provider_signin",
            channel="email",
            recipient=f"provider{i}@example.org",
            context={"link": "https://desk.example/x", "name": "Ana", "valid_for": "15 minutes"},
            now=timezone.now() - timedelta(seconds=1),
        )


def statements(queries) -> list[str]:
    """What the database executed, without transaction control (SQLite logs it, psycopg not)."""
    control = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")
    return [q["sql"] for q in queries if not q["sql"].startswith(control)]


def test_a_batch_costs_one_statement_per_message_plus_its_claim(channels):
    queue_emails(10)
    transport = build_transport("email")

    with CaptureQueriesContext(connection) as queries:
        assert drain_channel(transport) == 10

    # the claim (one UPDATE ... RETURNING of the rows it picks; it was a SELECT ... FOR UPDATE
    # and an UPDATE), then one "sent" UPDATE per message
    assert len(statements(queries)) == 1 + 10, "\n".join(statements(queries))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert len(channels.smtp.messages) == 10


def test_a_paced_channel_claims_what_its_pacing_allows_in_the_next_seconds(channels, settings):
    settings.SLACK_MIN_INTERVAL = timedelta(seconds=1)
    transport = build_transport("slack")
    assert batch_size(transport) == PACE_BURST + int(CLAIM_AHEAD)  # after a quiet spell
    settings.SLACK_MIN_INTERVAL = timedelta(seconds=0.25)
    assert batch_size(build_transport("slack")) >= 20
    assert batch_size(build_transport("email")) == 25


def test_an_old_claim_is_renewed_once_for_the_whole_batch_and_swept_rows_are_skipped(
    channels, settings
):
    settings.OUTBOX_INFLIGHT_TIMEOUT = timedelta(minutes=2)
    settings.DELIVERY_TIMEOUT = timedelta(seconds=10)
    queue_emails(4)
    transport = build_transport("email")
    sent_before_travel = []

    class SlowStart:
        """Sends the first row, then 110 s pass (as on a stalled worker) and the sweeper, with
        its own clock 2 minutes on, hands the third row back and another worker takes it."""

        channel, min_interval, paused_until = "email", 0.0, float("-inf")

        def cost(self, message):
            return 1

        def prepare(self, messages):
            transport.prepare(messages)

        def send(self, message):
            sent_before_travel.append(message.pk)
            if len(sent_before_travel) == 1:
                traveller.shift(timedelta(seconds=110))
                third = OutboxMessage.objects.order_by("id")[2]
                OutboxMessage.objects.filter(pk=third.pk).update(
                    claimed_at=timezone.now() + timedelta(seconds=1)  # another worker's claim
                )
            return transport.send(message)

        def close(self):
            transport.close()

    with time_machine.travel(timezone.now(), tick=True) as traveller:
        with CaptureQueriesContext(connection) as queries:
            drain_channel(SlowStart(), max_batches=1)

    renewals = [q for q in statements(queries) if 'SET "claimed_at" = ' in q and " IN (" in q]
    rows = list(OutboxMessage.objects.order_by("id"))
    assert [r.status for r in rows] == [Status.SENT, Status.SENT, Status.INFLIGHT, Status.SENT]
    assert rows[2].pk not in sent_before_travel  # the old claim never sent the swept row
    assert len(sent_before_travel) == 3
    assert len(renewals) == 1  # renewed once for the rest of the batch, not per message


@pytest.mark.postgres
def test_a_slack_post_and_where_it_lives_are_recorded_in_one_statement(
    channels, make_referral, ana, aetna
):
    referrals = [make_referral(network=aetna, preferred=ana) for _ in range(3)]
    transport = build_transport("slack")

    with CaptureQueriesContext(connection) as queries:
        assert drain_channel(transport) == 3

    # the claim, then per post one statement on PostgreSQL (a data-modifying WITH: the sent
    # record and the referral's slack_channel/slack_ts); SQLite runs the two in one transaction
    per_post = 1 if connection.vendor == "postgresql" else 2
    assert len(statements(queries)) == 1 + 3 * per_post, "\n".join(statements(queries))
    for referral in referrals:
        referral.refresh_from_db()
        assert referral.slack_channel == channels.slack.CHANNEL_ID and referral.slack_ts
        post = referral.messages.get(channel="slack")
        assert post.status == Status.SENT and post.external_id == referral.slack_ts


def test_a_batch_of_texts_asks_once_which_numbers_texted_stop(channels):
    from replies.models import SmsOptOut

    batch = queue_batch("sms", size=6)
    SmsOptOut.objects.create(phone=batch[2].recipient, opted_out_at=timezone.now())
    transport = build_transport("sms")

    with CaptureQueriesContext(connection) as queries:
        assert drain_channel(transport) == 5

    opt_out_reads = [q for q in statements(queries) if "smsoptout" in q.lower()]
    assert len(opt_out_reads) == 1, opt_out_reads
    assert len(statements(queries)) == 1 + 1 + 6  # claim, STOP check, one record per text
    refused = OutboxMessage.objects.get(pk=batch[2].pk)
    assert refused.status == Status.FAILED and "STOP" in refused.last_error
    assert len(received(channels, "sms")) == 5
