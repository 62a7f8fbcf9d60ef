"""Every page a client, provider or staff member uses passes axe-core's automated accessibility
rules (WCAG 2 A/AA and best practices) in a real Chromium: labels, names, contrast, landmarks,
headings, alt text. Automated checks catch about half of real problems; they keep us from
regressing on that half. Each page also loads without a Content-Security-Policy violation."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model

from providers.accounts import user_for
from referrals import services
from referrals.links import make_action_url

pytestmark = pytest.mark.browser

AXE = Axe()


def assert_accessible(page, path):
    page.goto(path)
    results = AXE.run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
    assert page.csp_violations == []


@pytest.fixture
def referral(provider_factory, aetna):
    ana = provider_factory("Ana", "Lee", networks=[aetna])
    details = services.ClientDetails("Sam", "Rivera", "sam@example.org", "")
    return services.create_referral(
        client=details, insurance_network=aetna, preferred_provider=ana, actor=services.Actor("t")
    )


def test_public_pages_are_accessible(page, referral):
    for path in ["/", "/referrals/new/", "/providers/", f"/providers/{referral.offered_to.pk}/"]:
        assert_accessible(page, path)
    page.goto("/referrals/new/")
    page.get_by_role("button", name="Send my request").click()  # the error summary
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()
    assert_accessible(page, "/signin/")


def test_provider_pages_are_accessible(page, signed_in, referral):
    provider = referral.offered_to
    link = urlsplit(make_action_url(referral, provider))
    assert_accessible(page, f"{link.path}?{link.query}" if link.query else link.path)
    signed_in(page, user_for(provider))
    for path in [
        "/portal/",
        "/portal/profile/",
        "/portal/availability/",
        "/portal/devices/",
        "/accept/?first_name=Sam&last_name=Rivera",
    ]:
        assert_accessible(page, path)


def test_staff_pages_are_accessible(page, signed_in, referral):
    signed_in(page, get_user_model().objects.create_user("intake", is_staff=True))
    for path in [
        "/desk/",
        f"/desk/referrals/{referral.pk}/",
        "/desk/analytics/",
        "/desk/providers/",
    ]:
        assert_accessible(page, path)
    page.wait_for_timeout(200)  # htmx has run and may have injected something
    assert page.csp_violations == []


def test_staff_authenticator_set_up_is_accessible(page, signed_in, settings, db):
    settings.STAFF_2FA_REQUIRED = True
    signed_in(page, get_user_model().objects.create_user("intake", is_staff=True))
    assert_accessible(page, "/desk/sign-in/code/")
    assert page.get_by_role("heading", name="Set up your authenticator app").is_visible()


def test_admin_pages_load_without_csp_violations(page, signed_in, referral):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    signed_in(page, admin)
    for path in [
        "/admin/",
        "/admin/referrals/referral/",
        f"/admin/referrals/referral/{referral.pk}/change/",
        "/admin/providers/provider/add/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert page.csp_violations == []


def test_recording_how_a_referral_ended_is_accessible_and_closes_it(page, signed_in, referral):
    provider = referral.offered_to
    services.accept_referral(referral.pk, provider, actor=services.Actor("t"))
    signed_in(page, user_for(provider))
    page.goto("/portal/")
    page.get_by_text("How did it go?").click()
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_role("button", name="Record first session").click()

    assert "closed: first session scheduled" in page.content()
    referral.refresh_from_db()
    assert referral.outcome == "first_session"
    assert page.csp_violations == []
