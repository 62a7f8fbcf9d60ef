"""Shared set-up of the delivery benchmarks: loopback servers, a fresh database, providers.

Points every channel at the loopback servers (tests/loopback/servers.py) through the same
environment variables production uses, then migrates and empties the database given by
--database-url (default: a new SQLite file under var/).
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")  # a measurement on this machine, not production

from tests.loopback.servers import (  # noqa: E402
    SlackServer,
    SmtpServer,
    TwilioServer,
    channel_settings,
    wait_until,
)

__all__ = ["prepare", "wait_until", "cleanup"]


def prepare(database_url: str | None, env: dict, providers: int = 5):
    """Start the servers, configure Django against them and a fresh database; return
    (servers, worker environment, providers, network)."""
    slack, smtp, twilio = SlackServer().start(), SmtpServer().start(), TwilioServer().start()
    url = database_url or f"sqlite:///{ROOT / 'var' / f'bench-delivery-{os.getpid()}.sqlite3'}"
    worker_env = {
        **channel_settings(slack, smtp, twilio),
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        **env,
    }
    os.environ.update(worker_env)

    import django

    django.setup()
    from django.core.management import call_command

    from providers.models import InsuranceNetwork, Provider

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    network = InsuranceNetwork.objects.create(name="Aetna")
    people = []
    for i in range(providers):
        provider = Provider.objects.create(
            first_name=f"Bench{i}",
            last_name="Provider",
            email=f"bench{i}@example.com",
            phone=f"+1555123{i:04d}",
            slack_user_id=f"U0BENCH{i}",
        )
        provider.insurance_networks.set([network])
        people.append(provider)
    return (slack, smtp, twilio), worker_env, people, network


def client_details(i: int):
    from referrals.services import ClientDetails

    return ClientDetails(
        first_name="Bench",
        last_name=f"Client{i}",
        email=f"client{i}@example.org",
        phone="",
        consent_sms=False,
    )


def elapsed_since(start: float) -> str:
    return f"{time.monotonic() - start:.1f}s"


def cleanup(worker_env: dict) -> None:
    """Remove the SQLite file prepare() made (a --database-url given by the user is kept)."""
    url = worker_env["DATABASE_URL"]
    if "bench-delivery-" in url:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
