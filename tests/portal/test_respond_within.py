"""The Provider Portal says the practice's response goal as set (RESPOND_WITHIN)."""

from datetime import timedelta

from django.urls import reverse


def test_my_responsiveness_says_the_goal_set(settings, as_provider, ana):
    settings.RESPOND_WITHIN = timedelta(hours=6)
    portal = as_provider(ana).get(reverse("portal:home")).content.decode()
    assert "The practice asks for an answer within 6 hours" in portal
    assert "Clients contacted within 6 hours of accepting" in portal
    assert "12 hours" not in portal
