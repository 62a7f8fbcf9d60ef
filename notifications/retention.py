"""Delivered messages keep their text only OUTBOX_BODY_RETENTION (default 30 days).

An email's subject and text, a Slack post and an SMS may name the client. Once delivered and
kept long enough to answer "what did we send?", the worker empties them in one UPDATE; the row
stays with what the timeline shows (channel, recipient, template, status, times).
"""

from datetime import datetime

from django.conf import settings

from notifications.models import OutboxMessage


def remove_delivered_bodies(now: datetime) -> int:
    """Empty the text of messages delivered OUTBOX_BODY_RETENTION or longer ago; returns how many.
    Safe with several workers: a row already emptied is not matched again."""
    cutoff = now - settings.OUTBOX_BODY_RETENTION
    return OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENT, body_removed_at__isnull=True, sent_at__lte=cutoff
    ).update(subject="", body_text="", body_html="", body_removed_at=now)
