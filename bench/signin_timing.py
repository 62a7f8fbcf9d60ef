"""Does the sign-in page answer a provider's address and an unknown one in the same time (issue 8)?

Serves the real page in this process through Django's test client against a fresh database
(default: a new SQLite file under var/), with the throttle's limits raised out of the way and a
new client address per request (as many people asking would). Alternates a provider's address
and an unknown one (each asked for repeatedly, as a prober would), and prints each median and
their ratio; 1.00 means nobody can tell them apart by timing.

    .venv/bin/python bench/signin_timing.py [--count 400] [--database-url URL]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=400, help="requests of each kind")
    parser.add_argument("--database-url", help="default: a fresh SQLite file under var/")
    args = parser.parse_args()
    path = ROOT / "var" / f"bench-signin-{os.getpid()}.sqlite3"
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{path}"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from providers import signin_throttle
    from providers.models import Provider

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    Provider.objects.create(first_name="Bench", last_name="Provider", email="bench@example.com")
    signin_throttle.ADDRESS_LIMIT = signin_throttle.REQUEST_LIMIT = 10**9

    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for i in range(args.count * 2 + 20):  # the first 20 warm up and are not counted
        kind = "known" if i % 2 else "unknown"
        email = "bench@example.com" if kind == "known" else "nobody@example.com"
        client = Client(REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")
        start = time.perf_counter()
        response = client.post("/signin/", {"email": email})
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        if i >= 20:
            timings[kind].append(elapsed * 1000)

    known, unknown = (statistics.median(timings[k]) for k in ("known", "unknown"))
    print(f"{os.environ['DATABASE_URL'].split(':')[0]}, {args.count} requests of each kind")
    print(f"median known address:   {known:.2f} ms")
    print(f"median unknown address: {unknown:.2f} ms")
    print(f"ratio known/unknown:    {known / unknown:.2f}")
    if not args.database_url:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
