"""The API lists whether each provider takes new referrals, and refuses one who does not as the
preferred provider (422, nothing made)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from providers.services import set_availability
from referrals.models import Referral
from referrals.services import Actor

STAFF = Actor("staff", is_staff=True)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime(2027, 1, 5, 15, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def away(ben):
    set_availability(ben, actor=STAFF, away_from=date(2027, 1, 4), away_until=date(2027, 1, 11))
    return ben


@pytest.fixture
def not_accepting(ana):
    set_availability(ana, actor=STAFF, accepting_new_clients=False)
    return ana


def test_api_refuses_a_provider_not_accepting_with_422(api, body, not_accepting):
    response = api.post("/api/referrals", {**body, "preferred_provider_id": not_accepting.pk})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (
        error["field"] == "preferred_provider_id"
        and "not accepting new clients" in error["message"]
    )
    assert not Referral.objects.exists()


def test_api_lists_whether_each_provider_takes_new_referrals(api, away, provider_factory):
    provider_factory("Ana", "Lee")
    answer = {p["name"]: p for p in api.get("/api/providers").json()}
    assert answer["Ana Lee"]["taking_new_referrals"] is True
    assert answer["Ana Lee"]["availability"] == "" and answer["Ana Lee"]["back_on"] is None
    assert answer["Ben Okafor"]["taking_new_referrals"] is False
    assert answer["Ben Okafor"]["availability"] == "Back on 12 January"
    assert answer["Ben Okafor"]["back_on"] == "2027-01-12"
