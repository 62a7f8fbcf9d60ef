"""Deliver the outbox: claim due rows, send each once, record the outcome, retry what may succeed.

Claiming is safe with several workers: one statement picks the due rows (on PostgreSQL locking
them with FOR UPDATE SKIP LOCKED), flips them to `inflight` and returns them; on SQLite the
immediate transaction around it serialises claimers. A row is marked `inflight` before it is sent and `sent`
right after, so a worker killed mid-send can repeat at most the one message it was sending
(docs/delivery.md). The sweeper returns rows stuck `inflight` after a crash.

The bookkeeping is one committed statement per message (recording it sent) plus one per batch
(the claim); the batch's claim is renewed in one UPDATE only when it is close to the sweeper's
timeout, not before every send. The worker's channel threads commit it without waiting for the
disk (`commit_without_waiting_for_disk`): a worker that dies loses nothing it recorded.

Transient failures back off exponentially with jitter (capped), honouring Retry-After (which also
pauses the whole channel for this worker), and are retried for GIVE_UP_AFTER; permanent ones fail
at once. Any other exception while sending one message fails that message alone (permanent, see
`unexpected`); the rest of the batch still goes out. Sends are paced to the channel's
`min_interval` on average, with a short burst allowed (as Slack and Twilio themselves allow).
Each channel is drained separately, so one channel being down never delays another.
"""

import logging
import random
import time
import traceback
import weakref
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config.model_sql import model_sql
from notifications.models import OutboxMessage
from notifications.transports.base import DeliveryError, Sent, Transport

log = logging.getLogger("referral_desk.delivery")

Status = OutboxMessage.Status
GIVE_UP_AFTER = timedelta(hours=24)  # then the row is `failed`; staff can "Retry now" in admin
PACE_BURST = 3  # sends a paced channel may make at once before the average rate applies
CLAIM_AHEAD = 5.0  # seconds: a paced channel claims what its pacing lets it send this soon
BATCH = 25  # most rows claimed at once
BACKOFF_BASE = 2.0  # seconds: 2, 4, 8, ... capped
BACKOFF_CAP = 15 * 60.0


