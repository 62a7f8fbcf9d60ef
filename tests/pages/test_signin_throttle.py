"""Sign-in emails are limited per address and per client IP; the page never shows the limit."""

import logging
import re
from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from config.client_ip import parse_trusted_proxies
from providers import signin_throttle
from providers.signin_links import send_requested_links
from tests.pages.conftest import outbox


def _ask(email, ip="203.0.113.7"):
    response = Client(REMOTE_ADDR=ip).post("/signin/", {"email": email})
    send_requested_links(timezone.now())
    return response


def _page(response) -> str:
    return re.sub(
        r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", response.content.decode()
    )


def test_sixth_request_for_one_address_in_an_hour_sends_no_email(ana, t0, caplog):
    with time_machine.travel(t0, tick=False):
        pages = [_page(_ask(ana.email, ip=f"203.0.113.{i}")) for i in range(5)]
        assert len(outbox("provider_signin")) == 5
        with caplog.at_level(logging.WARNING, logger="referral_desk.signin"):
            sixth = _ask(ana.email.upper(), ip="198.51.100.9")

    assert sixth.status_code == 200
    assert _page(sixth) == pages[0]  # the same "check your email" page
    assert len(outbox("provider_signin")) == 5
    [record] = caplog.records
    assert "over 5 emails this hour to address" in record.getMessage()
    assert "ana" not in caplog.text.lower() and "example.com" not in caplog.text


def test_an_address_gets_emails_again_after_an_hour(ana, t0):
    with time_machine.travel(t0, tick=False):
        for _ in range(6):
            _ask(ana.email)
    assert len(outbox("provider_signin")) == 5
    with time_machine.travel(t0 + timedelta(hours=1, seconds=1), tick=False):
        _ask(ana.email)
    assert len(outbox("provider_signin")) == 6


def test_limit_on_one_address_leaves_other_providers_alone(ana, provider_factory, t0):
    ben = provider_factory("Ben", "Ortiz")
    with time_machine.travel(t0, tick=False):
        for _ in range(6):
            _ask(ana.email)
        _ask(ben.email)
    assert [m.recipient for m in outbox("provider_signin")].count(ben.email) == 1


def test_one_ip_gets_a_limited_number_of_requests_an_hour_whatever_the_addresses(
    provider_factory, t0, caplog, monkeypatch
):
    monkeypatch.setattr(signin_throttle, "REQUEST_LIMIT", 20)  # the rule, at a size that is quick
    providers = [provider_factory("Pat", f"Number{i}", phone="") for i in range(21)]
    with time_machine.travel(t0, tick=False):
        pages = [_page(_ask(p.email)) for p in providers[:20]]
        with caplog.at_level(logging.WARNING, logger="referral_desk.signin"):
            last = _ask(providers[20].email)
        from_elsewhere = _ask(providers[20].email, ip="198.51.100.9")

    assert _page(last) == pages[0]
    recipients = [m.recipient for m in outbox("provider_signin")]
    assert len(recipients) == 21 and recipients[-1] == providers[20].email  # only from elsewhere
    assert from_elsewhere.status_code == 200
    assert "over 20 requests this hour from 203.0.113.7" in caplog.text
    assert "number20" not in caplog.text.lower()


def test_the_warning_is_logged_once_per_hour_not_per_refused_request(ana, t0, caplog):
    with time_machine.travel(t0, tick=False):
        with caplog.at_level(logging.WARNING, logger="referral_desk.signin"):
            for _ in range(9):
                _ask(ana.email)
    assert len(caplog.records) == 1


PROXY = "10.0.0.5"


def _via_proxy(email, client_ip):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip).post(
        "/signin/", {"email": email}
    )


def test_a_flood_through_the_proxy_never_stops_a_provider_at_another_address(
    ana, t0, settings, monkeypatch
):
    settings.TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/24")
    monkeypatch.setattr(signin_throttle, "REQUEST_LIMIT", 20)
    with time_machine.travel(t0, tick=False):
        for i in range(40):
            _via_proxy(f"junk{i}@example.net", "198.51.100.66")
        _via_proxy(ana.email, "203.0.113.7")
        send_requested_links(timezone.now())
    assert [m.recipient for m in outbox("provider_signin")] == [ana.email]


def test_a_forged_forwarded_header_does_not_escape_the_limit(provider_factory, t0, monkeypatch):
    monkeypatch.setattr(signin_throttle, "REQUEST_LIMIT", 3)  # no TRUSTED_PROXIES: header ignored
    providers = [provider_factory("Pat", f"Number{i}", phone="") for i in range(5)]
    with time_machine.travel(t0, tick=False):
        for i, provider in enumerate(providers):
            Client(REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").post(
                "/signin/", {"email": provider.email}
            )
        send_requested_links(timezone.now())
    assert len(outbox("provider_signin")) == 3
