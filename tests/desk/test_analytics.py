"""Analytics figures checked against values computed by hand on a small fixed data set.

The data set (t = Monday 2026-11-02 14:00 UTC):
  R1 General, Aetna, received t, accepted by Ana at t+2h.
  R2 Preferred (Ana), Aetna, received t+1h, Ana declines at t+7h (6 h), Ben accepts at t+21h
     (20 h after received; 14 h after it was offered again): accepted after another declined.
  R3 Preferred (Ben), Aetna, received t+2h, never answered: expires at t+50h.
  R4 General, self-pay, received t+3h, offered to Ben by staff at t+4h, accepted by Ben at
     t+33h (30 h after received, 29 h after the offer).
Now = t + 7 days.
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from referrals import services
from referrals.percentiles import interpolate

T = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)
ANALYTICS = reverse("desk:analytics")
PERIOD = {"start": "2026-11-01", "end": "2026-11-08"}


@pytest.fixture
def dataset(make_referral, ana, ben, aetna):
    actor = services.Actor("test")
    r1 = make_referral(network=aetna, now=T)
    services.accept_referral(r1.pk, ana, actor=actor, now=T + 2 * H)
    r2 = make_referral(network=aetna, preferred=ana, now=T + H)
    services.decline_referral(r2.pk, ana, reason="unavailable", actor=actor, now=T + 7 * H)
    services.accept_referral(r2.pk, ben, actor=actor, now=T + 21 * H)
    r3 = make_referral(network=aetna, preferred=ben, now=T + 2 * H)
    services.expire_referral(r3.pk, now=T + 50 * H)
    r4 = make_referral(network=None, now=T + 3 * H)
    services.offer_referral(r4.pk, ben, actor=actor, now=T + 4 * H)
    services.accept_referral(r4.pk, ben, actor=actor, now=T + 33 * H)
    return r1, r2, r3, r4


def get(client, **query):
    with time_machine.travel(T + timedelta(days=7), tick=False):
        return client.get(ANALYTICS, {**PERIOD, **query})


def test_headline_figures(staff_client, dataset):
    summary = get(staff_client).context["summary"]
    assert summary.received == 4 and summary.answered == 3 and summary.accepted == 3
    # first responses: 2 h, 6 h, 30 h -> median 6 h; p90 = 6 h + 0.8 * 24 h = 25.2 h
    assert summary.response == {"median": 21600, "p90": 90720}
    # accepts: 2 h, 20 h, 30 h -> median 20 h; p90 = 20 h + 0.8 * 10 h = 28 h
    assert summary.accept == {"median": 72000, "p90": 100800}
    assert summary.within_goal == 0.5  # R1 (2 h) and R2 (6 h) within 12 h
    assert summary.within_day == 0.5  # R4 (30 h) is not within 24 h either
    assert summary.expiry_rate == 0.25 and summary.decline_rate == 0.25


def test_headline_figures_on_the_page(staff_client, dataset):
    page = get(staff_client).content.decode()
    assert '<span class="figure-value" data-figure="median-response">6 h</span>' in page
    assert '<span class="figure-value" data-figure="within-12h">50%</span>' in page
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]


def test_per_provider_times_only_answers_to_offers(staff_client, dataset, ana, ben):
    rows = {r.provider: r for r in get(staff_client).context["providers"]}
    # Ana answered one offer: declined R2 after 6 h. R1 was open to everyone: not timed.
    assert (rows[ana].answers, rows[ana].accepts, rows[ana].declines) == (1, 0, 1)
    assert rows[ana].median == 6 * 3600 and rows[ana].within_goal == 1.0
    # Ben: accepted the staff offer of R4 after 29 h; R3 expired on him; R2 was open to all.
    assert (rows[ben].answers, rows[ben].accepts, rows[ben].expiries) == (1, 1, 1)
    assert rows[ben].median == 29 * 3600 and rows[ben].within_goal == 0.0


def test_distribution_of_first_responses(staff_client, dataset):
    distribution = dict(get(staff_client).context["distribution"])
    assert distribution == {
        "Under 1 h": 0,
        "1–3 h": 1,
        "3–6 h": 0,
        "6–12 h": 1,
        "12–24 h": 0,
        "24–48 h": 1,
        "Over 48 h": 0,
        "Not answered yet": 1,
    }


def test_breakdowns_by_network_type_and_week(staff_client, dataset):
    context = get(staff_client).context
    networks = {r.label: r for r in context["networks"]}
    assert networks["Aetna"].received == 3 and networks["Self-pay / other"].received == 1
    assert networks["Aetna"].response["median"] == (7200 + 21600) / 2
    assert networks["Aetna"].expiry_rate == pytest.approx(1 / 3)
    types = {r.key: r for r in context["types"]}
    assert types["preferred"].received == 2 and types["preferred"].decline_rate == 0.5
    assert types["general"].within_goal == 0.5
    assert [(w.label, w.received) for w in context["weeks"]] == [("Nov 2", 4)]


def test_unmet_demand_counts_referrals_nobody_holds_after_expiry_or_decline(staff_client, dataset):
    unmet = get(staff_client).context["unmet"]
    assert [(u.label, u.unmet, u.active_providers) for u in unmet] == [("Aetna", 1, 2)]


def test_filters_narrow_every_figure(staff_client, dataset):
    assert get(staff_client, network="self").context["summary"].received == 1
    assert get(staff_client, kind="preferred").context["summary"].received == 2
    assert get(staff_client, start="2026-11-03").context["summary"].received == 0


def test_no_responses_shows_dashes_not_errors(staff_client, make_referral, aetna):
    with time_machine.travel(T, tick=False):
        make_referral(network=aetna, now=T)
    response = get(staff_client)
    summary = response.context["summary"]
    assert summary.response == {"median": None, "p90": None} and summary.within_goal == 0.0
    assert 'data-figure="median-response">—<' in response.content.decode()


def test_bad_filters_are_explained_and_defaults_used(staff_client, db):
    response = staff_client.get(ANALYTICS, {"start": "2026-13-45", "end": "2026-01-01"})
    assert response.status_code == 200 and response.context["form"].errors
    response = staff_client.get(ANALYTICS, {"start": "2026-02-01", "end": "2026-01-01"})
    assert "“From” must be on or before “To”." in response.content.decode()


def test_csv_export_has_the_rows_behind_the_figures_without_client_details(
    staff_client, dataset, client_details
):
    with time_machine.travel(T + timedelta(days=7), tick=False):
        response = staff_client.get(reverse("desk:export"), PERIOD)
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["referral"] for r in rows] == [r.number for r in dataset]
    r2 = rows[1]
    assert (r2["response_seconds"], r2["accept_seconds"], r2["declines"]) == ("21600", "72000", "1")
    assert rows[2]["expired"] == "yes" and rows[2]["response_seconds"] == ""
    for secret in (client_details.last_name, client_details.email, client_details.phone):
        assert secret not in body
    with time_machine.travel(T + timedelta(days=7), tick=False):
        only_self = staff_client.get(reverse("desk:export"), {**PERIOD, "network": "self"})
    assert len(b"".join(only_self.streaming_content).decode().strip().splitlines()) == 2


def test_percentile_interpolates_like_postgres():
    assert interpolate([], 0.5) is None
    assert interpolate([5], 0.9) == 5
    assert interpolate([1, 2, 3, 4], 0.5) == 2.5
    assert interpolate([10, 20, 30], 0.9) == 28