def backoff_delay(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait before attempt number `attempts + 1`: full jitter on a capped exponential."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, BACKOFF_CAP))
    return delay


_unflushed_commits = weakref.WeakSet()  # the database connections already switched


def commit_without_waiting_for_disk() -> None:
    """Let this thread's PostgreSQL connection commit without waiting for the WAL to reach the
    disk (`synchronous_commit = off`, for this one connection: the worker's delivery threads call
    it before each pass, and a connection opened again after an error is switched again).

    The delivery bookkeeping commits once per message, and a flush costs more than a send (2.5 to
    3.5 ms on the benchmark machine's disk, far more when other work shares it; a loopback send
    is about 1 ms), so waiting for each flush set the pace of every channel. Nothing else
    changes: the commit is at once visible to every other connection, locks and claims work as
    before, and a worker that dies loses nothing it recorded. Only a crash of the database
    server itself (or its machine) may lose the records of its last moments (at most three
    `wal_writer_delay`s, 0.6 s by default): those messages are then sent again after the sweep,
    and none is lost (docs/delivery.md). SQLite already commits this way (WAL with
    `synchronous=NORMAL`, config/settings.py)."""
    if connection.vendor != "postgresql":
        return
    connection.ensure_connection()
    raw = connection.connection
    if raw not in _unflushed_commits:
        raw.execute("SET synchronous_commit TO off")  # for the session, not one transaction
        _unflushed_commits.add(raw)


CLAIM = (
    "WITH due AS MATERIALIZED (SELECT {id} FROM {table} WHERE {channel} = %s AND {status} = %s "
    "AND {next_attempt_at} <= %s ORDER BY {next_attempt_at}, {id} LIMIT %s{skip_locked}) "
    "UPDATE {table} SET {status} = %s, {claimed_at} = %s WHERE {id} IN (SELECT {id} FROM due) "
    "RETURNING *"
)  # one statement per batch: the due rows (locked, on PostgreSQL), flipped, and read back


def claim(channel: str, now: datetime, limit: int) -> list[OutboxMessage]:
    """Atomically take up to `limit` due rows of one channel for this worker, oldest due first.

    One statement: it picks the due rows (on PostgreSQL with FOR UPDATE SKIP LOCKED, so two
    workers take different rows and never wait for each other; the CTE is MATERIALIZED, so the
    rows are picked once), flips them to `inflight` and returns them. On SQLite it runs inside
    the immediate transaction, which serialises claimers. RETURNING gives no order, so the rows
    are sorted here as they were picked."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    sql = model_sql(
        OutboxMessage,
        CLAIM.replace("{skip_locked}", " FOR UPDATE SKIP LOCKED" if skip_locked else ""),
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [channel, Status.QUEUED.value, adapt(now), limit]
    params += [Status.INFLIGHT.value, adapt(timezone.now())]
    if skip_locked:  # one statement is its own transaction; no BEGIN and COMMIT around it
        messages = list(OutboxMessage.objects.raw(sql, params))
    else:
        with transaction.atomic():
            messages = list(OutboxMessage.objects.raw(sql, params))
    messages.sort(key=lambda m: (m.next_attempt_at, m.pk))
    return messages


def sweep_stuck(now: datetime) -> int:
    """Return rows left `inflight` by a worker that died (older than OUTBOX_INFLIGHT_TIMEOUT)."""
    cutoff = now - settings.OUTBOX_INFLIGHT_TIMEOUT
    count = OutboxMessage.objects.filter(status=Status.INFLIGHT, claimed_at__lt=cutoff).update(
        status=Status.QUEUED, claimed_at=None
    )
    if count:
        log.warning("returned %d message(s) stuck in flight to the queue", count)
    return count


SENT = (
    "UPDATE {table} SET {status} = %s, {sent_at} = %s, {external_id} = %s, "
    "{attempts} = {attempts} + 1, {last_error} = '' WHERE {id} = %s AND {status} <> %s"
)  # one statement per message, so built once (model_sql) rather than compiled by the ORM each time
EXTERNAL_ID_LENGTH = OutboxMessage._meta.get_field("external_id").max_length


def _record_sent(message: OutboxMessage, sent: str | Sent) -> None:
    """One statement, committed before the next send. Even if the sweeper re-queued the row
    meanwhile: it went out, so it must not go out again. A statement the transport hands back
    with it (where a Slack post lives) is committed with it: in the same statement on PostgreSQL
    (a data-modifying WITH), in the same transaction on SQLite (no round trip to save there)."""
    external_id, also = sent if isinstance(sent, Sent) else (sent, None)
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    sent_status = Status.SENT.value
    params = [sent_status, sent_at, external_id[:EXTERNAL_ID_LENGTH], message.pk, sent_status]
    update = model_sql(OutboxMessage, SENT)
    with connection.cursor() as cursor:
        if also is None:
            cursor.execute(update, params)
        elif connection.vendor == "postgresql":
            cursor.execute(f"WITH sent AS ({update}) {also[0]}", [*params, *also[1]])
        else:
            with transaction.atomic():
                cursor.execute(update, params)
                cursor.execute(*also)


def _record_failure(message: OutboxMessage, error: DeliveryError, now: datetime) -> None:
    attempts = message.attempts + 1
    # Never overwrite a row another worker has sent since the sweeper handed it back.
    row = OutboxMessage.objects.filter(pk=message.pk).exclude(status=Status.SENT)
    if error.permanent or timezone.now() - message.created_at >= GIVE_UP_AFTER:
        row.update(
            status=Status.FAILED, attempts=attempts, last_error=str(error)[:2000], claimed_at=None
        )
        reason = "the channel is misconfigured (see above)" if error.configuration else error
        log.error("%s message %s failed for good: %s", message.channel, message.pk, reason)
        return
    delay = backoff_delay(attempts, error.retry_after)
    row.update(
        status=Status.QUEUED,
        attempts=attempts,
        last_error=str(error)[:2000],
        claimed_at=None,
        next_attempt_at=max(now, timezone.now()) + timedelta(seconds=delay),
    )
    log.warning(
        "%s message %s will be retried in %.1fs: %s", message.channel, message.pk, delay, error
    )


def _report_configuration(transport: Transport, error: DeliveryError) -> None:
    """Log a channel's configuration error once per worker, not once per message."""
    if transport.reported_configuration != str(error):
        transport.reported_configuration = str(error)
        log.error("%s channel: %s", transport.channel, error)


def unexpected(exc: Exception) -> DeliveryError:
    """A permanent DeliveryError for an exception a transport did not classify (a bug, or data
    the channel's library cannot encode): trying the same message again would fail the same way,
    and staff can "Retry now" once it is mended. The reason and the log name the exception's
    class and where it was raised, never its text, which may quote the recipient."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    log.error("unexpected %s while sending%s", type(exc).__name__, where)
    return DeliveryError(f"unexpected error: {type(exc).__name__}{where}", permanent=True)


def _ours(messages: list[OutboxMessage]):
    """These rows, only while this worker's claim on them stands (not swept and claimed again).
    The rows of one batch share one claim time; a row whose claim was lost has none."""
    held = [m for m in messages if m.claimed_at is not None]
    return OutboxMessage.objects.filter(
        pk__in=[m.pk for m in held],
        status=Status.INFLIGHT,
        claimed_at__in={m.claimed_at for m in held},  # one time, unless a renewal lost some
    )


def _release(messages: list[OutboxMessage]) -> None:
    """Hand back claimed rows untouched (the channel is down; no attempt was made)."""
    _ours(messages).update(status=Status.QUEUED, claimed_at=None)


def _claim_stands(message: OutboxMessage, rest: list[OutboxMessage]) -> bool:
    """Just before sending `message` (the first of `rest`, the batch's unsent rows): is it still
    ours? While the claim is younger than the sweeper's timeout less two send timeouts, it is
    (the sweeper takes only older rows), and no statement is needed. Past that, the claim of the
    whole rest is renewed in one UPDATE, so the sweeper only ever returns a row whose one send
    outlived OUTBOX_INFLIGHT_TIMEOUT; rows it could not renew were swept meanwhile and are
    another claim's to send now."""
    if message.claimed_at is None:
        return False
    fresh_for = settings.OUTBOX_INFLIGHT_TIMEOUT - 2 * settings.DELIVERY_TIMEOUT
    if timezone.now() - message.claimed_at < fresh_for:
        return True
    renewed_at = timezone.now()
    held = [m for m in rest if m.claimed_at is not None]
    renewed = _ours(held).update(claimed_at=renewed_at)
    if renewed < len(held):  # some were swept: find out which are still ours
        kept = set(
            OutboxMessage.objects.filter(
                pk__in=[m.pk for m in held], claimed_at=renewed_at
            ).values_list("pk", flat=True)
        )
    else:
        kept = {m.pk for m in held}
    for m in held:
        m.claimed_at = renewed_at if m.pk in kept else None
    return message.claimed_at is not None


def deliver_batch(
    transport: Transport, messages: list[OutboxMessage], now: datetime, stop=None
) -> tuple[int, bool]:
    """Send claimed rows in order, pacing to the channel's limit.

    Returns (how many were sent, whether the channel looked down).

    After a transient failure the rest of the batch is handed back untried: the channel is
    probably down, and they will be claimed again on a later pass. When `stop` (an Event) is
    set, the rest is handed back too, so SIGTERM waits for one message at most. The transport's
    connection, kept from one send to the next, is closed when the batch ends, however it ends.
    """
    try:
        transport.prepare(messages)
        return _deliver(transport, messages, now, stop)
    finally:
        transport.close()


def _deliver(
    transport: Transport, messages: list[OutboxMessage], now: datetime, stop
) -> tuple[int, bool]:
    sent = 0
    for index, message in enumerate(messages):
        if stop is not None and stop.is_set():
            _release(messages[index:])
            break
        try:
            _pace(transport, transport.cost(message))
            if not _claim_stands(message, messages[index:]):
                continue  # swept while this batch waited; it is another claim's to send now
            sent_message = transport.send(message)
        except DeliveryError as error:
            if error.configuration:
                _report_configuration(transport, error)
            _record_failure(message, error, now)
            if error.retry_after:
                transport.paused_until = time.monotonic() + error.retry_after
            if not error.permanent:
                _release(messages[index + 1 :])
                return sent, True
            continue
        except Exception as exc:  # whatever else goes wrong with one message is that message's
            _record_failure(message, unexpected(exc), now)
            continue
        _record_sent(message, sent_message)
        sent += 1
    return sent, False


def _pace(transport: Transport, cost: int = 1) -> None:
    """A token bucket: `cost` units (one send; an SMS's segments) per `min_interval` on average,
    across batches too, up to PACE_BURST at once after a quiet spell, so a steady stream at
    exactly the channel's rate does not queue up behind the pacing itself."""
    if not transport.min_interval:
        return
    now = time.monotonic()
    earned = (now - transport.pace_counted_at) / transport.min_interval
    tokens = min(max(PACE_BURST, cost), transport.pace_tokens + earned)
    if tokens < cost:
        time.sleep((cost - tokens) * transport.min_interval)
        tokens = cost
    transport.pace_tokens = tokens - cost
    transport.pace_counted_at = time.monotonic()


def batch_size(transport: Transport) -> int:
    """Unpaced channels take BATCH rows; a paced one takes what its token bucket lets it send in
    the next CLAIM_AHEAD seconds (so other workers can still share a backlog)."""
    if not transport.min_interval:
        return BATCH
    earned = (time.monotonic() - transport.pace_counted_at) / transport.min_interval
    tokens = min(PACE_BURST, transport.pace_tokens + earned)
    return max(1, min(BATCH, int(tokens + CLAIM_AHEAD / transport.min_interval)))


def drain_channel(
    transport: Transport, now: datetime | None = None, max_batches: int | None = None, stop=None
) -> int:
    """Deliver what is due on one channel; `now` fixes the clock (for --now replays)."""
    total = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        if transport.paused_until > time.monotonic() or (stop is not None and stop.is_set()):
            break  # the service asked us to wait (Retry-After), or the worker is stopping
        at = now or timezone.now()
        limit = batch_size(transport)
        messages = claim(transport.channel, at, limit)
        if not messages:
            break
        sent, channel_down = deliver_batch(transport, messages, at, stop)
        total += sent
        batches += 1
        if channel_down or len(messages) < limit:
            break  # down, or nothing more was due (the caller's next pass looks again)
    return total
