"""A claim takes the oldest due rows of its channel, in due order, no more than it asked for,
and flips them to `inflight` with one claim time (one statement, on SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.dispatcher import claim
from notifications.models import OutboxMessage
from tests.delivery.batches import queue_batch

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_claim_takes_the_oldest_due_rows_in_order_and_no_more():
    rows = queue_batch("sms", size=5)
    queue_batch("email", size=2)  # another channel's rows are not this claim's
    now = timezone.now()
    for offset, row in zip([3, 1, 4, 2, -5], rows, strict=True):
        OutboxMessage.objects.filter(pk=row.pk).update(
            next_attempt_at=now - timedelta(minutes=offset)
        )

    claimed = claim("sms", now, 3)

    assert [m.pk for m in claimed] == [rows[2].pk, rows[0].pk, rows[3].pk]
    assert len({m.claimed_at for m in claimed}) == 1
    assert {m.status for m in claimed} == {OutboxMessage.Status.INFLIGHT}
    stored = OutboxMessage.objects.filter(status="inflight").values_list("pk", "claimed_at")
    assert sorted(stored) == sorted((m.pk, m.claimed_at) for m in claimed)
    assert OutboxMessage.objects.get(pk=rows[4].pk).status == "queued"  # not due yet
