"""Every figure of issue 12, side by side in one run on PostgreSQL, as one table (`make bench`).

Serves Referral Desk and the bare-view baseline (bench/bare/: one INSERT per POST) with the same
gunicorn settings (4 sync workers, persistent database connections) on one database, then:
- `POST /api/referrals` and the intake form POST, each against the bare view, with wrk (a Lua
  script gives every request a new person, so each makes a new referral), and the bare view
  itself served through Referral Desk's middleware (bench/stack/): what the stack alone allows;
- 32 providers racing to accept one referral, and 32 intakes at once for one provider, from 32
  Python threads released together (wrk cannot give each connection its own signed-in session);
- commit -> first four messages delivered, and the dispatcher against a plain client loop
  (bench/delivery_latency.py, bench/delivery_throughput.py, loopback servers, a real worker);
- the analytics page over two years and 100,000 referrals (bench/analytics_100k.py);
- the worker's memory with DEBUG on (tests/delivery/test_worker_memory.py).
The table: measure | baseline | Referral Desk | ratio | goal | met. The database is emptied and
rebuilt; never point it at one you keep.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/referral_desk_bench make bench
    .venv/bin/python bench/run_all.py --database-url URL [--seconds 10] [--quick] [--parts race]
"""

import argparse
import http.client
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's packages too
from tests.loopback.servers import free_port  # noqa: E402

PY = sys.executable
WORKERS = 4  # gunicorn sync workers, for both servers
RACERS = 32
RATE_UNLIMITED = "1000000000/s"


@dataclass(frozen=True)
class Row:
    measure: str
    baseline: str
    ours: str
    ratio: float | None
    goal: str
    met: bool | None  # None: measured, no goal to meet (or the run failed)


class Rows(list):
    """The table's rows, each also printed as it is measured (a long run shows its progress)."""

    def append(self, row: Row) -> None:
        print(f"measured: {row.measure}: {row.ours} (baseline {row.baseline})", flush=True)
        super().append(row)


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    head = ["measure", "baseline", "Referral Desk", "ratio", "goal", "met"]
    lines = [head, ["---"] * len(head)]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
        met = {True: "yes", False: "**no**", None: "—"}[row.met]
        lines.append([row.measure, row.baseline, row.ours, ratio, row.goal, met])
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def at_least(value: float | None, goal: float) -> bool | None:
    return None if value is None else value >= goal


def at_most(value: float | None, goal: float) -> bool | None:
    return None if value is None else value <= goal


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# Servers ------------------------------------------------------------------------------------


def serve(app: str, env: dict) -> tuple[subprocess.Popen, int]:
    """gunicorn with WORKERS sync workers on a free port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [PY, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{app} did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


# Load ---------------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- One new person per request (the same person again would be "asked again", not a referral).
local thread_no = 0
function setup(thread) thread:set("no", thread_no); thread_no = thread_no + 1 end
function init(args)
  counter = 0
  prefix, kind, network, token, csrf = args[1], args[2], args[3], args[4], args[5]
  providers = {}
  for id in string.gmatch(args[6], "%d+") do table.insert(providers, id) end
end
function request()
  counter = counter + 1
  if kind == "stack" then
    return wrk.format("POST", "/bench/bare/", {["Content-Type"] = "text/plain"}, "x")
  end
  local provider = providers[(counter % #providers) + 1]
  if kind == "api" then
    local body = string.format('{"first_name":"Sam","last_name":"Rivera",' ..
      '"email":"%s-%d-%d@example.org","phone":"","consent_email":true,"consent_sms":false,' ..
      '"insurance_network":%s,"preferred_provider_id":%s}', prefix, no, counter, network, provider)
    return wrk.format("POST", "/api/referrals",
      {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
  end
  local body = string.format("first_name=Sam&last_name=Rivera&email=%s-%d-%d%%40example.org" ..
    "&phone=&insurance=%s&preferred_provider=%s&consent_email=on&csrfmiddlewaretoken=%s",
    prefix, no, counter, network, provider, csrf)
  return wrk.format("POST", "/referrals/new/", {["Content-Type"] =
    "application/x-www-form-urlencoded", ["Cookie"] = "csrftoken=" .. csrf}, body)
end
"""


