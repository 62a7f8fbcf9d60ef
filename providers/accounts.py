"""The Django user behind each provider, made the first time they sign in.

Providers never have a password: they sign in by emailed link (`providers.signin`). The user's
name is the practice email, so the audit trail shows who acted.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from providers.models import Provider


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
