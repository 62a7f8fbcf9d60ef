"""In a real headless Chromium, issue 9 end to end: a General referral is routed to a first wave
of providers by email; nobody answers, so after ROUTING_WAVE_AFTER the worker sends a second
wave; a provider of the second wave accepts from the link in their email; the desk's routing
trace shows both waves; the provider records the first session and the referral closes."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import OutboxMessage
from providers.accounts import user_for
from referrals.deadlines import run_due
from referrals.models import Referral
from tests.conftest import make_provider

pytestmark = pytest.mark.browser

NAMES = [
    ("Ana", "Lee"),
    ("Ben", "Okafor"),
    ("Cara", "Diaz"),
    ("Dev", "Patel"),
    ("Eve", "Novak"),
    ("Finn", "Walsh"),
    ("Gia", "Romano"),
]


def referral_emails(referral):
    return {
        m.recipient: m
        for m in OutboxMessage.objects.filter(
            referral=referral, channel=OutboxMessage.Channel.EMAIL, template="provider_referral"
        )
    }


def test_a_general_referral_goes_through_two_waves_to_a_first_session(
    page, browser, live_server, signed_in, settings, aetna
):
    settings.SITE_URL = live_server.url  # the emailed links point at this server
    settings.STAFF_IDLE_TIMEOUT = timedelta(days=365)  # the staff session outlives the wait
    assert settings.ROUTING and settings.ROUTING_WAVE_SIZE == 3
    providers = [
        make_provider(first, last, phone=f"+1201223{n:04d}", networks=[aetna])
        for n, (first, last) in enumerate(NAMES, start=1)
    ]
    by_email = {p.email: p for p in providers}
    assert len(by_email) == 7

    page.goto("/referrals/new/")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email", exact=True).fill("sam.rivera@example.org")
    page.get_by_label("Phone", exact=True).fill("(201) 234-5678")
    page.get_by_label("Insurance").select_option(label="Aetna")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you, Sam")
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.AVAILABLE and referral.preferred_provider is None

    first_wave = referral_emails(referral)
    assert len(first_wave) == 3 and set(first_wave) <= set(by_email)
    assert referral.next_wave_at is not None

    # Nobody answers. Just after ROUTING_WAVE_AFTER the worker sends the second wave.
    with time_machine.travel(referral.next_wave_at + timedelta(seconds=1), tick=True):
        assert run_due(timezone.now())["waves"] == 1
        second_wave = {to: m for to, m in referral_emails(referral).items() if to not in first_wave}
        assert len(second_wave) == 3 and set(second_wave) <= set(by_email)
        chosen_email, email = sorted(second_wave.items())[0]
        chosen = by_email[chosen_email]
        link = re.search(r"Accept or decline: (\S+)", email.body_text).group(1)
        assert link.startswith(live_server.url)

        provider_page = browser.new_context(base_url=live_server.url).new_page()
        provider_page.goto(link)
        expect(provider_page.get_by_role("heading", level=1)).to_have_text(
            f"Referral {referral.number}"
        )
        provider_page.get_by_role("button", name="Accept referral").click()
        expect(provider_page.get_by_role("heading", level=1)).to_have_text(
            f"You accepted referral {referral.number}"
        )
        referral.refresh_from_db()
        assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == chosen

        staff = get_user_model().objects.create_user("intake", is_staff=True)
        signed_in(page, staff)
        page.goto(f"/desk/referrals/{referral.pk}/")
        routing = page.locator("ol.routing")
        waves = routing.locator(":scope > li")
        expect(waves).to_have_count(2)
        expect(waves.nth(0)).to_contain_text("Wave 1")
        expect(waves.nth(1)).to_contain_text("Wave 2")
        for email_address in first_wave:
            expect(waves.nth(0)).to_contain_text(by_email[email_address].name)
        for email_address in second_wave:
            expect(waves.nth(1)).to_contain_text(by_email[email_address].name)
        expect(
            waves.nth(1).get_by_text(re.compile(rf"{chosen.name}: .* · Accepted"))
        ).to_be_visible()

        signed_in(provider_page, user_for(chosen))
        provider_page.goto("/portal/")
        card = provider_page.locator("li.card", has_text=referral.number)
        card.get_by_text("How did it go?").click()
        expect(card.get_by_label("First session on")).to_have_value(
            timezone.localdate().isoformat()
        )
        card.get_by_role("button", name="Record first session").click()
        expect(provider_page.get_by_role("status")).to_contain_text(
            f"{referral.number} closed: first session scheduled"
        )
        provider_page.context.close()

    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED
    assert referral.outcome == Referral.Outcome.FIRST_SESSION
    assert referral.first_session_on is not None
    assert page.csp_violations == []