def wrk(port: int, kind: str, seconds: int, script: Path, args: list[str]) -> tuple[float, int]:
    """Requests per second, and how many answers were errors (not 2xx/3xx)."""
    command = ["wrk", "-t4", "-c16", f"-d{seconds}s", "--timeout", "30s", "-s", str(script)]
    command += [f"http://127.0.0.1:{port}", "--", f"{kind}{time.time_ns()}", kind, *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    lost = sum(int(n) for n in failed.groups()) if failed else 0
    return rate, (int(errors.group(1)) if errors else 0) + lost


def warm(port: int, kind: str, script: Path, args: list[str]) -> None:
    """Load until every gunicorn worker answers: a worker's first requests import and build the
    whole application (seconds on a busy machine), which is no part of the figure."""
    for _ in range(30):
        rate, errors = wrk(port, kind, 3, script, args)
        print(f"warming {kind} on port {port}: {rate:.1f} req/s, {errors} errors", flush=True)
        if rate > 1 and not errors:
            return
    raise SystemExit(f"the server on port {port} never answered {kind} requests")


def together(port: int, requests: list[tuple[str, str, dict]]) -> list[tuple[int, float]]:
    """Send the POSTs at the same instant, each on its own connection: (status, seconds)."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def send(index, path, body, headers):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()
        barrier.wait()
        started = time.perf_counter()
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        results[index] = (response.status, time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# The measures -------------------------------------------------------------------------------


def seed():
    """A network, RACERS providers in it (each signed in), an API token; the ids the load needs."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from api.models import ApiToken
    from bench.empty import empty_referrals
    from providers.accounts import user_for
    from providers.models import InsuranceNetwork, Provider

    empty_referrals()
    Provider.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    network, _ = InsuranceNetwork.objects.get_or_create(name="Aetna")
    providers, sessions = [], {}
    for i in range(RACERS):
        provider = Provider.objects.create(
            first_name=f"Racer{i}", last_name="Bench", email=f"racer{i}@example.com", phone=""
        )
        provider.insurance_networks.set([network])
        providers.append(provider)
        browser = Client()
        browser.force_login(user_for(provider))
        sessions[provider.pk] = browser.cookies["sessionid"].value
    _, secret = ApiToken.issue(f"bench-{secrets.token_hex(4)}")
    return network, providers, sessions, secret


def race_to_accept(port, network, providers, sessions, csrf, rounds, first=0) -> tuple[list, int]:
    """RACERS providers press Accept on one General referral at once, `rounds` times (clients
    numbered from `first`): every answer's seconds, and in how many rounds there was not exactly
    one winner."""
    from referrals import services
    from tests.conftest import another_person

    latencies, wrong = [], 0
    for n in range(first, first + rounds):
        referral = services.create_referral(
            client=another_person(10_000 + n),
            insurance_network=network,
            preferred_provider=None,
            actor=services.Actor("bench"),
        )
        requests = [
            (
                "/accept/",
                f"referral={referral.pk}&round={referral.round}&status=accept&provider={p.pk}"
                f"&csrfmiddlewaretoken={csrf}",
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"sessionid={sessions[p.pk]}; csrftoken={csrf}",
                },
            )
            for p in providers
        ]
        answers = together(port, requests)
        latencies += [seconds for _, seconds in answers]
        statuses = sorted(status for status, _ in answers)
        wrong += statuses != [302] + [409] * (len(providers) - 1)
    return latencies, wrong


def race_row(port, network, providers, sessions, csrf, rounds) -> Row:
    latencies, wrong = race_to_accept(port, network, providers, sessions, csrf, rounds)
    p99 = percentile(latencies, 99)
    return Row(
        f"{RACERS} providers racing to accept one referral ({rounds} referrals)",
        "—",
        f"p99 {ms(p99)}, {'exactly one winner each' if not wrong else f'{wrong} wrong'}",
        None,
        "p99 ≤ 200 ms, exactly one winner",
        p99 <= 0.2 and not wrong,
    )


def intakes_at_once(port, network, provider, secret, rounds) -> list[float]:
    """RACERS API intakes naming one provider, sent at once, `rounds` times: seconds each."""
    latencies = []
    for n in range(rounds):
        body = (
            '{"first_name":"Sam","last_name":"Rivera","email":"at-once-%d-%d@example.org",'
            '"phone":"","consent_email":true,"consent_sms":false,"insurance_network":%d,'
            '"preferred_provider_id":%d}'
        )
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {secret}"}
        answers = together(
            port,
            [
                ("/api/referrals", body % (n, i, network.pk, provider.pk), headers)
                for i in range(RACERS)
            ],
        )
        if any(status != 201 for status, _ in answers):
            raise SystemExit(f"intakes at once: {sorted(s for s, _ in answers)}")
        latencies += [seconds for _, seconds in answers]
    return latencies


