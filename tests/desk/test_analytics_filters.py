"""Any date in the analytics query string gets a corrected view, never a 500: dates the calendar
can hold but the figures cannot (year 1, year 9999) are explained and the defaults used."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "query",
    [
        {"end": "9999-12-31"},
        {"end": "0001-01-02"},
        {"start": "0001-01-01"},
        {"start": "9999-12-31"},
        {"start": "0001-01-01", "end": "9999-12-31"},
    ],
)
def test_dates_out_of_range_are_explained_and_the_default_period_shown(staff_client, query):
    response = staff_client.get(reverse("desk:analytics"), query)
    assert response.status_code == 200
    assert "Choose a date between 2000-01-01 and 2999-12-31." in response.content.decode()
    export = staff_client.get(reverse("desk:export"), query)
    assert export.status_code == 200
    b"".join(export.streaming_content)


def test_the_first_and_last_allowed_dates_are_shown_as_asked(staff_client):
    query = {"start": "2000-01-01", "end": "2999-12-31"}
    response = staff_client.get(reverse("desk:analytics"), query)
    assert response.status_code == 200 and not response.context["form"].errors
    assert (str(response.context["start"]), str(response.context["end"])) == (
        "2000-01-01",
        "2999-12-31",
    )
    export = staff_client.get(reverse("desk:export"), query)
    assert export["Content-Disposition"].endswith('"referrals-2000-01-01-to-2999-12-31.csv"')
