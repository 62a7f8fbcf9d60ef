from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers and insurance networks"

    def ready(self):
        from notifications.signals import slack_user_found
        from providers import devices  # noqa: F401  (connects the sign-in and sign-out receivers)
        from providers.services import remember_found_slack_user_id

        slack_user_found.connect(remember_found_slack_user_id, dispatch_uid="providers")
