"""A sign-in link is spent by its first use, and asking for one tells nothing: known and unknown
addresses get the same answer from the same work; the worker alone looks the address up."""

import re

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboxMessage
from providers.signin_links import send_requested_links
from tests.pages.conftest import outbox


def _without_csrf(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", html)


def _asked(email: str, ip: str = "203.0.113.7"):
    browser = Client(REMOTE_ADDR=ip)
    browser.get("/signin/")  # the CSRF cookie, as a person's browser has it
    with CaptureQueriesContext(connection) as queries:
        response = browser.post("/signin/", {"email": email})
    return response, len(queries)


def test_known_and_unknown_addresses_get_the_same_answer_from_the_same_queries(ana):
    known, known_queries = _asked(ana.email, ip="203.0.113.7")
    unknown, unknown_queries = _asked("nobody@example.com", ip="198.51.100.9")

    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.content.decode()) == _without_csrf(unknown.content.decode())
    assert known_queries == unknown_queries
    assert OutboxMessage.objects.count() == 0  # the page itself sends nothing, for either


def test_the_worker_emails_the_link_to_a_known_address_and_nothing_to_an_unknown_one(ana):
    _asked("nobody@example.com")
    _asked(ana.email)

    assert send_requested_links(timezone.now()) == 1
    [email] = outbox("provider_signin")
    assert email.recipient == ana.email
    assert re.search(r"/signin/\S+/", email.body_text)
    assert send_requested_links(timezone.now()) == 0  # each request is handled once


def test_the_worker_forgets_the_typed_address_once_it_has_handled_it(ana):
    from providers.models import SignInLink

    _asked("nobody@example.com")
    send_requested_links(timezone.now())
    assert SignInLink.objects.filter(email__icontains="nobody").count() == 0


def test_a_used_link_is_refused_the_second_time_and_says_it_was_used(ana):
    _asked(ana.email)
    send_requested_links(timezone.now())
    url = re.search(r"http\S+/signin/\S+/", outbox("provider_signin")[0].body_text).group(0)
    path = url.removeprefix(settings.SITE_URL)

    assert Client().post(path).status_code == 302
    again = Client()
    refused = again.post(path)
    assert refused.status_code == 400
    assert "already been used" in refused.content.decode()
    assert again.get("/accept/").status_code == 302  # not signed in
