"""GET endpoints: where a referral stands (without client details), networks, providers, and
the OpenAPI schema."""

import pytest

from providers.models import Provider
from referrals.services import Actor, accept_referral

STATUS_FIELDS = {
    "number",
    "status",
    "kind",
    "insurance_network",
    "created_at",
    "accepted_at",
    "expires_at",
    "accepted_by",
    "out_of_network",
    "outcome",
    "duplicate",
}


def test_status_tells_where_a_referral_stands_without_client_details(
    api, make_referral, ana, aetna, t0, client_details
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    response = api.get(f"/api/referrals/{referral.number}")

    assert response.status_code == 200
    assert response.json() == {
        "number": referral.number,
        "status": "pending",
        "kind": "preferred",
        "insurance_network": "Aetna",
        "created_at": "2026-12-01T15:00:00Z",
        "accepted_at": None,
        "expires_at": "2026-12-03T15:00:00Z",
        "accepted_by": None,
        "out_of_network": False,
        "outcome": None,
        "duplicate": False,
    }
    for detail in (
        client_details.first_name,
        client_details.last_name,
        client_details.email,
        client_details.phone,
        "2019870001",
    ):
        assert detail.encode() not in response.content


def test_status_of_an_accepted_referral_names_the_provider(api, make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    accept_referral(referral.pk, ana, actor=Actor("test"), now=t0)
    answer = api.get(f"/api/referrals/{referral.number}").json()
    assert set(answer) == STATUS_FIELDS
    assert (answer["status"], answer["accepted_by"]) == ("accepted", "Ana Lee")
    assert answer["accepted_at"] == "2026-12-01T15:00:00Z" and answer["expires_at"] is None


@pytest.mark.parametrize("form", ["{pk}", "R-{pk:05d}", "r-{pk}", "R-{pk}"])
def test_status_accepts_the_number_or_the_id(api, make_referral, form):
    referral = make_referral()
    response = api.get(f"/api/referrals/{form.format(pk=referral.pk)}")
    assert response.status_code == 200 and response.json()["number"] == referral.number


@pytest.mark.parametrize("number", ["R-99999", "99999", "R-", "X-00001", "R-1.5", "9" * 40, "%00"])
def test_unknown_referral_is_404_json(api, make_referral, number):
    make_referral()
    response = api.get(f"/api/referrals/{number}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such referral."}


def test_networks_are_listed_by_name(api, cigna, aetna):
    assert api.get("/api/networks").json() == [
        {"id": aetna.pk, "name": "Aetna"},
        {"id": cigna.pk, "name": "Cigna"},
    ]


def test_only_active_providers_are_listed_with_their_networks(
    api, ana, aetna, cigna, provider_factory, django_assert_max_num_queries
):
    both = provider_factory("Cai", "Diaz", networks=[aetna, cigna])
    provider_factory("Ina", "Active", status=Provider.Status.INACTIVE, networks=[aetna])
    with django_assert_max_num_queries(4):  # token, providers, their networks (+ last used)
        answer = api.get("/api/providers").json()
    taking = {"taking_new_referrals": True, "availability": "", "back_on": None}
    assert answer == [
        {"id": both.pk, "name": "Cai Diaz", "network_ids": sorted([aetna.pk, cigna.pk]), **taking},
        {"id": ana.pk, "name": "Ana Lee", "network_ids": [aetna.pk], **taking},
    ]


def test_openapi_schema_lists_the_endpoints_and_bearer_auth(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Referral Desk API" and schema["info"]["description"]
    assert set(schema["paths"]) >= {
        "/api/referrals",
        "/api/referrals/{number}",
        "/api/networks",
        "/api/providers",
    }
    assert set(schema["paths"]["/api/referrals"]) == {"post"}
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    parameters = schema["paths"]["/api/referrals"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)


def test_api_docs_page_is_served(client):
    assert client.get("/api/docs").status_code == 200
