"""Idempotency-Key: a retried POST returns the referral the first one created, never a second."""

import threading

import pytest
from django.db import connection

from api.models import ApiToken, IdempotencyKey
from notifications.models import OutboxMessage
from referrals.models import Client, Referral
from referrals.services import Actor, accept_referral
from tests.api.conftest import ApiClient, another_person

KEY = {"Idempotency-Key": "3f1c9a52-website-form-0001"}


def test_retry_with_same_key_returns_the_first_referral_and_creates_no_second(api, body):
    first = api.post("/api/referrals", body, headers=KEY)
    messages = OutboxMessage.objects.count()
    retry = api.post("/api/referrals", body, headers=KEY)

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert retry.status_code == 201  # the original status, marked as a replay
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert retry["Location"] == first["Location"]
    assert Referral.objects.count() == 1 and Client.objects.count() == 1
    assert OutboxMessage.objects.count() == messages  # the client is not told twice
    record = IdempotencyKey.objects.get()
    assert (record.key, record.response_status) == (KEY["Idempotency-Key"], 201)


def test_replay_shows_the_referral_as_it_stands_now(api, body, ana, aetna):
    body.update(insurance_network=aetna.pk, preferred_provider_id=ana.pk)
    first = api.post("/api/referrals", body, headers=KEY).json()
    accept_referral(Referral.objects.get().pk, ana, actor=Actor("test"))
    retry = api.post("/api/referrals", body, headers=KEY).json()
    assert retry["number"] == first["number"]
    assert (retry["status"], retry["accepted_by"]) == ("accepted", "Ana Lee")


def test_retry_succeeds_even_if_the_provider_became_inactive_since(api, body, ana):
    body["preferred_provider_id"] = ana.pk
    first = api.post("/api/referrals", body, headers=KEY)
    ana.status = ana.Status.INACTIVE
    ana.save()
    retry = api.post("/api/referrals", body, headers=KEY)
    assert retry.status_code == 201 and retry.json()["number"] == first.json()["number"]


def test_key_order_and_spacing_do_not_make_a_different_body(api, body):
    api.post("/api/referrals", body, headers=KEY)
    reordered = dict(reversed(list(body.items())))
    retry = api.post("/api/referrals", reordered, headers=KEY)
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1


def test_same_key_with_a_different_body_is_refused(api, body):
    api.post("/api/referrals", body, headers=KEY)
    body["first_name"] = "Samantha"
    response = api.post("/api/referrals", body, headers=KEY)

    assert response.status_code == 409
    assert "different request body" in response.json()["detail"]
    assert Referral.objects.count() == 1


def test_a_failed_request_does_not_use_up_its_key(api, body):
    bad = {**body, "email": "nope"}
    assert api.post("/api/referrals", bad, headers=KEY).status_code == 422
    assert IdempotencyKey.objects.count() == 0
    assert api.post("/api/referrals", body, headers=KEY).status_code == 201


def test_keys_belong_to_their_token(api, body):
    _, other_secret = ApiToken.issue("aetna-feed")
    first = api.post("/api/referrals", body, headers=KEY)
    other = ApiClient(other_secret).post("/api/referrals", another_person(body, 1), headers=KEY)
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert other.json()["number"] != first.json()["number"]
    assert Referral.objects.count() == 2


def test_without_a_key_each_post_creates_a_referral(api, body):
    api.post("/api/referrals", body)
    api.post("/api/referrals", another_person(body, 1))
    assert Referral.objects.count() == 2


def test_a_replayed_repeat_request_still_says_duplicate(api, body):
    first = api.post("/api/referrals", body).json()
    again = api.post("/api/referrals", body, headers=KEY)
    retry = api.post("/api/referrals", body, headers=KEY)

    assert again.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["duplicate"] is True and retry.json()["number"] == first["number"]


@pytest.mark.parametrize("key", ["k" * 201, "   ", "clé-unicode", "tab\there"])
def test_unusable_keys_are_400_and_create_nothing(api, body, key):
    response = api.post("/api/referrals", body, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert Referral.objects.count() == 0


def test_a_key_of_200_characters_is_accepted(api, body):
    key = {"Idempotency-Key": "k" * 200}
    assert api.post("/api/referrals", body, headers=key).status_code == 201
    assert api.post("/api/referrals", body, headers=key)["Idempotent-Replayed"] == "true"


def _post_concurrently(secret: str, body: dict, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def post(i):
        try:
            client = ApiClient(secret)
            barrier.wait()
            response = client.post("/api/referrals", body, headers=KEY)
            results[i] = (response.status_code, response.json().get("number"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("preferred", [False, True], ids=["general", "preferred"])
def test_ten_simultaneous_retries_create_exactly_one_referral(body, aetna, ana, preferred):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real parallel connections")
    _, secret = ApiToken.issue("website")
    # General: nothing but the key's unique index orders the ten transactions.
    # Preferred: the provider row lock in create_referral queues them first.
    body.update(insurance_network=aetna.pk, preferred_provider_id=ana.pk if preferred else None)

    results = _post_concurrently(secret, body, 10)

    assert Referral.objects.count() == 1 and Client.objects.count() == 1
    number = Referral.objects.get().number
    assert results == [(201, number)] * 10
    assert IdempotencyKey.objects.count() == 1
    assert not OutboxMessage.objects.exclude(referral__in=Referral.objects.all()).exists()
