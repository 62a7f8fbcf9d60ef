"""Is the service healthy? One answer for `GET /healthz` (a load balancer's or monitor's probe)
and `manage.py status` (an operator at a shell): the database answers, and a worker has finished
a pass within WORKER_HEARTBEAT_MAX_AGE (notifications/heartbeat.py).

`/healthz` needs no sign-in and shows no details beyond the reasons it is unhealthy: no counts,
no names, nothing about any referral. `manage.py status` adds the outbox backlog per channel, the
oldest unsent message's age and the next due deadline.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from notifications.heartbeat import last_beat
from notifications.models import OutboxMessage
from referrals.models import Referral

UNSENT = (OutboxMessage.Status.QUEUED, OutboxMessage.Status.INFLIGHT)
DEADLINES = ("remind_at", "client_remind_at", "expires_at", "contact_due_at")


def seconds(age: timedelta) -> str:
    return f"{age.total_seconds():.0f}s"


def problems(now: datetime) -> list[str]:
    """Why the service is unhealthy, one line each; empty when it is healthy."""
    try:
        age = last_beat(now)  # one query: it also shows the database answers
    except DatabaseError as exc:
        return [f"database: not answering ({type(exc).__name__})"]
    limit = settings.WORKER_HEARTBEAT_MAX_AGE
    if age is None:
        return ["worker: no heartbeat yet (is `manage.py worker` running?)"]
    if age > limit:
        return [f"worker: last heartbeat {seconds(age)} ago (limit {seconds(limit)})"]
    return []


@never_cache
@require_safe
def healthz(request):
    found = problems(timezone.now())
    body = "".join(f"{line}\n" for line in found) if found else "ok\n"
    return HttpResponse(body, status=503 if found else 200, content_type="text/plain")


def backlog() -> dict[str, int]:
    """Messages not yet sent (queued or being sent), per channel; every channel listed."""
    counts = dict(
        OutboxMessage.objects.filter(status__in=UNSENT)
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {channel: counts.get(channel, 0) for channel in OutboxMessage.Channel.values}


def oldest_unsent(now: datetime) -> timedelta | None:
    created = OutboxMessage.objects.filter(status__in=UNSENT).aggregate(at=Min("created_at"))["at"]
    return None if created is None else max(now - created, timedelta(0))


def next_deadline() -> tuple[str, datetime] | None:
    """The earliest deadline still set on any referral, and which kind it is."""
    earliest = Referral.objects.aggregate(**{name: Min(name) for name in DEADLINES})
    due = [(at, name) for name, at in earliest.items() if at is not None]
    if not due:
        return None
    at, name = min(due)
    return name, at
