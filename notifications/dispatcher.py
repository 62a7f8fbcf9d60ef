"""Deliver the outbox: claim due rows, send each once, record the outcome, retry what may succeed.

Claiming is safe with several workers: on PostgreSQL the due rows are locked with
SELECT ... FOR UPDATE SKIP LOCKED and flipped to `inflight` in the same transaction; on SQLite the
immediate transaction serialises claimers. A row is marked `inflight` before it is sent and `sent`
right after, so a worker killed mid-send can repeat at most the one message it was sending
(docs/delivery.md). The sweeper returns rows stuck `inflight` after a crash.

Transient failures back off exponentially with jitter (capped), honouring Retry-After; permanent
ones fail at once. Each channel is drained separately, so one channel being down never delays
another.
"""

import logging
import random
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.transports.base import DeliveryError, Transport

log = logging.getLogger("referral_desk.delivery")

Status = OutboxMessage.Status
MAX_ATTEMPTS = 12
BACKOFF_BASE = 2.0  # seconds: 2, 4, 8, ... capped
BACKOFF_CAP = 15 * 60.0


def backoff_delay(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait before attempt number `attempts + 1`: full jitter on a capped exponential."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, BACKOFF_CAP))
    return delay


def claim(channel: str, now: datetime, limit: int) -> list[OutboxMessage]:
    """Atomically take up to `limit` due rows of one channel for this worker."""
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            channel=channel, status=Status.QUEUED, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids, status=Status.QUEUED).update(
            status=Status.INFLIGHT, claimed_at=timezone.now()
        )
    return list(OutboxMessage.objects.filter(id__in=ids).order_by("next_attempt_at", "id"))


def sweep_stuck(now: datetime) -> int:
    """Return rows left `inflight` by a worker that died (older than OUTBOX_INFLIGHT_TIMEOUT)."""
    cutoff = timezone.now() - settings.OUTBOX_INFLIGHT_TIMEOUT
    count = OutboxMessage.objects.filter(status=Status.INFLIGHT, claimed_at__lt=cutoff).update(
        status=Status.QUEUED, claimed_at=None
    )
    if count:
        log.warning("returned %d message(s) stuck in flight to the queue", count)
    return count


def _record_sent(message: OutboxMessage, external_id: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk, status=Status.INFLIGHT).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        external_id=external_id[:120],
        attempts=message.attempts + 1,
        last_error="",
    )


def _record_failure(message: OutboxMessage, error: DeliveryError, now: datetime) -> None:
    attempts = message.attempts + 1
    if error.permanent or attempts >= MAX_ATTEMPTS:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Status.FAILED, attempts=attempts, last_error=str(error)[:2000], claimed_at=None
        )
        log.error("%s message %s failed for good: %s", message.channel, message.pk, error)
        return
    delay = backoff_delay(attempts, error.retry_after)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.QUEUED,
        attempts=attempts,
        last_error=str(error)[:2000],
        claimed_at=None,
        next_attempt_at=max(now, timezone.now()) + timedelta(seconds=delay),
    )
    log.warning(
        "%s message %s will be retried in %.1fs: %s", message.channel, message.pk, delay, error
    )


def _release(messages: list[OutboxMessage]) -> None:
    """Hand back claimed rows untouched (the channel is down; no attempt was made)."""
    ids = [m.pk for m in messages]
    OutboxMessage.objects.filter(pk__in=ids, status=Status.INFLIGHT).update(
        status=Status.QUEUED, claimed_at=None
    )


def deliver_batch(
    transport: Transport, messages: list[OutboxMessage], now: datetime
) -> tuple[int, bool]:
    """Send claimed rows in order, pacing to the channel's limit.

    Returns (how many were sent, whether the channel looked down).

    After a transient failure the rest of the batch is handed back untried: the channel is
    probably down, and they will be claimed again on a later pass.
    """
    sent = 0
    for index, message in enumerate(messages):
        started = time.monotonic()
        try:
            external_id = transport.send(message)
        except DeliveryError as error:
            _record_failure(message, error, now)
            if not error.permanent:
                _release(messages[index + 1 :])
                return sent, True
            continue
        _record_sent(message, external_id)
        sent += 1
        if transport.min_interval and index + 1 < len(messages):
            time.sleep(max(0.0, transport.min_interval - (time.monotonic() - started)))
    return sent, False


def batch_size(transport: Transport) -> int:
    # Paced channels take a few rows at a time so a claim never outlives the inflight timeout.
    return 3 if transport.min_interval else 25


def drain_channel(
    transport: Transport, now: datetime | None = None, max_batches: int | None = None
) -> int:
    """Deliver what is due on one channel; `now` fixes the clock (for --now replays)."""
    total = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        at = now or timezone.now()
        messages = claim(transport.channel, at, batch_size(transport))
        if not messages:
            break
        sent, channel_down = deliver_batch(transport, messages, at)
        total += sent
        batches += 1
        if channel_down:
            break
    return total
