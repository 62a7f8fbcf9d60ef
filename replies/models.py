"""What providers (and anyone else) sent back to us on Slack and by text message.

`InboundMessage` is written before anything is acted on, with a unique key per channel (Slack's
action / view / trigger id with the user; Twilio's MessageSid), so a retried request is answered
without acting twice. `SmsOptOut` remembers numbers that texted STOP until they text START.
"""

from django.db import models


class InboundMessage(models.Model):
    class Channel(models.TextChoices):
        SLACK = "slack", "Slack"
        SMS = "sms", "Text message"

    channel = models.CharField(max_length=10, choices=Channel.choices)
    key = models.CharField(max_length=200, help_text="Slack interaction id / Twilio MessageSid")
    sender = models.CharField(max_length=40, help_text="Slack user ID or phone number (E.164)")
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField("what they sent", max_length=320, blank=True)
    outcome = models.CharField("what happened", max_length=40, blank=True)
    answer = models.TextField("our answer", blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="inbound_once_per_key")
        ]
        indexes = [models.Index(fields=["channel", "sender"])]

    def __str__(self):
        return f"{self.get_channel_display()} from {self.sender}: {self.outcome}"


class SmsOptOut(models.Model):
    phone = models.CharField(max_length=20, unique=True)
    opted_out_at = models.DateTimeField()

    def __str__(self):
        return self.phone
