"""Provider sign-in by a one-time emailed link; sign-out."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from notifications.models import OutboxMessage
from providers.models import Provider
from providers.signin_links import send_requested_links
from tests.pages.conftest import outbox


def _link(message: OutboxMessage) -> str:
    url = re.search(r"http\S+/signin/\S+", message.body_text).group(0)
    return url.removeprefix(settings.SITE_URL)


def _without_csrf(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", html)


def _ask(client, email, next_url=""):
    """Ask for a link, and let the worker handle the request (it emails the link)."""
    response = client.post("/signin/", {"email": email, "next": next_url})
    send_requested_links(timezone.now())
    return response


def test_signin_page_asks_for_the_practice_email_and_points_staff_to_admin(client, db):
    html = client.get("/signin/").content.decode()
    assert "practice email address" in html and ">/admin/</a>" in html


def test_known_provider_gets_a_link_by_email(client, ana):
    response = _ask(client, "ANA.LEE@example.com")
    assert "Check your email" in response.content.decode()
    [email] = outbox("provider_signin")
    assert email.recipient == "ana.lee@example.com"
    assert "works once, for 15 minutes" in email.body_text
    assert "Sign in" in email.body_html and _link(email) in email.body_html


def test_unknown_address_gets_the_same_page_and_no_email(client, ana):
    known = _ask(client, "ana.lee@example.com").content.decode()
    unknown = _ask(Client(), "nobody@example.com").content.decode()
    assert _without_csrf(known) == _without_csrf(unknown)
    assert len(outbox("provider_signin")) == 1


def test_inactive_provider_gets_no_link(client, provider_factory):
    provider_factory("Ina", "Gone", status=Provider.Status.INACTIVE)
    assert "Check your email" in _ask(client, "ina.gone@example.com").content.decode()
    assert outbox("provider_signin") == []


@pytest.mark.parametrize("email", ["", "not-an-email", "a@" + "b" * 300 + ".com"])
def test_bad_address_is_a_clear_error(client, db, email):
    response = _ask(client, email)
    assert response.status_code == 400
    assert OutboxMessage.objects.count() == 0


def test_link_shows_a_button_and_only_the_post_signs_in(client, ana):
    _ask(client, ana.email)
    path = _link(outbox("provider_signin")[0])
    page = Client()
    shown = page.get(path)
    assert shown.status_code == 200 and ">Sign in</button>" in shown.content.decode()
    assert page.get("/accept/").status_code == 302  # the GET did not sign in
    signed_in = page.post(path)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/accept/"
    assert page.get("/accept/").status_code == 200
    ana.refresh_from_db()
    assert ana.user is not None and not ana.user.has_usable_password()


def test_link_works_once(client, ana):
    _ask(client, ana.email)
    path = _link(outbox("provider_signin")[0])
    assert Client().post(path).status_code == 302
    second = Client()
    again = second.post(path)
    assert again.status_code == 400 and "cannot be used" in again.content.decode()
    assert second.get("/accept/").status_code == 302


def test_an_earlier_link_dies_when_a_later_one_is_used(client, ana):
    _ask(client, ana.email)
    first = _link(outbox("provider_signin")[0])
    from providers.accounts import user_for

    user_for(ana)  # second sign-in for an existing user
    _ask(client, ana.email)
    second = _link(outbox("provider_signin")[1])
    assert Client().post(second).status_code == 302
    assert Client().post(first).status_code == 400


def test_link_expires_after_15_minutes(ana, t0):
    with time_machine.travel(t0, tick=False):
        _ask(Client(), ana.email)
        path = _link(outbox("provider_signin")[0])
    with time_machine.travel(t0 + timedelta(minutes=15, seconds=1), tick=False):
        response = Client().post(path)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_provider_made_inactive_cannot_use_their_link(client, ana):
    _ask(client, ana.email)
    path = _link(outbox("provider_signin")[0])
    Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE)
    page = Client()
    assert page.post(path).status_code == 400
    assert page.get("/accept/").status_code == 302


def test_tampered_link_is_refused(client, ana):
    _ask(client, ana.email)
    path = _link(outbox("provider_signin")[0])
    assert Client().post(path[:-3] + "xx/").status_code == 400
    assert Client().get("/signin/nonsense/").status_code == 400


def test_signin_returns_to_next(client, ana):
    _ask(client, ana.email, "/accept/?referral=7")
    path = _link(outbox("provider_signin")[0])
    assert Client().post(path)["Location"] == "/accept/?referral=7"


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_next_to_another_site_is_ignored(client, ana, evil):
    _ask(client, ana.email, evil)
    path = _link(outbox("provider_signin")[0])
    assert Client().post(path + "?next=" + evil)["Location"] == "/accept/"


def test_signin_page_carries_next_from_login_required(client, db):
    html = client.get("/signin/?next=/accept/%3Freferral%3D3").content.decode()
    assert 'value="/accept/?referral=3"' in html
    assert 'href="/admin/login/?next=/accept/%3Freferral%3D3"' in html  # staff keep their place


def test_signout_is_a_post(as_provider, ana):
    client = as_provider(ana)
    assert client.get("/signout/").status_code == 200
    assert client.get("/accept/").status_code == 200
    assert client.post("/signout/").status_code == 302
    assert client.get("/accept/").status_code == 302
