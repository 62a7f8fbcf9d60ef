"""The intake form against floods and bots: INTAKE_RATE_LIMIT per client address, with a clear
page when it is reached, and a hidden trap field that drops bots while answering like success."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client

from config.client_ip import parse_trusted_proxies
from config.throttle import Rate
from notifications.models import OutboxMessage
from referrals.models import Referral
from tests.names import shows

URL = "/referrals/new/"
THREE_AN_HOUR = Rate(3, timedelta(hours=1))
SITE_CSS = Path(__file__).parents[2] / "static" / "css" / "site.css"


@pytest.fixture
def submission(aetna):
    return {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "phone": "(201) 234-5678",
        "insurance": str(aetna.pk),
        "preferred_provider": "",
    }


def person(submission: dict, n: int) -> dict:
    """The same form from someone else: the same person again would be "asked again"."""
    return {**submission, "email": f"person{n}@example.org", "phone": f"(201) 876-{n:04d}"}


@pytest.fixture
def three_an_hour(settings):
    settings.INTAKE_RATE_LIMIT = THREE_AN_HOUR  # the rule, at a size that is quick


def test_past_the_limit_the_client_gets_a_clear_page_and_nothing_is_made(submission, three_an_hour):
    browser = Client(REMOTE_ADDR="203.0.113.7")
    posts = [browser.post(URL, person(submission, n)).status_code for n in range(3)]
    assert posts == [302, 302, 302]
    messages = OutboxMessage.objects.count()

    refused = browser.post(URL, person(submission, 3))

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many requests" in page and "(555) 010-0100" in page  # the practice's phone
    assert "988" in page  # the crisis notice stays on every intake page
    assert Referral.objects.count() == 3 and OutboxMessage.objects.count() == messages


def test_the_limit_is_per_client_address_behind_the_proxy(submission, three_an_hour, settings):
    settings.TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.5")
    flood = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for n in range(5):
        flood.post(URL, person(submission, n))
    someone_else = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert someone_else.post(URL, person(submission, 9)).status_code == 302
    assert Referral.objects.count() == 4


def test_the_trap_field_is_hidden_from_people_and_assistive_technology(client, db):
    page = client.get(URL).content.decode()
    trap = re.search(r'<div class="trap" aria-hidden="true">.*?</div>', page, re.S).group(0)
    assert 'name="website"' in trap
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert re.search(r"\.trap\s*\{[^}]*position:\s*absolute", SITE_CSS.read_text())


def test_a_bot_filling_the_trap_sees_success_but_nothing_is_made_or_sent(submission):
    person, bot = Client(), Client()
    real = person.post(URL, submission)
    before = (Referral.objects.count(), OutboxMessage.objects.count())

    dropped = bot.post(URL, {**submission, "website": "https://spam.example"})

    assert dropped.status_code == real.status_code == 302
    assert dropped["Location"] == real["Location"]
    assert (Referral.objects.count(), OutboxMessage.objects.count()) == before
    thanks = bot.get(dropped["Location"])
    assert thanks.status_code == 200
    page = thanks.content.decode()
    assert "We received your request" in page and not shows(page, "Sam")


def test_the_generic_thanks_page_is_only_for_a_browser_that_sent_something(client, db):
    assert client.get("/referrals/thanks/").status_code == 302
