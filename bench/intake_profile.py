"""Where one intake request's CPU goes: `POST /api/referrals` (with and without an Idempotency-Key),
the intake form POST, and the bare view through our stack, on PostgreSQL.

Each request goes through Django's whole handler in this process (django.test.Client: every
middleware, CSRF for the form, the session) with the settings `make bench` serves (DEBUG off,
persistent connection, throttle limits out of the way), each a new person as in bench/run_all.py.
For each kind it prints the CPU per request of this process (`time.process_time`) and of the
PostgreSQL backend serving it (from /proc, same host), their sum, the round trips, and the CPU
spent in each part of the request (a dozen functions timed around each call; `--top N` adds
cProfile's lists). Wall-clock is not used: on a shared machine it measures the other jobs.

    .venv/bin/python bench/intake_profile.py --database-url postgres://.../a_db_it_may_empty \
        [--requests 300] [--kinds stack,api,api-key,form] [--queries] [--top 25] [--also mod:fn]
"""

import argparse
import cProfile
import functools
import importlib
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HANDLER = "django.core.handlers.base:BaseHandler._get_response"
# The parts of a request: (label, "module:function" or "module:Class.method"), each timed with
# `time.process_time` around every call (the outermost one when it recurses); an indented part is
# inside the one above it. Timing a dozen functions costs microseconds a request, unlike a
# profiler, whose own cost inflates whatever is called many times.
PARTS = {
    "stack": [("view: one INSERT", "bench.bare.urls:post")],
    "api": [
        ("view: the ninja operation (all below)", "ninja.operation:Operation.run"),
        ("  bearer token", "api.auth:BearerToken.__call__"),
        ("  throttle", "throttles.counters:hit"),
        ("  ninja/pydantic input", "ninja.operation:Operation._get_values"),
        ("  rules checked (network, provider, availability)", "api.referrals:_checked"),
        ("  idempotency: earlier answer?", "api.idempotency:_stored"),
        ("  service create_referral (all below)", "referrals.services:create_referral"),
        ("    messages rendered", "notifications.outbox:render_message"),
        ("    outbox INSERT", "django.db.models.query:QuerySet.bulk_create"),
        ("  ninja response", "ninja.operation:Operation._result_to_response"),
    ],
    "form": [
        ("  throttle", "throttles.counters:hit"),
        ("  form built (choices read)", "referrals.web.intake_forms:IntakeForm.__init__"),
        ("  form checked", "django.forms.forms:BaseForm.full_clean"),
        ("  service create_referral (all below)", "referrals.services:create_referral"),
        ("    messages rendered", "notifications.outbox:render_message"),
        ("    outbox INSERT", "django.db.models.query:QuerySet.bulk_create"),
        ("session saved", "django.contrib.sessions.backends.db:SessionStore.save"),
    ],
}
COMMON = [
    ("database round trips (client side)", "django.db.backends.utils:CursorWrapper._execute"),
    ("templates rendered (any)", "django.template.base:Template.render"),
]


def backend_cpu(pid: int) -> float:
    """Seconds of CPU the PostgreSQL backend `pid` has used (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Timers:
    """Adds up the CPU spent inside each named function while installed."""

    def __init__(self, targets: list[str]):
        self.spent = dict.fromkeys(targets, 0.0)
        self.depth = dict.fromkeys(targets, 0)
        self.originals = []
        for target in targets:
            module, _, dotted = target.partition(":")
            owner = importlib.import_module(module)
            *path, name = dotted.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = owner.__dict__[name]
            self.originals.append((owner, name, original))
            setattr(owner, name, self._timed(target, original))

    def _timed(self, target, original):
        @functools.wraps(original)
        def timed(*args, **kwargs):
            self.depth[target] += 1
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth[target] -= 1
                if not self.depth[target]:
                    self.spent[target] += time.process_time() - started

        return timed

    def remove(self):
        for owner, name, original in self.originals:
            setattr(owner, name, original)


class Kinds:
    """The requests measured, each making a new referral (or for the stack, a new row)."""

    clients = []

    def __init__(self, network, providers, secret):
        from django.test import Client

        self.network, self.providers, self.secret = network, providers, secret
        self.count = 0
        self.api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.browser = Client(enforce_csrf_checks=True)
        self.csrf = secrets.token_hex(16)
        self.browser.cookies["csrftoken"] = self.csrf
        self.prefix = f"p{time.time_ns()}"
        Kinds.clients += [self.api, self.browser]

    def _next(self):
        self.count += 1
        provider = self.providers[self.count % len(self.providers)]
        return f"{self.prefix}-{self.count}@example.org", provider

    def _api(self, headers):
        email, provider = self._next()
        body = {
            "first_name": "Sam",
            "last_name": "Rivera",
            "email": email,
            "phone": "",
            "consent_email": True,
            "consent_sms": False,
            "insurance_network": self.network.pk,
            "preferred_provider_id": provider.pk,
        }
        return self.api.post(
            "/api/referrals", body, content_type="application/json", headers=headers
        )

    def api_no_key(self):
        return self._api({})

    def api_key(self):
        return self._api({"Idempotency-Key": f"k-{self.prefix}-{self.count}"})

    def form(self):
        email, provider = self._next()
        data = {
            "first_name": "Sam",
            "last_name": "Rivera",
            "email": email,
            "phone": "",
            "insurance": str(self.network.pk),
            "preferred_provider": str(provider.pk),
            "consent_email": "on",
            "csrfmiddlewaretoken": self.csrf,
        }
        return self.browser.post("/referrals/new/", data)

    def stack(self):
        from bench.stack.urls import PATH

        return self.api.post(PATH, "x", content_type="text/plain")


def reload_middleware() -> None:
    """Make every test client rebuild its handler's middleware chain on its next request."""
    for client in Kinds.clients:
        client.handler._middleware_chain = None


