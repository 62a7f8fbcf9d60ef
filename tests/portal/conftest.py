"""Signed-in providers for the portal tests."""

import pytest
from django.contrib.auth import get_user_model


def give_user(provider):
    provider.user = get_user_model().objects.create_user(username=provider.email)
    provider.save(update_fields=["user"])
    return provider.user


@pytest.fixture
def as_provider(client):
    """Return `sign_in(provider)`: the test client is now signed in as that provider."""

    def sign_in(provider):
        client.force_login(give_user(provider))
        return client

    return sign_in
