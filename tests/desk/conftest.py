"""Desk fixtures: a signed-in staff client and a plain (non-staff) user."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("intake", password="x", is_staff=True)


@pytest.fixture
def staff_client(client, staff, settings):
    # Tests travel days ahead of the real clock; keep the session alive across the trip.
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 365
    settings.STAFF_IDLE_TIMEOUT = timedelta(days=365)
    client.force_login(staff)
    return client
