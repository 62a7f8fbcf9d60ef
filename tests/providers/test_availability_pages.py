"""Clients see who is not taking new clients: the provider page and the intake form label them
and refuse them as preferred provider; their listing stays. (The API: tests/api.)"""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from providers.models import Provider
from providers.services import set_availability
from referrals.models import Referral
from referrals.services import Actor

STAFF = Actor("staff", is_staff=True)
TODAY = datetime(2027, 1, 5, 15, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def away(ben):
    set_availability(ben, actor=STAFF, away_from=date(2027, 1, 4), away_until=date(2027, 1, 11))
    return ben


@pytest.fixture
def not_accepting(provider_factory, aetna):
    cy = provider_factory("Cy", "Ortiz", networks=[aetna])
    set_availability(cy, actor=STAFF, accepting_new_clients=False)
    return cy


def test_directory_lists_unavailable_providers_with_the_reason(client, ana, away, not_accepting):
    page = client.get("/providers/").content.decode()
    assert "3 providers." in page
    assert page.count('class="availability"') == 2
    assert "Back on 12 January" in page and "Not accepting new clients" in page


def test_profile_of_an_away_provider_offers_no_request_button(client, away):
    page = client.get(f"/providers/{away.pk}/").content.decode()
    assert "Back on 12 January" in page
    assert "Request this provider" not in page and f"?provider={away.pk}" not in page


def test_profile_of_a_provider_taking_clients_offers_the_request_button(client, ana):
    page = client.get(f"/providers/{ana.pk}/").content.decode()
    assert "Request this provider" in page and 'class="availability"' not in page


def test_directory_queries_stay_few_with_availability(
    client, ana, away, not_accepting, provider_factory, django_assert_max_num_queries
):
    for i in range(10):
        set_availability(provider_factory("P", f"N{i}"), actor=STAFF, weekly_limit=2)
    # 3 filter choice lists, the providers (their recent offers a subquery), 3 prefetches
    with django_assert_max_num_queries(7):
        page = client.get("/providers/").content.decode()
    assert page.count('class="card provider"') == 13


def test_intake_dropdown_marks_unavailable_providers_and_disables_them(
    client, ana, away, not_accepting
):
    page = client.get("/referrals/new/").content.decode()
    assert f'<option value="{ana.pk}">Ana Lee</option>' in page
    assert f'<option value="{away.pk}" disabled>Ben Okafor — Back on 12 January</option>' in page
    assert (
        f'<option value="{not_accepting.pk}" disabled>Cy Ortiz — Not accepting new clients</option>'
        in page
    )


def test_intake_form_refuses_an_away_provider_and_makes_nothing(client, away, aetna):
    form = {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam@example.org",
        "phone": "",
        "insurance": str(aetna.pk),
        "preferred_provider": str(away.pk),
    }
    response = client.post("/referrals/new/", form)
    assert response.status_code == 400
    assert "away and back on 12 January" in response.content.decode()
    assert not Referral.objects.exists()


def test_back_on_the_day_after_the_last_day_away(client, away):
    with time_machine.travel(datetime(2027, 1, 12, 5, 0, tzinfo=timezone.get_fixed_timezone(0))):
        page = client.get(f"/providers/{away.pk}/").content.decode()  # 00:00 on the 12th, EST
        assert Provider.objects.taking_new_referrals().filter(pk=away.pk).exists()
    assert "Request this provider" in page
