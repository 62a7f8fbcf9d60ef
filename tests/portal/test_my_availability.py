"""My availability in the Provider Portal: the provider sets accepting new clients, away dates and
a weekly limit; each change is a row of their history; bad dates change nothing."""

from datetime import date

import pytest

from providers.models import AvailabilityChange, Provider

URL = "/portal/availability/"


def form(**overrides):
    data = {"accepting_new_clients": "on", "away_from": "", "away_until": "", "weekly_limit": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_provider_goes_away_and_the_history_says_who_and_what(as_provider, ana):
    client = as_provider(ana)
    response = client.post(URL, form(away_from="2027-01-04", away_until="2027-01-11"))
    assert response.status_code == 302
    ana.refresh_from_db()
    assert (ana.away_from, ana.away_until) == (date(2027, 1, 4), date(2027, 1, 11))
    rows = AvailabilityChange.objects.filter(provider=ana).order_by("field")
    assert [(r.field, r.old, r.new, r.actor_label) for r in rows] == [
        ("away_from", "", "2027-01-04", ana.email),
        ("away_until", "", "2027-01-11", ana.email),
    ]
    assert rows[0].actor == ana.user
    page = client.get(URL).content.decode()
    assert "Availability saved" in page and "Away until" in page and "2027-01-11" in page


def test_provider_stops_accepting_and_sets_a_weekly_limit(as_provider, ana):
    client = as_provider(ana)
    client.post(URL, form(accepting_new_clients=None, weekly_limit="3"))
    ana.refresh_from_db()
    assert not ana.accepting_new_clients and ana.weekly_limit == 3
    assert set(AvailabilityChange.objects.values_list("field", "old", "new")) == {
        ("accepting_new_clients", "yes", "no"),
        ("weekly_limit", "", "3"),
    }
    assert "You are not accepting new clients" in client.get("/portal/").content.decode()
    page = client.get(URL).content.decode()
    assert "You are getting no new referrals right now: Not accepting new clients" in page


def test_saving_unchanged_values_adds_no_history(as_provider, ana):
    client = as_provider(ana)
    client.post(URL, form())
    assert not AvailabilityChange.objects.exists()


@pytest.mark.parametrize(
    "dates, field",
    [
        ({"away_from": "2027-01-11", "away_until": "2027-01-04"}, "on or after the first"),
        ({"away_from": "2027-01-04"}, "Enter the last day away too"),
        ({"away_until": "2027-01-04"}, "Enter the first day away too"),
        ({"away_from": "not a date"}, "Enter a valid date"),
        ({"weekly_limit": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_change_nothing(as_provider, ana, dates, field):
    client = as_provider(ana)
    response = client.post(URL, form(**dates))
    assert response.status_code == 400 and field in response.content.decode()
    assert not AvailabilityChange.objects.exists()
    fresh = Provider.objects.get(pk=ana.pk)
    assert fresh.away_from is None and fresh.weekly_limit is None


def test_my_availability_page_queries_stay_few(as_provider, ana, django_assert_max_num_queries):
    client = as_provider(ana)
    client.post(URL, form(weekly_limit="2"))
    # session, user, this device with the provider (one query), the weekly-limit count, the
    # history
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200


def test_only_a_signed_in_provider_has_an_availability_page(client, ana):
    assert client.get(URL).status_code == 302
