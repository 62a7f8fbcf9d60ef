"""How fast the analytics page renders with 100,000 referrals (issue: under 300 ms on PostgreSQL).

Builds the data set once in its own database (bulk inserts shaped like real traffic: two years of
referrals, most accepted within hours, some declined then accepted, some expired), then renders
/desk/analytics/ through Django's full request stack as a signed-in staff user and prints
median and worst times. The baseline, measured in the same run, is the same page over a period
with no referrals (the page's fixed cost), so the ratio shows what the data costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/referral_desk_bench \\
        .venv/bin/python bench/analytics_100k.py [--count 100000] [--runs 15] [--rebuild]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")  # a measurement on this machine, not production
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from empty import empty_referrals  # noqa: E402

from providers.models import InsuranceNetwork, Provider  # noqa: E402
from referrals.models import Client, Referral, ReferralEvent  # noqa: E402

NETWORKS = ["Aetna", "Blue Cross Blue Shield", "Cigna", "UnitedHealthcare", "Optum", "Medicaid"]
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
H = 3600


def build(count: int, rng: random.Random) -> None:
    print(f"building {count:,} referrals ...", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        empty_referrals()
        Provider.objects.all().delete()
        InsuranceNetwork.objects.all().delete()
        networks = [InsuranceNetwork.objects.create(name=n) for n in NETWORKS]
        providers = []
        for i in range(24):
            p = Provider.objects.create(
                first_name=f"Bench{i}",
                last_name="Provider",
                email=f"bench{i}@example.com",
                status=Provider.Status.INACTIVE if i == 23 else Provider.Status.ACTIVE,
            )
            p.insurance_networks.set(rng.sample(networks, 3))
            providers.append(p)
    batch = 5000
    for offset in range(0, count, batch):
        n = min(batch, count - offset)
        with transaction.atomic():
            clients = Client.objects.bulk_create(
                Client(first_name="Bench", last_name=f"Client{offset + i}") for i in range(n)
            )
            referrals, plans = [], []
            for client in clients:
                created = NOW - timedelta(seconds=rng.uniform(0, 730 * 86400))
                preferred = rng.choice(providers[:23]) if rng.random() < 0.6 else None
                network = rng.choice(networks) if rng.random() < 0.85 else None
                outcome = rng.random()
                r = Referral(
                    client=client,
                    insurance_network=network,
                    kind="preferred" if preferred else "general",
                    preferred_provider=preferred,
                    created_at=created,
                    offered_at=created,
                )
                events = [("received", created, preferred, None)]
                first = rng.lognormvariate(1.5, 1.0) * H
                if outcome < 0.72:  # accepted straight away
                    taker = preferred or rng.choice(providers[:23])
                    at = created + timedelta(seconds=min(first, 47 * H))
                    # Only an answer to an offer (a preferred provider) is timed per provider.
                    events.append(("accepted", at, taker, int(first) if preferred else None))
                    r.status, r.accepted_by, r.accepted_at = "accepted", taker, at
                    r.first_response_at, r.response_seconds = at, int(first)
                    r.accept_seconds = int(first)
                elif outcome < 0.87:  # declined, then accepted by another
                    decliner = preferred or rng.choice(providers[:23])
                    taker = rng.choice([p for p in providers[:23] if p != decliner])
                    d_at = created + timedelta(seconds=min(first, 47 * H))
                    second = rng.lognormvariate(1.8, 1.0) * H
                    a_at = d_at + timedelta(seconds=min(second, 47 * H))
                    events.append(("declined", d_at, decliner, int(first) if preferred else None))
                    events.append(("accepted", a_at, taker, None))
                    r.status, r.accepted_by, r.accepted_at = "accepted", taker, a_at
                    r.first_response_at, r.response_seconds = d_at, int(first)
                    r.accept_seconds = int((a_at - created).total_seconds())
                    r.last_declined_at = d_at
                    r.declines = 1
                    # An answer to an offer if it was one; otherwise the holder gave it back.
                    r.declined_offers = 1 if preferred else 0
                    r.declined_after_accepting = 0 if preferred else 1
                else:  # nobody answered in 48 hours
                    at = created + timedelta(hours=48)
                    events.append(("expired", at, preferred, None))
                    r.status, r.expired_at, r.last_declined_at = "available", at, at
                referrals.append(r)
                plans.append(events)
            Referral.objects.bulk_create(referrals)
            ReferralEvent.objects.bulk_create(
                ReferralEvent(
                    referral=r,
                    kind=kind,
                    provider=provider,
                    actor_label="bench",
                    at=at,
                    received_at=r.created_at,
                    reason="expired" if kind == "expired" else "unavailable" * (kind == "declined"),
                    response_seconds=waited,
                )
                for r, events in zip(referrals, plans, strict=True)
                for kind, at, provider, waited in events
            )
        print(f"  {offset + n:,}", end="\r", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s{' ' * 10}")


def timings(http: HttpClient, query: dict, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        response = http.get("/desk/analytics/", query)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return out


def ensure_database() -> None:
    """Create the bench's PostgreSQL database if it is missing (it is the bench's own)."""
    if connection.vendor != "postgresql":
        return
    import psycopg

    params = connection.get_connection_params()
    name = connection.settings_dict["NAME"]
    admin = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    ensure_database()
    call_command("migrate", verbosity=0)
    if args.rebuild or Referral.objects.count() != args.count:
        build(args.count, random.Random(20261128))
    staff, _ = get_user_model().objects.get_or_create(username="bench-staff", is_staff=True)
    http = HttpClient()
    http.force_login(staff)
    scenarios = {
        "baseline: empty period": {"start": "2020-01-01", "end": "2020-01-07"},
        "default: last 12 weeks": {},
        "all 2 years": {"start": "2024-11-01", "end": "2026-11-28"},
    }
    timings(http, {}, 2)  # warm caches and connections
    print(
        f"{connection.vendor}, {Referral.objects.count():,} referrals, "
        f"{ReferralEvent.objects.count():,} events, {args.runs} runs each"
    )
    baseline = None
    for name, query in scenarios.items():
        ms = timings(http, query, args.runs)
        median = statistics.median(ms)
        baseline = baseline or median
        print(
            f"{name:26s} median {median:7.1f} ms  worst {max(ms):7.1f} ms  "
            f"ratio to baseline {median / baseline:5.1f}x"
        )


if __name__ == "__main__":
    main()
