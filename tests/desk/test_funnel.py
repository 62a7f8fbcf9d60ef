"""The funnel on the analytics page and in the CSV, against values computed by hand.

The data set (t = Monday 2026-11-02 14:00 UTC = 09:00 in New York, the display time zone):
  F1 General, Aetna, t: Ana accepts, confirms contact; first session Mon 9 Nov (7 days).
  F2 Preferred (Ana), Aetna, t+1h: Ana accepts; first session Thu 5 Nov (3 days; recording it
     counts as contact).
  F3 General, self-pay, t+2h: Ben accepts and confirms contact; still open.
  F4 General, Aetna, t+3h: Ben accepts, two attempts, could not reach the client.
  F5 General, Aetna, t+4h: nobody accepts; staff close it "no provider available".
  F6 General, Aetna, t+5h: the same person as F3 (other email): merged into F3, left out.
  F7 General, Aetna, t+7d (Mon 9 Nov): Ana accepts; first session Thu 19 Nov (10 days).
Now = t + 14 days.
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from referrals import services
from tests.conftest import another_person

T = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)
PERIOD = {"start": "2026-11-01", "end": "2026-11-15"}
STAFF = services.Actor("intake", is_staff=True)
PROVIDER = services.Actor("provider")


@pytest.fixture
def funnel_data(make_referral, ana, ben, aetna):
    def first_session(referral, provider, on, at):
        services.close_referral(
            referral.pk, "first_session", actor=PROVIDER, provider=provider,
            first_session_on=on, now=at,
        )  # fmt: skip

    f1 = make_referral(network=aetna, now=T)
    services.accept_referral(f1.pk, ana, actor=PROVIDER, now=T + 2 * H)
    services.confirm_contact(f1.pk, ana, actor=PROVIDER, now=T + 5 * H)
    first_session(f1, ana, date(2026, 11, 9), T + 6 * H)
    f2 = make_referral(network=aetna, preferred=ana, now=T + H)
    services.accept_referral(f2.pk, ana, actor=PROVIDER, now=T + 3 * H)
    first_session(f2, ana, date(2026, 11, 5), T + 8 * H)
    f3 = make_referral(network=None, now=T + 2 * H)
    services.accept_referral(f3.pk, ben, actor=PROVIDER, now=T + 4 * H)
    services.confirm_contact(f3.pk, ben, actor=PROVIDER, now=T + 6 * H)
    f4 = make_referral(network=aetna, now=T + 3 * H)
    services.accept_referral(f4.pk, ben, actor=PROVIDER, now=T + 4 * H)
    for hours in (5, 30):
        services.record_contact_attempt(f4.pk, ben, actor=PROVIDER, now=T + hours * H)
    services.close_referral(f4.pk, "unreachable", actor=PROVIDER, provider=ben, now=T + 31 * H)
    f5 = make_referral(network=aetna, now=T + 4 * H)
    services.close_referral(f5.pk, "no_provider", actor=STAFF, note="None free", now=T + 9 * H)
    f6 = make_referral(network=aetna, now=T + 5 * H)
    services.merge_referrals(f6.pk, f3.pk, actor=STAFF, now=T + 6 * H)
    f7 = make_referral(network=aetna, now=T + 7 * 24 * H, client=another_person(99))
    services.accept_referral(f7.pk, ana, actor=PROVIDER, now=T + 7 * 24 * H + H)
    first_session(f7, ana, date(2026, 11, 19), T + 8 * 24 * H)
    return f1, f2, f3, f4, f5, f6, f7


def get(client, url="desk:analytics"):
    with time_machine.travel(T + timedelta(days=14), tick=False):
        return client.get(reverse(url), PERIOD)


def test_the_funnel_for_the_whole_period(staff_client, funnel_data):
    summary = get(staff_client).context["summary"]
    assert summary.received == 7  # the other figures still count the duplicate
    assert summary.funnel == {
        "received": 6,  # F6 merged: left out
        "accepted": 5,  # not F5
        "accepted_share": 5 / 6,
        "contacted": 4,  # F1, F2 (first session), F3, F7 (first session); not F4
        "contacted_share": 0.8,
        "first_session": 3,  # F1, F2, F7
        "first_session_share": 0.75,
    }
    # days to first session: 3, 7, 10 -> median 7; p90 = 7 + 0.8 * 3 = 9.4
    assert summary.first_session == {"median": 7, "p90": pytest.approx(9.4)}


def test_the_funnel_per_provider_type_network_and_week(staff_client, funnel_data):
    context = get(staff_client).context

    def table(rows):
        return {
            r.label: (
                r.funnel.get("received"),
                r.funnel["accepted"],
                r.funnel["contacted"],
                r.funnel["first_session"],
                r.first_session["median"],
            )
            for r in rows
        }

    assert table(context["holders"]) == {
        "Ana Lee": (3, 3, 3, 3, 7),  # from her accept on: F1, F2, F7
        "Ben Okafor": (2, 2, 1, 0, None),  # F3 contacted, F4 unreachable
    }
    assert table(context["types"]) == {
        "Preferred Provider": (1, 1, 1, 1, 3),
        "General": (5, 4, 3, 2, 8.5),  # days 7 and 10
    }
    assert table(context["networks"]) == {
        "Aetna": (5, 4, 3, 3, 7),
        "Self-pay / other": (1, 1, 1, 0, None),
    }
    assert table(context["weeks"]) == {
        "Nov 2": (5, 4, 3, 2, 5),  # days 7 and 3
        "Nov 9": (1, 1, 1, 1, 10),
    }


def test_the_page_shows_the_funnel_and_says_how_it_is_counted(staff_client, funnel_data):
    page = get(staff_client).content.decode()
    section = page.split('id="funnel-h"', 1)[1].split("</section>", 1)[0]
    assert '<span class="figure-value" data-figure="funnel-first-session">3</span>' in section
    assert '<span class="figure-value" data-figure="median-first-session">7 days</span>' in section
    assert '<p class="how' in section and "Each percentage is a share of the step before" in section


def test_the_csv_carries_each_referrals_outcome_and_days_to_first_session(
    staff_client, funnel_data
):
    response = get(staff_client, "desk:export")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    got = [(r["outcome"], r["first_session_on"], r["first_session_days"]) for r in rows]
    assert got == [
        ("first_session", "2026-11-09", "7"),
        ("first_session", "2026-11-05", "3"),
        ("", "", ""),
        ("unreachable", "", ""),
        ("no_provider", "", ""),
        ("duplicate", "", ""),
        ("first_session", "2026-11-19", "10"),
    ]
    assert rows[0]["contacted_at_utc"] == "2026-11-02T19:00:00+00:00"
