""" "Contacted within 12 hours": among referrals a provider first accepted at least 12 hours ago,
the share whose client was confirmed contacted less than 12 hours after that first accept (an
exact 12:00:00 is late). The desk's analytics (page, breakdowns, CSV) and the Provider Portal
count it with one definition, `response_figures.contact_figure`.

Hand-computed data set (t = Monday 2026-11-02 14:00 UTC, now = t + 7 days):
  C1 accepted by Ana at t+1h, contacted at t+3h (2 h)              -> within
  C2 accepted by Ana at t+1h, contacted at t+13h (exactly 12 h)    -> late
  C3 accepted by Ben at t+1h, never contacted                      -> late
  C4 accepted by Ana at t+1h, declined by her at t+2h, accepted by Ben at t+5h and contacted by
     him at t+10h (9 h after the first accept)                    -> within, Ana's first accept
  C5 accepted by Ben at now-2h (inside its 12 hours)               -> not counted yet
  C6 never accepted                                                -> not counted
Desk: 2 of 4 = 50%. Ana (first accepts C1, C2, C4): 2 of 3. Ben (C3; C5 not yet): 0 of 1.
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from portal.responsiveness import contact_share
from referrals import services

T = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
NOW = T + timedelta(days=7)
H = timedelta(hours=1)
ACT = services.Actor("t")
PERIOD = {"start": "2026-11-01", "end": "2026-11-09"}


@pytest.fixture
def contacts(make_referral, ana, ben, aetna):
    def accepted(by, at, received=T):
        referral = make_referral(network=aetna, now=received)
        services.accept_referral(referral.pk, by, actor=ACT, now=at)
        return referral

    c1 = accepted(ana, T + H)
    services.confirm_contact(c1.pk, ana, actor=ACT, now=T + 3 * H)
    c2 = accepted(ana, T + H)
    services.confirm_contact(c2.pk, ana, actor=ACT, now=T + 13 * H)
    c3 = accepted(ben, T + H)
    c4 = accepted(ana, T + H)
    services.decline_referral(c4.pk, ana, reason="unavailable", actor=ACT, now=T + 2 * H)
    services.accept_referral(c4.pk, ben, actor=ACT, now=T + 5 * H)
    services.confirm_contact(c4.pk, ben, actor=ACT, now=T + 10 * H)
    c5 = accepted(ben, NOW - 2 * H, received=NOW - 3 * H)
    c6 = make_referral(network=aetna, now=T)
    return c1, c2, c3, c4, c5, c6


def test_the_desk_counts_the_share_contacted_within_12_hours(staff_client, contacts):
    with time_machine.travel(NOW, tick=False):
        response = staff_client.get(reverse("desk:analytics"), PERIOD)
    summary = response.context["summary"]
    assert (
        summary.counts["contacted_within_goal_base"],
        summary.counts["contacted_within_goal_met"],
    ) == (4, 2)
    assert summary.contacted_within_goal == 0.5
    page = response.content.decode()
    assert '<span class="figure-value" data-figure="contacted-within-12h">50%</span>' in page
    assert "exactly 12 hours is late" in page  # how it is counted, under the heading


def test_the_csv_says_per_referral_whether_it_was_contacted_within_12_hours(staff_client, contacts):
    with time_machine.travel(NOW, tick=False):
        response = staff_client.get(reverse("desk:export"), PERIOD)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_number = {r["referral"]: r["contacted_within_12h"] for r in rows}
    assert [by_number[c.number] for c in contacts] == ["yes", "no", "no", "yes", "", ""]


def test_the_portal_shows_each_provider_their_share_and_the_practices(client, contacts, ana, ben):
    assert contact_share(NOW - timedelta(days=30), NOW, ana.pk) == (2, 3)
    assert contact_share(NOW - timedelta(days=30), NOW, ben.pk) == (0, 1)
    assert contact_share(NOW - timedelta(days=30), NOW) == (2, 4)
    assert contact_share(NOW - timedelta(days=1), NOW, ana.pk) == (
        0,
        0,
    )  # window: first accepts in it
