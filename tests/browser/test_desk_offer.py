"""Intake staff, in a real browser: sign in, filter the queue, offer a referral to a provider,
and see the offer in the referral's timeline."""

import pytest
from django.contrib.auth import get_user_model

from providers.models import InsuranceNetwork, Provider
from referrals import services
from referrals.models import Referral, ReferralEvent

pytestmark = pytest.mark.browser


def test_staff_filter_the_queue_and_offer_a_referral(page, signed_in):
    aetna = InsuranceNetwork.objects.create(name="Aetna")
    cigna = InsuranceNetwork.objects.create(name="Cigna")
    dana = Provider.objects.create(first_name="Dana", last_name="Reyes", email="dana@example.com")
    dana.insurance_networks.set([aetna])
    details = services.ClientDetails("Sam", "Rivera", "sam@example.org", "")
    other = services.ClientDetails("Jo", "Park", "jo@example.org", "")
    actor = services.Actor("test")
    wanted = services.create_referral(
        client=details, insurance_network=aetna, preferred_provider=None, actor=actor
    )
    services.create_referral(
        client=other, insurance_network=cigna, preferred_provider=None, actor=actor
    )
    staff = get_user_model().objects.create_user("intake", is_staff=True)
    signed_in(page, staff)

    page.goto("/desk/")
    assert page.get_by_role("heading", name="Needs attention").is_visible()
    page.get_by_label("Insurance network").select_option(label="Aetna")
    page.wait_for_url("**network=*")  # htmx pushed the filter into the address bar
    results = page.locator("#queue-results")
    results.get_by_text("Jo Park").wait_for(state="detached")
    assert results.get_by_text("Sam Rivera").is_visible()

    results.get_by_role("link", name=wanted.number).click()
    page.get_by_label("Offer to provider").select_option(label="Dana Reyes")
    page.get_by_role("button", name="Offer referral").click()

    assert page.get_by_text("Offered to Dana Reyes.").is_visible()
    timeline = page.locator(".timeline")
    assert timeline.get_by_text("Offered to a provider by staff").is_visible()
    assert timeline.get_by_text("to dana@example.com").first.is_visible()
    referral = Referral.objects.get(pk=wanted.pk)
    assert referral.status == Referral.Status.PENDING and referral.offered_to == dana
    assert referral.events.filter(kind=ReferralEvent.Kind.OFFERED, actor_label="intake").exists()
