"""Pages that show client details are never stored by a browser or proxy, every page carries a
Content-Security-Policy without inline script or style, and the thanks page is shown once."""

import pytest
from django.conf import settings
from django.urls import reverse

from referrals.links import make_action_url
from referrals.web.intake_forms import SELF_PAY
from referrals.web.intake_views import SESSION_KEY
from tests.names import shows

INTAKE_FORM = {
    "first_name": "Sam",
    "last_name": "Rivera",
    "email": "sam.rivera@example.org",
    "phone": "(201) 234-5678",
    "insurance": SELF_PAY,
    "preferred_provider": "",
}


def _no_store(response):
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def referral(make_referral, ana):
    return make_referral(preferred=ana)


def test_desk_queue_and_timeline_are_not_stored(as_staff, referral):
    assert _no_store(as_staff.get(reverse("desk:queue")))
    assert _no_store(as_staff.get(reverse("desk:timeline", args=[referral.pk])))


def test_accept_referral_page_and_portal_are_not_stored(as_provider, ana, referral):
    client = as_provider(ana)
    assert _no_store(client.get(reverse("referrals:accept")))
    assert _no_store(client.get(reverse("portal:home")))


def test_the_emailed_accept_link_page_is_not_stored(client, referral, ana):
    path = make_action_url(referral, ana).removeprefix(settings.SITE_URL)
    response = client.get(path + "?choice=accept")
    assert response.status_code == 200 and _no_store(response)


def test_thanks_page_is_not_stored_and_keeps_nothing_in_the_session(client, db):
    client.post(reverse("referrals:intake"), INTAKE_FORM)
    assert SESSION_KEY in client.session
    response = client.get(reverse("referrals:intake_done"))
    assert response.status_code == 200 and "Sam" in response.content.decode()
    assert _no_store(response)
    assert SESSION_KEY not in client.session
    again = client.get(reverse("referrals:intake_done"))
    assert again.status_code == 302 and not shows(again.content.decode(), "Sam")


def test_a_refused_intake_form_is_not_stored(client, db):
    response = client.post(reverse("referrals:intake"), {**INTAKE_FORM, "first_name": ""})
    assert response.status_code == 400 and _no_store(response)


def test_public_pages_may_be_cached(client, db):
    assert not _no_store(client.get(reverse("providers:directory")))


@pytest.mark.parametrize("path", ["/", "/referrals/new/", "/providers/", "/signin/"])
def test_every_page_has_a_csp_without_inline_script_or_style(client, db, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_staff_pages_have_the_csp_too(as_staff, db):
    assert "script-src 'self'" in as_staff.get(reverse("desk:queue"))["Content-Security-Policy"]


def test_htmx_is_told_not_to_inject_its_indicator_style(client, db):
    page = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in page
