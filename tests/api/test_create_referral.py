"""POST /api/referrals: a good request becomes a referral with its messages; a bad one changes
nothing and says which field is wrong; garbage is a 4xx, never a 500."""

import json

import pytest

from notifications.models import OutboxMessage
from providers.models import Provider
from referrals.models import Client, Referral, ReferralEvent


def assert_nothing_created():
    assert Referral.objects.count() == 0
    assert Client.objects.count() == 0
    assert ReferralEvent.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["detail"]}


@pytest.mark.usefixtures("routing_off")
def test_general_referral_is_created_with_its_messages_queued(api, body):
    response = api.post("/api/referrals", body)

    assert response.status_code == 201
    referral = Referral.objects.get()
    answer = response.json()
    assert answer["number"] == referral.number
    assert answer["status"] == "available" and answer["kind"] == "general"
    assert response["Location"] == f"/api/referrals/{referral.number}"
    assert "Idempotent-Replayed" not in response
    assert referral.source == "api:website"
    assert referral.client.phone == "+12019870001"  # normalised to E.164
    assert referral.events.get().actor_label == "api:website"
    queued = set(OutboxMessage.objects.filter(referral=referral).values_list("channel", "template"))
    assert ("email", "referral_confirmation") in queued
    assert ("slack", "referral_card") in queued


def test_preferred_referral_by_network_name_waits_for_that_provider(api, body, ana, aetna):
    body.update(insurance_network="Aetna", preferred_provider_id=ana.pk)
    response = api.post("/api/referrals", body)

    assert response.status_code == 201
    referral = Referral.objects.get()
    assert (referral.kind, referral.status, referral.offered_to) == ("preferred", "pending", ana)
    assert referral.insurance_network == aetna
    assert response.json()["insurance_network"] == "Aetna"
    assert OutboxMessage.objects.filter(recipient=ana.email, template="provider_referral").exists()


def test_network_may_be_given_by_id(api, body, cigna):
    body["insurance_network"] = cigna.pk
    assert api.post("/api/referrals", body).status_code == 201
    assert Referral.objects.get().insurance_network == cigna


@pytest.mark.parametrize(
    "change, field",
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"first_name": "R2D2"}, "first_name"),
        ({"last_name": "L" * 81}, "last_name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 250 + "@example.org"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"phone": "call me maybe"}, "phone"),
        ({"insurance_network": 999999}, "insurance_network"),
        ({"insurance_network": "Blue Nowhere"}, "insurance_network"),
        ({"insurance_network": "aetna"}, "insurance_network"),  # exact name only
        ({"insurance_network": ""}, "insurance_network"),
        ({"preferred_provider_id": 999999}, "preferred_provider_id"),
        ({"email": "", "phone": ""}, "email"),
        ({"email": ""}, "email"),  # every client receives email: it is required
        ({"phone": "", "consent_sms": True}, "phone"),
    ],
)
def test_breaking_a_rule_is_422_naming_the_field_and_saves_nothing(api, body, aetna, change, field):
    body.update(change)
    errors = fields(api.post("/api/referrals", body))
    assert field in errors and errors[field]
    assert_nothing_created()


def test_inactive_preferred_provider_is_refused(api, body, provider_factory):
    gone = provider_factory("Ina", "Active", status=Provider.Status.INACTIVE)
    body["preferred_provider_id"] = gone.pk
    errors = fields(api.post("/api/referrals", body))
    assert (
        errors["preferred_provider_id"] == "This provider is inactive and cannot receive referrals."
    )
    assert_nothing_created()


def test_every_wrong_field_is_reported_at_once(api, body):
    body.update(first_name="", email="nope", insurance_network="Nowhere")
    assert set(fields(api.post("/api/referrals", body))) == {
        "first_name",
        "email",
        "insurance_network",
    }


@pytest.mark.parametrize(
    "change, field",
    [
        ({"first_name": 5}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"first_name": ["Sam"]}, "first_name"),
        ({"consent_email": "yes"}, "consent_email"),  # still typed, though ignored
        ({"consent_sms": 1}, "consent_sms"),
        ({"preferred_provider_id": "12"}, "preferred_provider_id"),
        ({"preferred_provider_id": True}, "preferred_provider_id"),
        ({"preferred_provider_id": 1.5}, "preferred_provider_id"),
        ({"preferred_provider_id": 10**30}, "preferred_provider_id"),
        ({"preferred_provider_id": -1}, "preferred_provider_id"),
        ({"insurance_network": 10**30}, "insurance_network"),
        ({"insurance_network": {"id": 1}}, "insurance_network"),
        ({"insurance_network": "Aet\x00na"}, "insurance_network"),
        ({"last_name": "Riv\x00era"}, "last_name"),
        ({"email": "sam\x00@example.org"}, "email"),
        ({"first_name": "S" * 100_000}, "first_name"),
        ({"consentEmail": True}, "consentEmail"),  # unknown fields are refused, not ignored
    ],
)
def test_wrong_types_are_422_naming_the_field_and_save_nothing(api, body, change, field):
    body.update(change)
    errors = fields(api.post("/api/referrals", body))
    assert field in errors
    assert_nothing_created()


def test_missing_required_field_is_named(api, body):
    del body["last_name"]
    assert "last_name" in fields(api.post("/api/referrals", body))


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"{",
        b"",
        b"[]",
        b'"Sam Rivera"',
        b"null",
        b"\xff\xfe\x00",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"first_name": "\\ud800", "last_name": "Rivera", "email": "s@example.org"}',
        b'{"first_name": "Sam", "last_name": "Rivera", "insurance_network": "\\udfff",'
        b' "email": "s@example.org"}',
    ],
)
def test_malformed_bodies_are_4xx_and_save_nothing(api, raw):
    response = api.post("/api/referrals", raw)
    assert 400 <= response.status_code < 500, response.content[:300]
    assert "detail" in response.json()
    assert_nothing_created()


def test_form_encoded_body_is_400(api, body):
    response = api.post(
        "/api/referrals", "first_name=Sam", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert_nothing_created()


def test_body_over_the_upload_limit_is_413(api, body, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body["first_name"] = "S" * 20_000
    response = api.post("/api/referrals", json.dumps(body))
    assert response.status_code == 413
    assert_nothing_created()


def test_the_same_person_asking_again_gets_their_open_referral_marked_duplicate(api, body):
    first = api.post("/api/referrals", body)
    providers_told = OutboxMessage.objects.exclude(template="request_in_hand").count()

    again = api.post("/api/referrals", {**body, "email": "sam.r@example.net"})

    assert first.status_code == 201 and first.json()["duplicate"] is False
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["number"] == first.json()["number"]
    assert Referral.objects.count() == 1
    assert Referral.objects.get().events.filter(kind="asked_again").count() == 1
    assert OutboxMessage.objects.exclude(template="request_in_hand").count() == providers_told


def test_the_schema_says_a_repeat_request_answers_200_with_duplicate(api):
    operation = api.get("/api/openapi.json").json()["paths"]["/api/referrals"]["post"]
    assert "200" in operation["responses"] and "duplicate: true" in operation["description"]


def test_a_referral_without_an_email_field_is_refused_naming_it(api, body):
    del body["email"]
    response = api.post("/api/referrals", body)
    assert response.status_code == 422 and "email" in fields(response)
    assert_nothing_created()
