"""The intake form marks preferred providers "in your network" / "not in your network" once the
client chose an insurance (without JavaScript: when the form comes back), and asks a client who
chose one outside their network to confirm they may pay out of pocket, or choose another."""

import re

import pytest

from referrals.models import Referral

URL = "/referrals/new/"
CONFIRM = 'name="pay_out_of_network"'


@pytest.fixture
def form(cigna, ana):
    return {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "phone": "(201) 234-5678",
        "insurance": str(cigna.pk),
        "preferred_provider": str(ana.pk),  # Ana participates in Aetna only
    }


def test_the_blank_form_asks_no_out_of_network_question(client, ana):
    page = client.get(URL).content.decode()
    assert CONFIRM not in page and "in your network" not in page


def test_choosing_a_provider_outside_the_network_asks_for_confirmation_and_makes_nothing(
    client, form, ana, provider_factory, cigna
):
    provider_factory("Cy", "Park", networks=[cigna])
    response = client.post(URL, form)
    page = response.content.decode()
    assert response.status_code == 400
    assert Referral.objects.count() == 0
    assert CONFIRM in page
    assert "Ana Lee is not in your network" in page
    assert "pay out of pocket" in page
    assert "Ana Lee (not in your network)" in page
    assert "Cy Park (in your network)" in page


def test_confirming_makes_an_out_of_network_referral(client, form, ana):
    response = client.post(URL, {**form, "pay_out_of_network": "on"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.preferred_provider == ana and referral.out_of_network is True


def test_choosing_another_provider_in_the_network_needs_no_confirmation(
    client, form, provider_factory, cigna
):
    cy = provider_factory("Cy", "Park", networks=[cigna])
    response = client.post(URL, {**form, "preferred_provider": str(cy.pk)})
    assert response.status_code == 302
    assert Referral.objects.get().out_of_network is False


def test_a_form_with_other_errors_still_marks_the_providers(client, form, ana, aetna):
    page = client.post(URL, {**form, "insurance": str(aetna.pk), "last_name": ""}).content
    assert "Ana Lee (in your network)" in page.decode()
    assert CONFIRM not in page.decode()


def test_marking_the_providers_costs_the_same_queries_for_many_providers(
    client, form, provider_factory, cigna
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.post(URL, form).status_code == 400
        return len(captured)

    queries()  # the first request also sets up the session and the throttle's counter
    few = queries()
    for n in range(12):
        provider_factory("P", f"Extra{n}", email=f"p{n}@example.com", networks=[cigna])
    assert queries() == few


def test_with_htmx_the_question_comes_as_soon_as_the_choices_are_made(client, ana, cigna):
    page = client.get(
        URL,
        {"insurance": str(cigna.pk), "preferred_provider": str(ana.pk)},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Ana Lee is not in your network" in page and CONFIRM in page
    assert Referral.objects.count() == 0


def test_without_htmx_a_query_string_does_not_mark_anything(client, ana, cigna):
    page = client.get(URL, {"insurance": str(cigna.pk), "preferred_provider": "junk"}).content
    assert CONFIRM not in page.decode() and "in your network" not in page.decode()


@pytest.mark.parametrize("junk", ["²", "9" * 40, "-1", "1e3", "\x00"])
def test_a_junk_insurance_in_the_htmx_refresh_is_ignored_not_a_crash(client, ana, junk):
    response = client.get(URL, {"insurance": junk}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "in your network" not in response.content.decode()


def test_the_form_and_the_api_refuse_an_out_of_network_provider_in_the_same_words(
    client, form, ana, cigna
):
    from api.models import ApiToken
    from tests.api.conftest import ApiClient

    words = "Ana Lee is not in the Cigna network. Confirm the care may be paid out of pocket"
    page = client.post(URL, form).content.decode()
    api = ApiClient(ApiToken.issue("website")[1])
    body = {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "insurance_network": "Cigna",
        "preferred_provider_id": ana.pk,
    }
    [error] = api.post("/api/referrals", body).json()["detail"]
    assert words in page and words in error["message"]


def test_the_out_of_network_refusal_is_the_same_with_or_without_an_open_referral(
    client, form, make_referral, client_details
):
    """Typing someone's email or phone must not reveal that they have a request open."""
    alone = client.post(URL, form)
    make_referral(client=client_details)
    again = client.post(URL, form)
    assert alone.status_code == again.status_code == 400
    masked_token = re.compile(r"[A-Za-z0-9]{64}")  # the CSRF token, masked afresh each time
    assert masked_token.sub("", alone.content.decode()) == masked_token.sub(
        "", again.content.decode()
    )
    assert Referral.objects.count() == 1
