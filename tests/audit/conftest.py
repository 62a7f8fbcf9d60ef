"""The audit tests use the pages' signed-in clients (staff and providers)."""

from datetime import timedelta

import pytest

from tests.pages.conftest import as_provider, as_staff, staff_user  # noqa: F401


@pytest.fixture(autouse=True)
def long_sessions(settings):
    """Tests travel days ahead of the real clock; keep sign-ins alive across the trip."""
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 365
    settings.STAFF_IDLE_TIMEOUT = timedelta(days=365)
