"""Providers and the insurance networks they participate in.

A provider signs in through a one-time link sent to their practice address, so each provider
has a Django user with no usable password (created in `providers.services`).
"""

from django.conf import settings
from django.db import models


class InsuranceNetwork(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProviderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Provider.Status.ACTIVE)


class Provider(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField("practice email", unique=True)
    phone = models.CharField("mobile phone (E.164)", max_length=20, blank=True)
    slack_user_id = models.CharField("Slack user ID", max_length=32, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    insurance_networks = models.ManyToManyField(
        InsuranceNetwork, related_name="providers", blank=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provider",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE
