"""Django's PostgreSQL backend, its reused connections checked without a round trip.

With CONN_HEALTH_CHECKS Django checks a persistent connection before each request's first query
with `SELECT 1`: one more round trip on every request (bench/run_all.py's race, 32 providers at
once on 4 workers, pays it 32 times a referral). A connection the server has ended (restarted,
`pg_terminate_backend`, an idle timeout) says so on its socket: the server sends its FATAL
message and closes, so there is something to read. A connection the server still serves, idle
between requests, has nothing to read. So a quiet, idle, unbroken connection is taken as usable
at once; anything else (something to read, a transaction left open, a broken or closed
connection, or an error during the last request) is asked `SELECT 1` as before.

Only a death the server announces shows on the socket. One it cannot announce (its host crashed,
a failover to another machine, a firewall that forgot the connection) is found only by sending
something, and the request would get the error. So the socket is trusted only for a connection
checked less than QUIET_FOR seconds ago, as on a busy server, where the round trip matters; a
connection idle for longer is asked `SELECT 1` as before.
"""

import select
import time

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

__all__ = ["DatabaseWrapper"]


QUIET_FOR = 5.0  # seconds since the last check within which a quiet socket is enough


class DatabaseWrapper(base.DatabaseWrapper):
    checked_at = None  # time.monotonic() of the last check of this connection

    def is_usable(self):
        now, last = time.monotonic(), self.checked_at
        self.checked_at = now
        recent = last is not None and now - last < QUIET_FOR
        if recent and self.connection is not None and not self.errors_occurred:
            if _quiet(self.connection):
                return True
        return super().is_usable()


def _quiet(connection) -> bool:
    """Open, idle outside a transaction, and nothing from the server waiting to be read."""
    if connection.closed or connection.broken:
        return False
    if connection.info.transaction_status != TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
    return not poller.poll(0)  # readable, hung up or in error: not quiet
