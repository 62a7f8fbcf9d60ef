"""In a real headless Chromium: a client finds a provider on the provider page, filters by their
insurance network (live, with htmx), asks for that provider, and the referral appears in the
provider's portal, where they accept it."""

import pytest
from playwright.sync_api import expect

from providers.accounts import user_for
from referrals.models import Referral

pytestmark = pytest.mark.browser


def test_directory_filter_request_this_provider_then_portal(
    page, browser, live_server, signed_in, provider_factory, aetna, cigna
):
    ana = provider_factory("Ana", "Lee", networks=[aetna], credentials="LCSW")
    provider_factory("Ben", "Okafor", networks=[cigna])

    page.goto("/providers/")
    expect(page.get_by_role("link", name="Ben Okafor")).to_be_visible()
    page.get_by_label("Insurance network").select_option(label="Aetna")
    # htmx swaps the list in place and puts the filter in the address bar.
    expect(page.get_by_role("link", name="Ben Okafor")).to_have_count(0)
    expect(page).to_have_url(
        f"{live_server.url}/providers/?network={aetna.pk}&specialty=&language="
    )
    page.get_by_role("link", name="Ana Lee").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ana Lee, LCSW")
    page.get_by_role("link", name="Request this provider").click()

    expect(page.get_by_label("Preferred provider")).to_have_value(str(ana.pk))
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email", exact=True).fill("sam.rivera@example.org")
    page.get_by_label("Insurance").select_option(label="Aetna")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Sam")
    referral = Referral.objects.get()
    assert referral.preferred_provider == ana

    portal = browser.new_context(base_url=live_server.url).new_page()
    signed_in(portal, user_for(ana))
    portal.goto("/portal/")
    waiting = portal.get_by_role("listitem").filter(has_text=referral.number)
    expect(waiting).to_contain_text("Sam Rivera")
    expect(waiting).to_contain_text("left")
    waiting.get_by_role("button", name=f"Accept {referral.number}").click()
    expect(portal.get_by_role("status")).to_contain_text(f"You accepted {referral.number}")
    portal.context.close()

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana


def test_provider_page_fits_a_375px_phone(browser, live_server, provider_factory, aetna):
    provider_factory("Ana", "Lee", networks=[aetna], bio="A long biography " * 20)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/providers/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()
