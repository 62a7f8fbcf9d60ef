"""Actors and outbox readers shared by the policy tests."""

from notifications.models import OutboxMessage
from referrals.services import Actor

STAFF = Actor("intake staff", is_staff=True)
PROVIDER = Actor("provider")


def queued(**filters) -> list[tuple[str, str, str]]:
    """(channel, template, recipient) of the outbox rows matching the filters, in order."""
    rows = OutboxMessage.objects.filter(**filters).order_by("id")
    return list(rows.values_list("channel", "template", "recipient"))
