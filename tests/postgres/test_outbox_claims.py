"""The outbox claim on PostgreSQL, one statement per batch: rows another transaction holds are
skipped at once (never waited for), and simultaneous claims take different rows
(tests/delivery/test_claim_order.py: which rows a claim takes, on either database)."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.dispatcher import claim
from notifications.models import OutboxMessage
from tests.delivery.batches import queue_batch
from tests.postgres.conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_claim_skips_rows_another_transaction_holds_without_waiting():
    rows = queue_batch("email", size=6)
    held_ids = [r.pk for r in rows[:3]]
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(OutboxMessage.objects.select_for_update().filter(pk__in=held_ids))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        claimed = claim("email", timezone.now(), 25)  # would block here without SKIP LOCKED
    finally:
        release.set()
        holder.join(10)

    assert [m.pk for m in claimed] == [r.pk for r in rows[3:]]
    assert {m.status for m in claimed} == {OutboxMessage.Status.INFLIGHT}


def test_simultaneous_claims_take_different_rows():
    queue_batch("email", size=40)
    now = timezone.now()

    results = run_together(*[lambda: claim("email", now, 10) for _ in range(4)])

    ids = [m.pk for batch in results for m in batch]
    assert len(ids) == len(set(ids)) == 40
    assert OutboxMessage.objects.filter(status="inflight").count() == 40
