"""Idempotency keys are remembered 24 hours: replays inside that, a new referral after, and the
worker deletes the expired records."""

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command

from api import idempotency
from api.models import IdempotencyKey
from referrals.models import Referral
from tests.api.conftest import another_person

KEY = {"Idempotency-Key": "3f1c9a52-website-form-0001"}
DAY = timedelta(hours=24)


def _post_at(api, body, at, key=KEY):
    with time_machine.travel(at, tick=False):
        return api.post("/api/referrals", body, headers=key)


def _run_worker(at):
    call_command("worker", "--once", "--now", at.isoformat(), stdout=StringIO())


def test_worker_deletes_keys_older_than_24_hours_and_keeps_fresh_ones(api, body, t0):
    _post_at(api, body, t0, {"Idempotency-Key": "old"})
    _post_at(api, another_person(body, 1), t0 + timedelta(hours=2), {"Idempotency-Key": "fresh"})

    _run_worker(t0 + DAY + timedelta(seconds=1))

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert Referral.objects.count() == 2  # only the key is forgotten, never the referral


def test_replay_just_inside_24_hours_still_returns_the_first_referral(api, body, t0):
    first = _post_at(api, body, t0)
    _run_worker(t0 + DAY - timedelta(seconds=1))
    retry = _post_at(api, body, t0 + DAY - timedelta(seconds=1))

    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["number"] == first.json()["number"]
    assert Referral.objects.count() == 1


def test_after_24_hours_the_same_key_creates_a_new_referral(api, body, t0):
    first = _post_at(api, body, t0)
    _run_worker(t0 + DAY)
    other = another_person(body, 1)  # the same person again would be "asked again" (200)
    again = _post_at(api, other, t0 + DAY + timedelta(minutes=1))

    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.json()["number"] != first.json()["number"]
    assert Referral.objects.count() == 2
    assert _post_at(api, other, t0 + DAY + timedelta(minutes=2))["Idempotent-Replayed"] == "true"


def test_an_expired_key_is_forgotten_even_before_the_worker_deletes_it(api, body, t0):
    first = _post_at(api, body, t0)
    # A different body would be 409 if the key were remembered (and another person, not "asked
    # again").
    again = _post_at(api, another_person(body, 1), t0 + DAY + timedelta(minutes=1))

    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert again.json()["number"] != first.json()["number"]
    assert IdempotencyKey.objects.get().referral.number == again.json()["number"]


def test_one_worker_pass_deletes_at_most_a_batch(api, body, t0, monkeypatch):
    monkeypatch.setattr(idempotency, "PURGE_BATCH", 2)
    for n in range(3):
        _post_at(api, body, t0 + timedelta(minutes=n), {"Idempotency-Key": f"k{n}"})

    _run_worker(t0 + DAY + timedelta(hours=1))
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k2"]  # oldest first
    _run_worker(t0 + DAY + timedelta(hours=1))
    assert not IdempotencyKey.objects.exists()


def test_the_api_documentation_states_the_24_hours(api):
    schema = api.get("/api/openapi.json").json()
    assert idempotency.RETENTION == DAY
    assert "24 hours" in schema["info"]["description"]
    endpoint = schema["paths"]["/api/referrals"]["post"]["description"]
    assert "remembered for 24 hours" in endpoint and "creates a new referral" in endpoint