def script_output(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    return done.stdout


def number(pattern: str, text: str) -> float | None:
    found = re.search(pattern, text)
    return float(found.group(1)) if found else None


def ms(seconds: float | None) -> str:
    return "failed" if seconds is None else f"{seconds * 1000:.0f} ms"


def http_rows(rows, env, args, rounds) -> None:
    """Throughput against the bare view (wrk), and the two races (threads), through gunicorn."""
    from django.db import connection

    from bench.bare.urls import CREATE

    with connection.cursor() as cursor:
        cursor.execute(CREATE)
    network, providers, sessions, secret = seed()
    connection.close()
    csrf = secrets.token_hex(16)  # an unmasked CSRF secret: cookie and form field alike
    ids = ",".join(str(p.pk) for p in providers)
    desk, desk_port = serve("config.wsgi", env)
    bare, bare_port = serve("bench.bare.wsgi", env)
    stack, stack_port = serve("bench.stack.wsgi", env)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_SCRIPT)
            script.flush()
            path = Path(script.name)
            for kind, label, goal, port in (
                ("api", "`POST /api/referrals` throughput", 0.5, desk_port),
                ("form", "intake form POST throughput", 0.4, desk_port),
                # What the stack itself allows: the bare view behind every middleware of ours.
                ("stack", "the bare view through our middleware (one INSERT)", None, stack_port),
            ):
                load = [str(network.pk), secret, csrf, ids]
                warm(port, kind, path, load)
                warm(bare_port, kind, path, load)
                ours, errors = wrk(port, kind, args.seconds, path, load)
                base, base_errors = wrk(bare_port, kind, args.seconds, path, load)
                ratio = ours / base
                note = f" ({errors} errors)" if errors else ""
                rows.append(
                    Row(
                        label,
                        f"{base:.0f} req/s" + (f" ({base_errors} errors)" if base_errors else ""),
                        f"{ours:.0f} req/s{note}",
                        ratio,
                        f"≥ {goal} of the bare view" if goal else "measured (the stack's ceiling)",
                        None
                        if goal is None
                        else at_least(ratio, goal) and not errors and not base_errors,
                    )
                )
        rows.append(race_row(desk_port, network, providers, sessions, csrf, rounds))
        ours = intakes_at_once(desk_port, network, providers[0], secret, rounds)
        bare_answers = [
            seconds
            for _ in range(rounds)
            for _, seconds in together(bare_port, [("/", "x", {})] * RACERS)
        ]
        base_p99, ours_p99 = percentile(bare_answers, 99), percentile(ours, 99)
        rows.append(
            Row(
                f"{RACERS} intakes at once for one provider (API)",
                f"p99 {ms(base_p99)}",
                f"p99 {ms(ours_p99)}",
                base_p99 / ours_p99,
                "measured (shared lock: not one at a time)",
                None,
            )
        )
    finally:
        stop(desk)
        stop(bare)
        stop(stack)


def race_rows(rows, env, rounds) -> None:
    """The race alone (`--parts race`), on a server warmed by one race that is not counted (a
    worker's first requests import and build the whole application)."""
    from django.db import connection

    network, providers, sessions, _ = seed()
    connection.close()
    csrf = secrets.token_hex(16)
    desk, port = serve("config.wsgi", env)
    try:
        race_to_accept(port, network, providers, sessions, csrf, 1, first=rounds)
        before = server_cpu(desk)
        rows.append(race_row(port, network, providers, sessions, csrf, rounds))
        after = server_cpu(desk)
        requests = rounds * len(providers)
        django, postgres = ((a - b) * 1000 / requests for a, b in zip(after, before, strict=True))
        print(f"CPU per request: {django:.1f} ms in gunicorn, {postgres:.1f} ms in PostgreSQL")
    finally:
        stop(desk)


