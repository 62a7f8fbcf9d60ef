"""`GET /healthz`: 200 "ok" while the database answers and a worker beat recently; 503 with the
reason otherwise. No sign-in, nothing cached, nothing about any referral."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError, connection

from notifications.heartbeat import beat
from notifications.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthy_when_the_database_answers_and_the_worker_beat_recently(
    client, t0, django_assert_num_queries
):
    beat(t0 - timedelta(seconds=30), name="host:1")
    with time_machine.travel(t0, tick=False), django_assert_num_queries(1):  # the last beat
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]


def test_a_stale_heartbeat_is_unhealthy_with_the_reason(client, t0, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE = timedelta(minutes=2)
    beat(t0 - timedelta(minutes=5), name="host:1")
    with time_machine.travel(t0, tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "worker: last heartbeat 300s ago (limit 120s)\n"
    assert "no-store" in response["Cache-Control"]


def test_the_newest_beat_of_several_workers_counts(client, t0):
    beat(t0 - timedelta(hours=1), name="host:1")  # a worker that stopped
    beat(t0 - timedelta(seconds=5), name="host:2")
    with time_machine.travel(t0, tick=False):
        assert client.get("/healthz").status_code == 200


def test_no_worker_ever_is_unhealthy(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.startswith(b"worker: no heartbeat yet")


def test_a_database_that_does_not_answer_is_unhealthy(client, t0):
    beat(t0, name="host:1")
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database: not answering (OperationalError)\n"


def test_healthz_refuses_to_change_anything(client):
    assert client.post("/healthz").status_code == 405


def test_a_worker_pass_updates_its_one_row(t0, django_assert_num_queries):
    beat(t0, name="host:1")
    with django_assert_num_queries(1):
        beat(t0 + timedelta(seconds=1), name="host:1")
    assert WorkerHeartbeat.objects.get().beat_at == t0 + timedelta(seconds=1)


def test_a_new_worker_forgets_workers_gone_for_a_day(t0):
    beat(t0 - timedelta(days=2), name="host:1")
    beat(t0 - timedelta(hours=1), name="host:2")
    beat(t0, name="host:3")
    assert set(WorkerHeartbeat.objects.values_list("name", flat=True)) == {"host:2", "host:3"}
