"""Fixtures for the JSON API: a token, and a client that sends it."""

from pathlib import Path

import pytest
from django.test import Client

from api.models import ApiToken

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    # WhiteNoise warns on the first request that STATIC_ROOT does not exist; tests never run
    # collectstatic. (Better said once in pyproject's filterwarnings for the whole suite.)
    ignore = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(ignore)


@pytest.fixture
def token(db):
    """An API token for the practice website, and its secret."""
    return ApiToken.issue("website")


@pytest.fixture
def secret(token):
    return token[1]


@pytest.fixture
def api(secret):
    return ApiClient(secret)


class ApiClient:
    """django.test.Client speaking JSON with a bearer token."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.secret = secret

    def _headers(self, headers):
        base = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**base, **(headers or {})}

    def get(self, path, headers=None):
        return self.client.get(path, headers=self._headers(headers))

    def post(self, path, body, headers=None, content_type="application/json"):
        return self.client.post(
            path, body, content_type=content_type, headers=self._headers(headers)
        )


@pytest.fixture
def body():
    """A valid referral request for a General referral, self-pay."""
    return {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "phone": "(201) 987-0001",
        "consent_sms": False,
        "insurance_network": None,
    }


def another_person(body: dict, n: int) -> dict:
    """The same request from someone else (another email and phone): a new referral, where the
    same person asking again while theirs is open is attached to it instead."""
    return {**body, "email": f"person{n}@example.org", "phone": f"(201) 876-{n:04d}"}
