"""Outbox rows queued straight into the table (no referral behind them), for the tests that look
at how the dispatcher handles a batch, and what each loopback server received of them."""

from django.utils import timezone

from notifications.models import OutboxMessage

RECIPIENT = {"email": "client{}@example.org", "sms": "+1201987{:04d}", "slack": "#referrals"}


def queue_batch(channel: str, size: int = 25) -> list[OutboxMessage]:
    now = timezone.now()
    return [
        OutboxMessage.objects.create(
            key=f"batch:{channel}:{i}",
            template="test",
            channel=channel,
            recipient=RECIPIENT[channel].format(i),
            subject="Hello",
            body_text=f"Message {i}",
            payload={"op": "post"} if channel == "slack" else {},
            next_attempt_at=now,
            created_at=now,
        )
        for i in range(size)
    ]


def received(channels, channel) -> list:
    """What the channel's server accepted, in order: Slack posts and Twilio texts as their calls
    (with `peer`), emails as messages (with `.peer`)."""
    return {
        "slack": lambda: channels.slack.calls_to("chat.postMessage"),
        "email": lambda: list(channels.smtp.messages),
        "sms": lambda: channels.sms.calls_to("messages.create"),
    }[channel]()
