"""The Django user behind each provider, made the first time they sign in.

Providers never have a password: they sign in by emailed link (`providers.signin`). The user's
name is the practice email, so the audit trail shows who acted.

The provider a signed-in user is (`provider_of`) is read once per request: with the signed-in
device's row (`providers.devices.SignedInDeviceMiddleware`, one query for both) or, for staff,
when first asked; it is kept on that request's user object (`user.provider`), never longer.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from providers.models import Provider

_USER_PROVIDER = Provider.user.field.remote_field  # `user.provider`, the reverse side


def user_for(provider: Provider):
    """The provider's user, created (without a usable password) and linked if there is none."""
    if provider.user_id:
        return provider.user
    User = get_user_model()
    with transaction.atomic():
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        if locked.user_id:
            provider.user = locked.user
            return locked.user
        username = provider.email[:150]
        if User.objects.filter(username=username).exists():
            username = f"provider-{provider.pk}"
        user = User.objects.create_user(username=username, email=provider.email)
        locked.user = user
        locked.save(update_fields=["user"])
    provider.user = user
    return user


def provider_of(user) -> Provider | None:
    """The provider linked to this user (whatever their status), or None: read once for the
    user object (a request's), then taken as read."""
    if not _USER_PROVIDER.is_cached(user):
        remember_provider(user, Provider.objects.filter(user=user).first())
    return _USER_PROVIDER.get_cached_value(user)


def remember_provider(user, provider: Provider | None) -> None:
    """`provider` (read just now, None: there is none) is this user's, for `provider_of` and the
    pages' `user.provider`."""
    _USER_PROVIDER.set_cached_value(user, provider)
    if provider is not None:
        Provider.user.field.set_cached_value(provider, user)
