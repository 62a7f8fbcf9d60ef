"""Wake the worker the moment there is work, instead of at its next poll.

On PostgreSQL a transaction that queues an outbox row (or moves a deadline) calls `wake_worker()`;
once it commits, one `NOTIFY referral_desk_work` goes out (one per transaction, however many rows
it wrote). The worker holds one extra connection that `LISTEN`s (`Listener`), and rings a `Bell`
that the deadline loop and every channel thread wait on instead of sleeping. Polling every
WORKER_POLL_INTERVAL stays as the fallback (a lost connection, a missed notification) and is the
only path on SQLite, which has no NOTIFY.
"""

import logging
import threading

from django.db import connection, connections, transaction

log = logging.getLogger("referral_desk.worker")

CHANNEL = "referral_desk_work"


def wake_worker() -> None:
    """Ask the worker to look now, once the current transaction commits (no-op on SQLite)."""
    if connection.vendor != "postgresql":
        return
    if any(func is _notify for _, func, _ in connection.run_on_commit):
        return  # this transaction already rings once at commit
    transaction.on_commit(_notify)


def _notify() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    except Exception:  # the worker's poll picks the work up anyway; never fail a committed change
        log.warning("could not notify the worker; it will find the work at its next poll")


class Bell:
    """Wakes every loop that waits on it; a stop rings it too, so waits end at once.

    Each loop has its own Event: a ring while the loop is busy leaves its Event set, so its next
    wait returns at once and no wake-up is lost.
    """

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self._events: list[threading.Event] = []
        self._lock = threading.Lock()

    def waiter(self) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._events.append(event)
        return event

    def ring(self) -> None:
        with self._lock:
            for event in self._events:
                event.set()

    def wait(self, event: threading.Event, timeout: float) -> None:
        """Sleep until rung, stopped, or `timeout` seconds pass."""
        if not self.stop.is_set():
            event.wait(timeout)
        event.clear()


class Listener(threading.Thread):
    """`LISTEN`s on its own PostgreSQL connection and rings the bell on each notification.

    If the connection drops it rings once (work may have arrived meanwhile), waits a poll
    interval and connects again; the loops keep polling in the meantime.
    """

    CHECK_STOP_EVERY = 1.0  # seconds

    def __init__(self, bell: Bell, retry_after: float):
        super().__init__(name="wake-on-notify", daemon=True)
        self.bell = bell
        self.retry_after = retry_after
        self.listening = threading.Event()

    def run(self) -> None:
        while not self.bell.stop.is_set():
            wrapper = connections.create_connection("default")
            try:
                wrapper.ensure_connection()
                conn = wrapper.connection
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self.listening.set()
                log.info("listening for work on %s", CHANNEL)
                while not self.bell.stop.is_set():
                    for _ in conn.notifies(timeout=self.CHECK_STOP_EVERY, stop_after=1):
                        self.bell.ring()
            except Exception:
                log.warning("lost the wake-up connection; polling until it is back", exc_info=True)
            finally:
                self.listening.clear()
                try:
                    wrapper.close()
                except Exception:  # already broken; nothing left to release
                    pass
            self.bell.ring()
            self.bell.stop.wait(self.retry_after)


def listen(bell: Bell, retry_after: float) -> Listener | None:
    """Start a Listener when the database can notify (PostgreSQL); None means polling only."""
    if connection.vendor != "postgresql":
        return None
    listener = Listener(bell, retry_after)
    listener.start()
    return listener
