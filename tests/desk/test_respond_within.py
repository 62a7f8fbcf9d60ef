"""The practice's response goal is one setting, RESPOND_WITHIN (the policy's 12 hours): the
analytics count against it and the desk, the portal and the figures' explanations say it."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from portal.responsiveness import summary
from referrals import services

T = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)
ACT = services.Actor("t")


def test_an_answer_in_8_hours_is_within_the_default_goal_and_not_within_6_hours(
    settings, make_referral, ana, aetna
):
    referral = make_referral(network=aetna, preferred=ana, now=T)
    services.accept_referral(referral.pk, ana, actor=ACT, now=T + 8 * H)
    assert summary(T - H, ana.pk).within == 1
    settings.RESPOND_WITHIN = 6 * H
    assert summary(T - H, ana.pk).within == 0


def test_the_desk_and_the_figures_explanations_say_the_goal_set(settings, staff_client):
    settings.RESPOND_WITHIN = 6 * H
    with time_machine.travel(T, tick=False):
        desk = staff_client.get(reverse("desk:analytics")).content.decode()
    assert "respond within 6 hours" in desk and "answered within 6 hours" in desk
    assert "12 hours" not in desk and "Within 12 h<" not in desk
    assert "less than 6 hours" in render_to_string("figures/within.html")
