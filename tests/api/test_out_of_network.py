"""POST /api/referrals with a preferred provider outside the client's network: a clear 422 unless
the explicit `out_of_network_confirmed` is true; then the referral is marked out of network."""

import pytest

from referrals.models import Referral


@pytest.fixture
def body(ana, cigna):
    return {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "insurance_network": "Cigna",
        "preferred_provider_id": ana.pk,
        "consent_email": True,
    }


def test_out_of_network_without_confirmation_is_422_and_makes_nothing(api, body):
    response = api.post("/api/referrals", body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "out_of_network_confirmed"
    assert "Ana Lee is not in the Cigna network" in error["message"]
    assert Referral.objects.count() == 0


def test_out_of_network_with_confirmation_is_created_and_marked(api, body):
    response = api.post("/api/referrals", {**body, "out_of_network_confirmed": True})
    assert response.status_code == 201, response.content
    assert Referral.objects.get().out_of_network is True
    assert response.json()["out_of_network"] is True


def test_asking_again_with_an_out_of_network_provider_unconfirmed_is_refused_as_a_first_request(
    api, body, make_referral, client_details
):
    """The refusal does not depend on whether the client has an open referral: the same request
    gets the same answer (as on the intake form, where the answer must not tell a stranger who
    typed someone's email or phone that this person has a request open)."""
    open_one = make_referral(client=client_details)
    response = api.post("/api/referrals", body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "out_of_network_confirmed"
    assert not open_one.events.filter(kind="asked_again").exists()


def test_asking_again_with_an_out_of_network_provider_confirmed_is_recorded_as_asked_again(
    api, body, make_referral, client_details
):
    open_one = make_referral(client=client_details)
    response = api.post("/api/referrals", {**body, "out_of_network_confirmed": True})
    assert response.status_code == 200, response.content
    assert open_one.events.filter(kind="asked_again").count() == 1
    assert Referral.objects.count() == 1
