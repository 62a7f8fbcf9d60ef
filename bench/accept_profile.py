"""What one POST to the Accept Referral page costs in CPU, through the whole Django stack.

Production settings (DEBUG off) on PostgreSQL, in this process, through Django's test client with
CSRF checks on (as the race in bench/run_all.py posts): for each of `--count` General referrals,
one signed-in provider accepts it (the winner, 302) and another, who saw the same round, presses
Accept after them (refused, 409). Prints the median CPU time (`time.process_time`) of each kind,
then, with `--profile`, cProfile's top functions of each kind by cumulative and by own time, and
with `--queries`, the SQL of each kind's last request (noting every query costs a little CPU).
The database is emptied; never point it at one you keep.

    .venv/bin/python bench/accept_profile.py --database-url postgres://.../rd_x [--profile] [--queries]
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _profile() -> cProfile.Profile:
    """Timed in CPU seconds, so waiting for the database does not count."""
    return cProfile.Profile(time.process_time)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=200, help="referrals, each one winner+one")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--lines", type=int, default=45, help="functions listed per sort")
    parser.add_argument("--queries", action="store_true", help="print the last request's SQL")
    args = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=args.database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="ERROR",
        ALLOWED_HOSTS="testserver",
        STATIC_ROOT=tempfile.mkdtemp(prefix="bench-static-"),  # production serves the manifest's
    )

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.empty import empty_referrals
    from providers.accounts import user_for
    from providers.models import InsuranceNetwork, Provider
    from referrals import services
    from tests.conftest import another_person

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    empty_referrals()
    Provider.objects.all().delete()
    network, _ = InsuranceNetwork.objects.get_or_create(name="Aetna")
    csrf = secrets.token_hex(16)
    browsers = []
    for name in ("Winner", "Loser"):
        provider = Provider.objects.create(
            first_name=name, last_name="Bench", email=f"{name.lower()}@example.com", phone=""
        )
        provider.insurance_networks.set([network])
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user_for(provider))
        browser.cookies["csrftoken"] = csrf
        browsers.append((provider, browser))

    kinds = {"accepted (302)": (302, _profile()), "refused (409)": (409, _profile())}
    cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
    last_sql: dict[str, list[str]] = {}
    for n in range(args.count + 10):  # the first 10 warm up and are not counted
        referral = services.create_referral(
            client=another_person(20_000 + n),
            insurance_network=network,
            preferred_provider=None,
            actor=services.Actor("bench"),
        )
        for (provider, browser), (kind, (status, profile)) in zip(
            browsers, kinds.items(), strict=True
        ):
            body = {
                "referral": referral.pk,
                "round": referral.round,
                "status": "accept",
                "provider": provider.pk,
                "csrfmiddlewaretoken": csrf,
            }
            counted = n >= 10
            if counted and args.profile:
                profile.enable()
            with CaptureQueriesContext(connection) if args.queries else nullcontext() as queries:
                started = time.process_time()
                response = browser.post("/accept/", body)
                spent = time.process_time() - started
            if args.queries:
                last_sql[kind] = [q["sql"] for q in queries.captured_queries]
            if counted and args.profile:
                profile.disable()
            assert response.status_code == status, (kind, response.status_code)
            if counted:
                cpu[kind].append(spent * 1000)

    shutil.rmtree(os.environ["STATIC_ROOT"], ignore_errors=True)
    for kind in kinds:
        print(f"{kind}: median CPU {statistics.median(cpu[kind]):.2f} ms per request")
        if args.queries:  # captured apart from the timing's meaning: each query also noted
            print(f"  {len(last_sql[kind])} queries in the last one:")
            print("\n".join(f"  {n}. {sql[:300]}" for n, sql in enumerate(last_sql[kind], 1)))
    if args.profile:
        for kind, (_, profile) in kinds.items():
            for sort in ("cumulative", "tottime"):
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(sort)
                stats.print_stats(args.lines)
                calls = stats.total_calls // args.count  # steady, unlike times on a shared machine
                print(f"\n=== {kind}, by {sort} ({args.count} requests, {calls} calls each) ===")
                print(out.getvalue().split("\n", 6)[-1])


if __name__ == "__main__":
    main()
