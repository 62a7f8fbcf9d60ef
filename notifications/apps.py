from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Outgoing messages"

    def ready(self):
        from notifications import checks  # noqa: F401  (registers system checks)
