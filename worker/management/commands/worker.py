"""`manage.py worker`: fire due deadlines and deliver the outbox, forever or `--once`.

The main thread handles deadlines, queues the sign-in links providers asked for, forgets API
idempotency keys older than 24 hours and long-dead sign-in requests, and empties the text of
messages delivered OUTBOX_BODY_RETENTION ago; each
channel (Slack, email, SMS) is drained by its own thread, so a slow or broken channel never holds
up the others. On PostgreSQL every loop wakes the moment a transaction commits new work
(notifications/wakeup.py); otherwise, and as a fallback, it looks every WORKER_POLL_INTERVAL.
Each pass forgets the queries DEBUG records, so memory stays flat. SIGTERM and Ctrl-C stop it
cleanly after the current message, however many of them arrive.
"""

import logging
import signal
import threading
import time
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection, reset_queries
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from api.idempotency import purge_expired
from notifications.clients import announce_development_channels, build_transport
from notifications.dispatcher import (
    commit_without_waiting_for_disk,
    drain_channel,
    sweep_stuck,
)
from notifications.heartbeat import beat
from notifications.models import OutboxMessage
from notifications.retention import remove_delivered_bodies
from notifications.wakeup import Bell, listen
from providers.devices import forget_old_devices
from providers.signin_links import forget_old_links, send_requested_links
from referrals.deadlines import run_due
from throttles.counters import forget_ended

log = logging.getLogger("referral_desk.worker")
FORGET_EVERY = 60  # seconds between two runs of forget_what_is_old in the loop


def forget_what_is_old(at: datetime) -> None:
    """Retention: API idempotency keys past 24 hours, dead sign-in links and devices, the text of
    messages delivered OUTBOX_BODY_RETENTION ago, and throttle counters whose window ended."""
    purge_expired(at)
    forget_old_links(at)
    forget_old_devices(at)
    remove_delivered_bodies(at)
    forget_ended(at)


class Command(BaseCommand):
    help = "Fire due referral deadlines (24h reminders, 48h expiry) and deliver outgoing messages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Process what is due now, then exit."
        )
        parser.add_argument(
            "--now",
            help="With --once: process what is due at this UTC instant (ISO 8601), for replays.",
        )

    def handle(self, *args, once=False, now=None, **options):
        at = _parse_now(now) if now else None
        if at and not once:
            raise CommandError("--now only makes sense with --once.")
        if once:
            counts = run_due(at or timezone.now())
            send_requested_links(at or timezone.now())
            forget_what_is_old(at or timezone.now())
            sent = {
                ch: drain_channel(build_transport(ch), now=at)
                for ch in OutboxMessage.Channel.values
            }
            self.stdout.write(
                f"reminded {counts['reminded']}, expired {counts['expired']}, "
                f"nudged {counts['nudged']}, waves {counts['waves']}, "
                + ", ".join(f"{ch} sent {n}" for ch, n in sent.items())
            )
            return
        self.run_forever()

    def run_forever(self):
        stop = threading.Event()
        bell = Bell(stop)
        _stop_on_signals(stop, bell)  # before any other thread starts, so each inherits the mask
        announce_development_channels()
        interval = settings.WORKER_POLL_INTERVAL.total_seconds()
        threads = [
            threading.Thread(
                target=_channel_loop,
                args=(ch, bell, interval),
                name=f"deliver-{ch}",
                daemon=True,
            )
            for ch in OutboxMessage.Channel.values
        ]
        woken = bell.waiter()
        for thread in threads:
            thread.start()
        listener = listen(bell, retry_after=interval)
        log.info("worker started; polling every %.1fs", interval)
        forgotten_at = None  # time.monotonic() of the last forget_what_is_old
        while not stop.is_set():
            reset_queries()
            try:
                counts = run_due(timezone.now())
                if any(counts.values()):
                    log.info("deadlines: %s", counts)
                send_requested_links(timezone.now())
                sweep_stuck(timezone.now())
                # Every wake-up (each commit, on PostgreSQL) runs the pass; the retention deletes
                # need not run more than once a minute.
                if forgotten_at is None or time.monotonic() - forgotten_at >= FORGET_EVERY:
                    forget_what_is_old(timezone.now())
                    forgotten_at = time.monotonic()
                beat(timezone.now())  # /healthz: this worker finished a pass
            except Exception:
                log.exception("deadline pass failed; will try again")
                close_old_connections()
            bell.wait(woken, interval)
        for thread in threads + ([listener] if listener else []):
            thread.join(timeout=30)
        log.info("worker stopped")


def _stop_on_signals(stop: threading.Event, bell: Bell) -> None:
    """Set `stop` (and ring `bell`, so every wait ends at once) when SIGTERM or SIGINT arrives,
    from a thread instead of a signal handler.

    The signals are blocked in every thread and one thread takes them with `sigwait`, so no
    handler runs in the middle of other code: setting the Event (which takes a lock) happens in
    ordinary code, and a storm of signals is as harmless as one (they merge while pending).
    """
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)

    def wait_for_signal() -> None:
        signal.sigwait(signals)
        stop.set()
        bell.ring()

    threading.Thread(target=wait_for_signal, name="stop-on-signal", daemon=True).start()


def _channel_loop(channel: str, bell: Bell, interval: float) -> None:
    transport = build_transport(channel)
    woken = bell.waiter()
    try:
        while not bell.stop.is_set():
            if not deliver_pass(transport, bell.stop):  # after a busy pass, look again at once
                bell.wait(woken, interval)
    finally:
        connection.close()


def deliver_pass(transport, stop: threading.Event) -> int:
    """One pass over a channel's due rows; returns how many were sent."""
    reset_queries()  # DEBUG records every query of this thread's connection; keep none
    try:
        commit_without_waiting_for_disk()  # once per connection: a flush per message set the pace
        return drain_channel(transport, max_batches=5, stop=stop)
    except Exception:
        log.exception("%s delivery pass failed; will try again", transport.channel)
        close_old_connections()
        return 0


def _parse_now(value: str) -> datetime:
    try:
        parsed = parse_datetime(value.replace("Z", "+00:00"))
    except ValueError:  # well-formed but impossible, e.g. 30 February
        parsed = None
    if parsed is None:
        raise CommandError(
            f"--now {value!r} is not an ISO 8601 date-time like 2026-12-01T09:00:00Z."
        )
    if timezone.is_naive(parsed):
        raise CommandError("--now needs a time zone, e.g. 2026-12-01T09:00:00Z.")
    return parsed
