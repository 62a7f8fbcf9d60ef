"""The worker's heartbeat: one row per worker process, updated once per pass of its main loop.

A worker that is stuck, crashed or cannot reach the database stops beating; `/healthz` and
`manage.py status` (worker/health.py) call the workers healthy while the newest beat is younger
than WORKER_HEARTBEAT_MAX_AGE. Rows of workers gone for a day are removed by the next new one.
"""

import os
import socket
from datetime import datetime, timedelta

from django.db.models import Max

from notifications.models import WorkerHeartbeat

FORGET_AFTER = timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def beat(now: datetime, name: str | None = None) -> None:
    """Record that this worker finished a pass at `now`: one UPDATE (an INSERT the first time)."""
    name = name or worker_name()
    if WorkerHeartbeat.objects.filter(name=name).update(beat_at=now):
        return
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": now})


def last_beat(now: datetime) -> timedelta | None:
    """How long ago any worker last beat; None if none ever has."""
    latest = WorkerHeartbeat.objects.aggregate(at=Max("beat_at"))["at"]
    return None if latest is None else max(now - latest, timedelta(0))
