"""In a real Chromium: searching for a client by name, on the Accept Referral page and on the
staff desk, leaves no name in the address bar (so none in history, Referer or access logs)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from providers.accounts import user_for

pytestmark = pytest.mark.browser


def test_accept_page_search_keeps_the_name_out_of_the_address_bar(
    page, signed_in, make_referral, ana, aetna
):
    make_referral(network=aetna, preferred=ana)
    signed_in(page, user_for(ana))
    page.goto("/accept/")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Referrals found: 1")).to_be_visible()
    assert "Rivera" not in page.url and "rivera" not in page.url.lower()


def test_desk_name_filter_keeps_the_name_out_of_the_address_bar(
    page, signed_in, make_referral, aetna
):
    make_referral(network=aetna)
    signed_in(page, get_user_model().objects.create_user("intake", is_staff=True))
    page.goto("/desk/")
    page.get_by_label("Insurance network").select_option(label="Aetna")
    page.wait_for_url("**network=*")
    with page.expect_response(lambda r: r.request.method == "POST" and "/desk/" in r.url):
        page.get_by_label("Client name").fill("Rivera")
    results = page.locator("#queue-results")
    expect(results.get_by_text("Sam Rivera")).to_be_visible()
    assert "Rivera" not in page.url and "network=" in page.url
    with page.expect_response(lambda r: r.request.method == "POST" and "/desk/" in r.url):
        page.get_by_label("Client name").fill("Nobody")
    expect(results.get_by_text("No open referrals match these filters.")).to_be_visible()
    assert "Nobody" not in page.url
