"""The worker's memory stays flat with DEBUG on: Django records every query of a connection while
DEBUG is true, and each worker pass forgets them, so a long run keeps only one pass's worth."""

import threading

import pytest
from django.db import connection, reset_queries

from notifications.clients import build_transport
from notifications.models import OutboxMessage
from tests.delivery.test_dispatcher_statements import queue_emails
from worker.management.commands.worker import deliver_pass

pytestmark = pytest.mark.django_db(transaction=True)


def test_recorded_queries_stay_bounded_however_many_passes(channels, settings):
    settings.DEBUG = True
    transport = build_transport("email")
    reset_queries()
    most = 0
    for _ in range(10):
        OutboxMessage.objects.all().delete()
        queue_emails(5)
        deliver_pass(transport, threading.Event())
        most = max(most, len(connection.queries))
    assert len(channels.smtp.messages) == 50
    assert most <= 2 + 5 + 2  # one pass (and its BEGIN/COMMIT), never the sum of all passes
