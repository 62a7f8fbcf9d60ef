"""`manage.py status`: what `/healthz` says, plus the outbox backlog per channel, the oldest
unsent message's age and the next due deadline. Exits 1 when unhealthy, so a monitor or a shell
script can act on it."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.heartbeat import last_beat
from worker.health import backlog, next_deadline, oldest_unsent, problems, seconds


class Command(BaseCommand):
    help = "Print the service's health, outbox backlog and next deadline; exit 1 if unhealthy."
    requires_system_checks = []  # answers even when a setting is wrong, as a probe must

    def handle(self, *args, **options):
        now = timezone.now()
        found = problems(now)
        write = self.stdout.write
        if found:
            for line in found:
                write(f"UNHEALTHY {line}")
            if found[0].startswith("database"):
                raise SystemExit(1)
        else:
            write("healthy")
        age = last_beat(now)
        limit = seconds(settings.WORKER_HEARTBEAT_MAX_AGE)
        write(
            f"worker heartbeat: {'never' if age is None else seconds(age) + ' ago'} (limit {limit})"
        )
        queued = backlog()
        write("outbox backlog: " + ", ".join(f"{ch} {n}" for ch, n in queued.items()))
        oldest = oldest_unsent(now)
        write(f"oldest unsent message: {'none' if oldest is None else seconds(oldest) + ' old'}")
        due = next_deadline()
        if due is None:
            write("next deadline: none")
        else:
            name, at = due
            when = "overdue by " + seconds(now - at) if at <= now else "in " + seconds(at - now)
            write(f"next deadline: {name} at {at:%Y-%m-%d %H:%M:%S}Z ({when})")
        if found:
            raise SystemExit(1)
