"""Fixtures for the client's status page: a referral and the path of its status link."""

import pytest
from django.conf import settings

from referrals.links import make_status_url


def status_path(referral) -> str:
    """The path of the status page link an email for this referral carries now."""
    return make_status_url(referral).removeprefix(settings.SITE_URL)


@pytest.fixture
def referral(make_referral, ana, aetna):
    return make_referral(network=aetna, preferred=ana)


@pytest.fixture
def path(referral):
    return status_path(referral)


from tests.pages.conftest import as_provider, as_staff, staff_user  # noqa: E402, F401
from tests.policy.conftest import run_worker  # noqa: E402, F401