def per_request_cpu(send, requests: int, pid: int) -> tuple[float, float]:
    """Seconds of CPU per request: this process, and the PostgreSQL backend serving it."""
    backend = backend_cpu(pid)
    started = time.process_time()
    for _ in range(requests):
        send()
    return (time.process_time() - started) / requests, (backend_cpu(pid) - backend) / requests


def measure(name, send, expected, parts, requests, top, show_queries, also):
    from django.db import connection, reset_queries

    for _ in range(20):  # warm: imports, template cache, the connection
        response = send()
        assert response.status_code == expected, (name, response.status_code, response.content)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    connection.force_debug_cursor = True  # count one request's round trips (DEBUG is off)
    reset_queries()
    send()
    queries = [q["sql"] for q in connection.queries]
    connection.force_debug_cursor = False
    ours, backend = per_request_cpu(send, requests, pid)
    parts = parts + [(f"  (also) {target}", target) for target in also]
    targets = [HANDLER] + [target for _, target in parts + COMMON]
    timers = Timers(targets)
    reload_middleware()  # the handler holds its middleware chain, built with the functions then
    timed, _ = per_request_cpu(send, requests, pid)
    timers.remove()
    reload_middleware()
    spent = {target: seconds / requests for target, seconds in timers.spent.items()}
    print(f"\n## {name}: {len(queries)} round trips")
    print(
        f"CPU per request: this process {ours * 1000:.2f} ms, its PostgreSQL backend "
        f"{backend * 1000:.2f} ms, together {(ours + backend) * 1000:.2f} ms "
        f"(this process with the parts timed: {timed * 1000:.2f} ms)"
    )
    print("| part (this process) | ms | share |\n| --- | --- | --- |")
    rows = [("outside the view: middleware, handler, test client", timed - spent[HANDLER])]
    rows += [("URL resolved, view middleware, view (all below)", spent[HANDLER])]
    rows += [(label, spent[target]) for label, target in parts + COMMON]
    for label, seconds in rows:
        print(f"| {label} | {seconds * 1000:.2f} | {seconds / timed:.0%} |")
    if show_queries:
        print("\n".join(f"{n}. {sql[:300]}" for n, sql in enumerate(queries, 1)))
    if top:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(requests):
            send()
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=300, help="of each kind, twice")
    parser.add_argument("--top", type=int, default=0, help="also print cProfile's top N")
    parser.add_argument("--kinds", default="stack,api,api-key,form")
    parser.add_argument("--queries", action="store_true", help="also print each request's SQL")
    parser.add_argument(
        "--also", action="append", default=[], help="also time module:function (repeatable)"
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("give --database-url postgres://.../a_db_it_may_empty")
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "bench.stack.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "INTAKE_RATE_LIMIT": "1000000000/s",
            "LOG_LEVEL": "ERROR",
            "ROUTING": "true",
        }
    )
    from analytics_100k import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.bare.urls import CREATE
    from bench.run_all import seed

    call_command("migrate", "--noinput", verbosity=0)
    call_command("createcachetable")
    with connection.cursor() as cursor:
        cursor.execute(CREATE)
    network, providers, _, secret = seed()
    kinds = Kinds(network, providers, secret)
    chosen = args.kinds.split(",")
    for key, name, send, expected, parts in (
        ("stack", "the bare view through our stack", kinds.stack, 201, PARTS["stack"]),
        ("api", "POST /api/referrals", kinds.api_no_key, 201, PARTS["api"]),
        ("api-key", "POST /api/referrals with Idempotency-Key", kinds.api_key, 201, PARTS["api"]),
        ("form", "intake form POST", kinds.form, 302, PARTS["form"]),
    ):
        if key in chosen:
            measure(name, send, expected, parts, args.requests, args.top, args.queries, args.also)


if __name__ == "__main__":
    main()
