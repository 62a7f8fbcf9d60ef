"""Fixtures for the pages: signed-in browsers (Django's test client) for a provider and staff."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from providers.accounts import user_for


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("intake", is_staff=True)


@pytest.fixture
def as_staff(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def as_provider():
    """`as_provider(provider)`: a client signed in as that provider."""

    def sign_in(provider):
        client = Client()
        client.force_login(user_for(provider))
        return client

    return sign_in


def outbox(template, channel="email"):
    from notifications.models import OutboxMessage

    return list(OutboxMessage.objects.filter(template=template, channel=channel))
