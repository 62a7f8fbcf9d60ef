from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers and insurance networks"

    def ready(self):
        from providers import devices  # noqa: F401  (connects the sign-in and sign-out receivers)
