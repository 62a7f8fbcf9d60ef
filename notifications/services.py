"""Staff actions on the outbox (admin's "Retry now"); the dispatcher does everything else."""

from datetime import datetime

from django.utils import timezone

from notifications.models import OutboxMessage

Status = OutboxMessage.Status


def retry_now(ids, now: datetime | None = None) -> int:
    """Send these failed or waiting messages on the worker's next pass. Sent and in-flight rows
    are left alone, so a message already delivered is never sent again. Returns how many."""
    return OutboxMessage.objects.filter(
        pk__in=ids, status__in=[Status.FAILED, Status.QUEUED]
    ).update(status=Status.QUEUED, next_attempt_at=now or timezone.now(), claimed_at=None)