def server_cpu(server: subprocess.Popen) -> tuple[float, float]:
    """CPU seconds so far of the server's workers and of the database's other connections (the
    workers', once warm), from Linux's /proc: steady where wall-clock times are not (a shared
    machine). The referrals the race makes are this process's, not counted."""
    from django.db import connection

    workers = [pid for pid in _pids() if _stat(pid)[1:2] == [str(server.pid)]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    return sum(map(_cpu, workers)), sum(map(_cpu, backends))


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command's name: state, ppid, ..., utime, stime."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone
        return []


def _cpu(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def delivery_rows(rows, env, args) -> None:
    """The worker: commit -> delivered, and the dispatcher against a plain client loop."""
    bench = ROOT / "bench"
    count = "30" if args.quick else "60"
    out = script_output(
        [PY, str(bench / "delivery_latency.py"), "--count", count, "--rate", "1"]
        + ["--database-url", args.database_url],
        {**env, "DEBUG": "true"},
    )
    p99 = number(r"p99 ([\d.]+)s", out)
    rows.append(
        Row(
            f"commit → all four first messages delivered ({count} referrals at 1/s)",
            "—",
            f"p99 {ms(p99)}",
            None,
            "p99 ≤ 250 ms",
            at_most(p99, 0.25),
        )
    )
    # 4,000 messages: about four seconds of the worker. With 1,000 (one second) the rate was
    # mostly the start (first claims, connections, first renders) and varied by a tenth from
    # run to run (0.46-0.51 on one quiet machine; 0.53-0.55 with 4,000).
    referrals = "250" if args.quick else "1000"
    out = script_output(
        [PY, str(bench / "delivery_throughput.py"), "--referrals", referrals]
        + ["--database-url", args.database_url],
        {**env, "DEBUG": "true"},
    )
    one = number(r"1 worker\(s\): \d+ of \d+ messages at (\d+)/s", out)
    plain = number(r"plain client loop: \d+ messages at (\d+)/s", out)
    ratio = one / plain if one and plain else None
    rows.append(
        Row(
            f"dispatcher (1 worker) vs a plain client loop ({int(referrals) * 4:,} messages)",
            f"{plain:.0f} msg/s" if plain else "failed",
            f"{one:.0f} msg/s" if one else "failed",
            ratio,
            "≥ 0.5",
            at_least(ratio, 0.5),
        )
    )


def analytics_rows(rows, env, args) -> None:
    out = script_output(
        [PY, str(ROOT / "bench" / "analytics_100k.py"), "--runs", "5" if args.quick else "15"],
        {**env, "DEBUG": "true", "DATABASE_URL": args.analytics_database_url or args.database_url},
    )
    base = number(r"baseline: empty period\s+median\s+([\d.]+) ms", out)
    default = number(r"default: last 12 weeks\s+median\s+([\d.]+) ms", out)
    years = number(r"all 2 years\s+median\s+([\d.]+) ms", out)
    for label, value in (("two-year view", years), ("default view", default)):
        rows.append(
            Row(
                f"analytics, {label}, 100,000 referrals (median)",
                "failed" if base is None else f"{base:.0f} ms (empty period)",
                "failed" if value is None else f"{value:.0f} ms",
                None,
                "≤ 300 ms",
                at_most(value, 300),
            )
        )


def memory_rows(rows, env) -> None:
    on_sqlite = {k: v for k, v in env.items() if k != "DATABASE_URL"}  # its own test database
    memory = subprocess.run(
        [PY, "-m", "pytest", "-q", "-p", "no:randomly", "tests/delivery/test_worker_memory.py"],
        cwd=ROOT,
        env={**on_sqlite, "DEBUG": "true", "CI": "true"},
        capture_output=True,
    )
    rows.append(
        Row(
            "worker memory, DEBUG on (queries kept per pass)",
            "—",
            "flat (one pass's queries)" if memory.returncode == 0 else "grows",
            None,
            "flat in every mode",
            memory.returncode == 0,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument(
        "--analytics-database-url",
        default=os.environ.get("BENCH_ANALYTICS_DATABASE_URL"),
        help="where the 100,000 referrals are built once and kept (default: --database-url, "
        "rebuilt each run since the other measures empty it)",
    )
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    parser.add_argument(
        "--parts",
        default="http,delivery,analytics,memory",
        help="comma-separated: which measures to run (default: all); `race`: only the 32 "
        "providers racing to accept, on its own server",
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke run")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not (args.database_url or "").startswith("postgres"):
        raise SystemExit("give --database-url (or BENCH_DATABASE_URL) postgres://.../a_bench_db")
    if "http" in parts and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: sudo apt-get install wrk (Debian/Ubuntu)")
    rounds = 3 if args.quick else 10

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",  # testserver: the analytics script's client
        "SECURE_SSL_REDIRECT": "false",
        "INTAKE_RATE_LIMIT": RATE_UNLIMITED,
        "LOG_LEVEL": "ERROR",
        "ROUTING": "true",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from analytics_100k import ensure_database  # noqa: E402  (creates the database if missing)

    ensure_database()
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    manage = [PY, "manage.py", "collectstatic", "--noinput", "-v0"]  # production serves them
    subprocess.run(manage, cwd=ROOT, env=env, check=True)
    rows = Rows()
    if "http" in parts:
        http_rows(rows, env, args, rounds)
    if "race" in parts:
        race_rows(rows, env, rounds)
    if "delivery" in parts:
        delivery_rows(rows, env, args)
    if "analytics" in parts:
        analytics_rows(rows, env, args)
    if "memory" in parts:
        memory_rows(rows, env)
    shutil.rmtree(env["STATIC_ROOT"], ignore_errors=True)
    cpu = platform.processor() or platform.machine()
    print(f"\n{platform.node()}: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}")
    print(table(rows))


if __name__ == "__main__":
    main()
