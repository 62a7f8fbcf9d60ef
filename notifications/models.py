"""The outbox: every message the practice sends, written in the same transaction as the change
that caused it, then delivered (and retried) by the worker's dispatcher.

A row's life: queued -> inflight -> sent, or back to queued with a later `next_attempt_at` after
a transient failure, or failed after a permanent one. `key` is unique, so one event never
produces the same message twice. A delivered message's subject and text (which may name the
client) are emptied OUTBOX_BODY_RETENTION later (`notifications.retention`); channel, recipient,
template, status and times stay for the timeline.
"""

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        SLACK = "slack", "Slack"
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        INFLIGHT = "inflight", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, unique=True)
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    event = models.ForeignKey(
        "referrals.ReferralEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    template = models.CharField(max_length=60)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(
        max_length=254, help_text="Email address, phone number or Slack channel."
    )
    subject = models.CharField(max_length=200, blank=True)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=120, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    body_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the subject and text were emptied, OUTBOX_BODY_RETENTION after delivery.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outbox_due", condition=Q(status="queued")
            ),
            models.Index(
                fields=["claimed_at"], name="outbox_inflight", condition=Q(status="inflight")
            ),
            models.Index(fields=["channel", "status"]),
            models.Index(
                fields=["sent_at"],
                name="outbox_body_kept",
                condition=Q(status="sent", body_removed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.template} to {mask(self.recipient)}"

    @property
    def template_label(self) -> str:
        """The template's name in words ("referral_confirmation" -> "Referral confirmation"),
        shown where the subject was once it is removed."""
        return self.template.replace("_", " ").capitalize()


def mask(recipient: str) -> str:
    """Enough of an address to tell rows apart, not enough to identify a client:
    "sam.rivera@example.org" -> "sa…@example.org", "+15559870001" -> "…0001"."""
    if "@" in recipient:
        local, domain = recipient.split("@", 1)
        return f"{local[:2]}…@{domain}"
    if recipient.startswith("+"):
        return f"…{recipient[-4:]}"
    return recipient  # a Slack channel


class WorkerHeartbeat(models.Model):
    """When each worker process (by host and pid) last finished a pass of its loop: `/healthz`
    and `manage.py status` call the worker alive while the newest beat is recent."""

    name = models.CharField(max_length=100, unique=True, help_text="host:pid of the worker.")
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
