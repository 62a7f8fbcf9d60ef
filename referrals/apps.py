from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from providers.signals import provider_made_inactive

        provider_made_inactive.connect(_release_inactive_provider, dispatch_uid="referrals")


def _release_inactive_provider(sender, *, provider, actor, now, **kwargs):
    from referrals.services import release_inactive_provider

    return release_inactive_provider(provider, actor=actor, now=now)
