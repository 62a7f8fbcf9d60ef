"""Countdowns are coloured by the time left, not always red: "urgent" within 2 hours, "soon"
within 6, "calm" beyond, "past" once passed; on the desk queue, the timeline and the portal."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse

from config.display import urgency
from tests.portal.conftest import give_user

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_urgency_follows_the_time_left():
    assert urgency(NOW + timedelta(minutes=30), NOW) == "urgent"
    assert urgency(NOW + timedelta(hours=4), NOW) == "soon"
    assert urgency(NOW + timedelta(hours=30), NOW) == "calm"
    assert urgency(NOW - timedelta(minutes=1), NOW) == "past"


def _classes(body: str, label: str) -> str:
    return re.search(rf'class="(\w+)">{label}', body).group(1)


def test_the_queue_colours_each_deadline_by_its_time_left(
    staff_client, make_referral, ana, aetna, t0
):
    make_referral(network=aetna, preferred=ana, now=t0)
    with time_machine.travel(t0 + timedelta(hours=11), tick=False):
        body = staff_client.get(reverse("desk:queue")).content.decode()
    assert _classes(body, "link expires") == "urgent"  # 1 hour left
    assert _classes(body, "24-hour reminder") == "calm"  # 13 hours left
    assert _classes(body, "declined automatically") == "calm"  # 37 hours left


def test_the_timeline_colours_each_deadline_by_its_time_left(
    staff_client, make_referral, ana, aetna, t0
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    with time_machine.travel(t0 + timedelta(hours=20), tick=False):
        body = staff_client.get(reverse("desk:timeline", args=[referral.pk])).content.decode()
    assert '<dd class="past"><time' in body  # the link expired at 12 hours
    assert '<dd class="soon"><time' in body  # the reminder, 4 hours away
    assert '<dd class="calm"><time' in body  # the automatic decline, 28 hours away


def test_the_portal_does_not_paint_a_far_deadline_red(client, make_referral, ana, aetna, t0):
    make_referral(network=aetna, preferred=ana, now=t0)
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        client.force_login(give_user(ana))
        body = client.get(reverse("portal:home")).content.decode()
    assert '<span class="calm">(11 hours left)</span>' in body
    assert '<span class="calm">(1 day 23 hours left)</span>' in body
    assert 'class="urgent"' not in body
