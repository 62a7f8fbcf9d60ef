"""Ten simultaneous uses of one emailed sign-in link: exactly one session, the rest told the
link was used (the link is spent by a conditional UPDATE, not by a check then a write)."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from providers.signin_links import send_requested_links
from tests.pages.conftest import outbox
from tests.postgres.conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_of_10_simultaneous_uses_of_one_link_exactly_one_signs_in(ana):
    Client().post("/signin/", {"email": ana.email})
    send_requested_links(timezone.now())
    url = re.search(r"http\S+/signin/\S+/", outbox("provider_signin")[0].body_text).group(0)
    path = url.removeprefix(settings.SITE_URL)
    browsers = [Client() for _ in range(10)]

    responses = run_together(*[(lambda b=b: b.post(path)) for b in browsers])

    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [400] * 9
    refused = [r for r in responses if r.status_code == 400]
    assert all("already been used" in r.content.decode() for r in refused)
    assert Session.objects.count() == 1
    assert sum(b.get("/accept/").status_code == 200 for b in browsers) == 1
