"""In a real headless Chromium: a client asks to be seen, and the provider they named accepts
on the Accept Referral page, as the practice's user guide teaches."""

import pytest
from playwright.sync_api import expect

from notifications.models import OutboxMessage
from providers.accounts import user_for
from referrals.models import Referral

pytestmark = pytest.mark.browser


def test_client_asks_for_a_provider_who_accepts_on_the_accept_referral_page(
    page, browser, live_server, signed_in, ana, aetna
):
    page.goto("/")
    page.get_by_role("link", name="Request an appointment").first.click()
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email", exact=True).fill("sam.rivera@example.org")
    page.get_by_label("Phone", exact=True).fill("(201) 234-5678")
    page.get_by_label("Insurance").select_option(label="Aetna")
    page.get_by_label("Preferred provider").select_option(label="Ana Lee")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Sam")
    referral = Referral.objects.get()
    expect(page.get_by_text(referral.number)).to_be_visible()

    provider_page = browser.new_context(base_url=live_server.url).new_page()
    signed_in(provider_page, user_for(ana))
    provider_page.goto("/accept/")
    provider_page.get_by_label("First name").fill("sam")
    provider_page.get_by_label("Last name").fill("Rivera")
    provider_page.get_by_role("button", name="Search").click()
    reason = provider_page.get_by_role("group", name="Why are you declining?")
    provider_page.get_by_label("Referral status").select_option(label="Decline")
    expect(reason).to_be_visible()
    provider_page.get_by_label("Referral status").select_option(label="Accept")
    expect(reason).to_be_hidden()
    provider_page.get_by_label("Provider Requested").select_option(label="Ana Lee")
    provider_page.get_by_role("button", name="Accept Referral").click()
    expect(provider_page.get_by_role("status")).to_contain_text(
        f"Referral {referral.number} accepted for Ana Lee"
    )
    provider_page.context.close()

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana
    assert OutboxMessage.objects.filter(
        referral=referral, channel="slack", template="referral_accepted"
    ).exists()


def test_intake_form_fits_a_375px_phone_without_sideways_scrolling(browser, live_server, ana):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    for path in ("/referrals/new/", "/"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()
