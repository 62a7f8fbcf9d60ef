"""In a real headless Chromium, as a client: submit a request, open the status page from the
confirmation email (delivered by the worker to the loopback SMTP server), see the provider who
accepted, withdraw a second request and see it closed. The status page passes axe-core at
1280 and 390 pixels wide."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from providers.models import Provider
from referrals import services
from referrals.models import Referral
from tests.client_status.conftest import status_path
from tests.loopback.fixtures import channels, slack_server, smtp_server, twilio_server  # noqa: F401

pytestmark = pytest.mark.browser
AXE = Axe()


def _submit(page, first, email, provider=None):
    page.goto("/referrals/new/")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email", exact=True).fill(email)
    consent = page.get_by_label("You may email me")
    if consent.count():  # (where email is not yet required for every client)
        consent.check()
    page.get_by_label("Insurance").select_option(label="Aetna")
    if provider:
        page.get_by_label("Preferred provider").select_option(label=provider)
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Thank you, {first}")


def _status_path_from_email(smtp, address) -> str:
    call_command("worker", "--once", stdout=StringIO())
    [confirmation] = [m for m in smtp.to(address) if "We received" in m["Subject"]]
    text = confirmation.get_body(("plain",)).get_content()
    url = re.search(r"See where your request stands, any time: (\S+)", text).group(1)
    return urlsplit(url).path


def test_client_follows_their_request_and_withdraws_another(page, channels, ana, aetna):  # noqa: F811
    _submit(page, "Sam", "sam.rivera@example.org", provider="Ana Lee")
    first = Referral.objects.get()
    status = _status_path_from_email(channels.smtp, "sam.rivera@example.org")
    page.goto(status)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Hello Sam: your request {first.number}"
    )
    expect(page.get_by_text("Waiting for a provider.")).to_be_visible()

    Provider.objects.filter(pk=ana.pk).update(office_phone="+12125550111")  # the line for clients
    services.accept_referral(first.pk, ana, actor=services.Actor("provider"))
    page.reload()
    expect(page.get_by_text("Accepted by Ana Lee")).to_be_visible()
    call = page.get_by_role("link", name="(212) 555-0111")
    expect(call).to_have_attribute("href", "tel:+12125550111")

    _submit(page, "Jo", "jo.rivera@example.org")
    second = Referral.objects.exclude(pk=first.pk).get()
    page.goto(_status_path_from_email(channels.smtp, "jo.rivera@example.org"))
    page.get_by_role("button", name="Close my request").click()  # not confirmed: nothing changes
    expect(page.get_by_role("alert")).to_contain_text("Tick the box to confirm")
    page.get_by_label("Yes, close my request").check()
    page.get_by_role("button", name="Close my request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request is closed")
    expect(page.get_by_text("you told us you no longer need this")).to_be_visible()
    second.refresh_from_db()
    assert second.outcome == Referral.Outcome.WITHDREW
    assert Referral.objects.get(pk=first.pk).status == Referral.Status.ACCEPTED


def _accessible_and_fits(page, width):
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {width}px"
    assert page.csp_violations == []


@pytest.mark.parametrize("width", [1280, 390])
def test_status_page_is_accessible_and_fits_the_screen(page, make_referral, ana, aetna, width):
    page.set_viewport_size({"width": width, "height": 900})
    referral = make_referral(network=aetna, preferred=ana)
    path = status_path(referral)
    page.goto(path)  # waiting for a provider
    _accessible_and_fits(page, width)
    page.get_by_role("button", name="Save the best times").click()  # the error summary
    _accessible_and_fits(page, width)
    services.accept_referral(referral.pk, ana, actor=services.Actor("provider"))
    page.goto(path)  # accepted by a named provider
    _accessible_and_fits(page, width)
    page.goto("/status/not-a-token/")  # the kind page for a link that does not work
    _accessible_and_fits(page, width)
