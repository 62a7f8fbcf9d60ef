"""The client's status page: where their request stands, and what they can do about it."""

from django.apps import AppConfig


class ClientStatusConfig(AppConfig):
    name = "client_status"
    verbose_name = "Client status page"
