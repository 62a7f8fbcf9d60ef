"""The worker's delivery threads commit their bookkeeping (one statement per message) without
waiting for the disk, since a flush per message set every channel's pace; the switch holds for a
connection opened again after an error, and a connection that never delivered still waits for the
disk (the switch is made only in `deliver_pass`, which only the delivery threads run)."""

import threading

import pytest
from django.db import connection

from notifications.clients import build_transport
from notifications.models import OutboxMessage
from tests.delivery.batches import queue_batch, received
from worker.management.commands.worker import deliver_pass

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_a_delivery_thread_commits_without_waiting_for_the_disk_and_others_still_wait(channels):
    queue_batch("email", size=3)
    transport = build_transport("email")
    seen = {}

    def channel_thread():  # as the worker's: a thread with its own connection
        try:
            seen["sent"] = deliver_pass(transport, threading.Event())
            seen["after a pass"] = synchronous_commit()
            connection.close()  # as after a failed pass: the next one connects again
            deliver_pass(transport, threading.Event())
            seen["after reconnecting"] = synchronous_commit()
        finally:
            connection.close()

    thread = threading.Thread(target=channel_thread)
    thread.start()
    thread.join()

    assert seen == {"sent": 3, "after a pass": "off", "after reconnecting": "off"}
    assert synchronous_commit() == "on"  # a connection that never delivered still waits for it
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert len(received(channels, "email")) == 3
