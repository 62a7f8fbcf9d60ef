"""The order of a wave (fit, then fairness, then responsiveness) and the desk's routing trace."""

from datetime import timedelta

import pytest
from django.urls import reverse

from providers.models import Language, Specialty
from referrals import routing, services
from referrals.models import Offer
from tests.policy.helpers import PROVIDER

pytestmark = pytest.mark.django_db


def names(wave) -> list[str]:
    return [pick.provider.first_name for pick in wave.picks]


def test_fit_comes_first_then_fairness_then_responsiveness(make_referral, aetna, five, t0):
    ana, ben, cleo, dev, eli = five
    spanish = Language.objects.create(name="Spanish")
    grief = Specialty.objects.create(name="Grief")
    eli.languages.add(spanish)
    eli.specialties.add(grief)
    dev.languages.add(spanish)
    # Fairness: Ana was offered a referral lately (as preferred provider), Ben and Cleo not.
    services.create_referral(
        client=services.ClientDetails("A", "B", "a@example.org", ""),
        insurance_network=aetna,
        preferred_provider=ana,
        actor=PROVIDER,
        now=t0,
    )
    # Responsiveness: Cleo answered an offer in 1 hour; Ben never answered one.
    other = make_referral(network=aetna, preferred=cleo, now=t0)
    services.accept_referral(other.pk, cleo, actor=PROVIDER, now=t0 + timedelta(hours=1))
    services.create_referral(  # Ben is offered one too, so Ben and Cleo are level on fairness
        client=services.ClientDetails("C", "D", "c@example.org", ""),
        insurance_network=aetna,
        preferred_provider=ben,
        actor=PROVIDER,
        now=t0,
    )
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    referral.language = spanish
    referral.save()
    referral.focus_areas.set([grief])

    wave = routing.next_wave(referral, t0 + timedelta(hours=2), size=5)

    # Eli fits language + focus, Dev language; then Cleo (fast) before Ben (no answers), Ana last.
    assert names(wave) == ["Eli", "Dev", "Cleo", "Ben", "Ana"]
    assert wave.picks[0].reason.startswith("fits language, focus area")
    assert "median answer 1.0 h" in wave.picks[2].reason


def test_the_timeline_shows_every_wave_and_who_was_skipped_in_constant_queries(
    staff_client, make_referral, aetna, five, t0, django_assert_num_queries
):
    from referrals.deadlines import run_due
    from tests.conftest import make_provider

    one = make_referral(network=aetna, now=t0)
    many = make_referral(network=aetna, preferred=five[0], now=t0)
    services.decline_referral(many.pk, five[0], reason="unavailable", actor=PROVIDER, now=t0)
    services.decline_referral(many.pk, five[1], reason="unavailable", actor=PROVIDER, now=t0)
    make_provider("Fay", "Test", phone="+12012230009", networks=[aetna])
    run_due(t0 + timedelta(hours=4))
    assert Offer.objects.filter(referral=many).values("wave").distinct().count() == 2

    def count(referral):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = staff_client.get(reverse("desk:timeline", args=[referral.pk]))
        return response, len(ctx)

    count(one)  # the first request of a session does its own housekeeping
    _, few_queries = count(one)
    response, queries = count(many)
    assert queries == few_queries
    page = response.content.decode()
    assert "Routing" in page and "Wave 1" in page and "Wave 2" in page
    assert "in place of Ben Test, who declined" in page
    assert "Ana Test (declined before)" in page  # the preferred provider, skipped
    assert "Declined" in page and "no answer yet" in page
