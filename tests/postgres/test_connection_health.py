"""A reused connection is checked before a request's first query without a round trip
(config/postgres/base.py), and one the server has ended is still found and replaced."""

import select
import time
from unittest.mock import patch

import pytest
from django.db import connection, connections

from config.postgres.base import QUIET_FOR

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_connection_checked_moments_ago_the_server_still_serves_is_usable_without_a_query():
    connection.ensure_connection()
    assert connection.is_usable()  # the first check of this connection
    with patch.object(connection.connection, "cursor", side_effect=AssertionError("a query")):
        assert connection.is_usable()


def test_a_connection_idle_for_longer_is_asked_select_1():
    """A server that died without a word (host crash, failover) shows nothing on the socket:
    only a query finds it, so a connection not checked for QUIET_FOR seconds is asked."""
    connection.ensure_connection()
    assert connection.is_usable()
    connection.checked_at -= QUIET_FOR + 1
    with patch.object(connection.connection, "cursor", side_effect=AssertionError("asked")):
        with pytest.raises(AssertionError, match="asked"):
            connection.is_usable()


def test_a_connection_left_in_a_transaction_is_asked_select_1():
    connection.ensure_connection()
    assert connection.is_usable()  # checked moments ago: only the open transaction asks
    connection.connection.execute("BEGIN")
    try:
        with patch.object(connection.connection, "cursor", side_effect=AssertionError("asked")):
            with pytest.raises(AssertionError, match="asked"):
                connection.is_usable()
    finally:
        connection.connection.execute("ROLLBACK")


def test_a_connection_the_server_ended_is_unusable_and_a_new_one_answers():
    connection.ensure_connection()
    assert connection.is_usable()  # checked moments ago: the socket alone must tell
    ended = connection.connection
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [ended.info.backend_pid])
    finally:
        other.close()
    poller = select.poll()
    poller.register(ended.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not poller.poll(50) and time.monotonic() < deadline:
        pass  # the server's goodbye is on its way

    assert not connection.is_usable()
    connection.close()  # what Django does with a connection that is not usable
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
