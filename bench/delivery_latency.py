"""Latency from a referral's commit to all of its first messages arriving (issue 3).

Starts the loopback Slack, SMTP and Twilio servers, a fresh database and a real
`manage.py worker` process (WORKER_POLL_INTERVAL 1 s, production pacing), then submits Preferred
Provider referrals at a steady rate. For each referral it takes the moment its transaction
committed and the moment the last of its four first messages reached a server (Slack post,
provider email, provider SMS, client confirmation), and prints p50/p99 and the ratio against
Zapier's 60 s and 900 s polling intervals.

    .venv/bin/python bench/delivery_latency.py [--count 200] [--rate 1] [--database-url URL]
"""

import argparse
import re
import statistics
import time

from delivery_setup import cleanup, client_details, elapsed_since, prepare, wait_until
from run_all import percentile


def arrivals(slack, smtp, twilio) -> dict[str, list[float]]:
    """Referral number -> arrival times of its messages, as the servers recorded them."""
    seen: dict[str, list[float]] = {}

    def add(text: str, at: float):
        match = re.search(r"R-\d{5,}", text)
        if match:
            seen.setdefault(match.group(0), []).append(at)

    for call in slack.calls_to("chat.postMessage"):
        add(call["params"]["text"], call["received_at"])
    for call in twilio.calls_to("messages.create"):
        add(call["params"]["Body"], call["received_at"])
    for message in list(smtp.messages):
        add(message.get_body(("plain",)).get_content(), message.received_at)
    return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1.0, help="referrals per second")
    parser.add_argument("--database-url", help="default: a fresh SQLite file under var/")
    args = parser.parse_args()

    servers, env, providers, network = prepare(
        args.database_url, {"WORKER_POLL_INTERVAL": "1s", "DELIVERY_TIMEOUT": "10s"}
    )
    from django.db import connection

    from referrals import services
    from tests.loopback.processes import start_worker, stop_worker

    slack, smtp, twilio = servers
    vendor = connection.vendor
    worker = start_worker(env)
    time.sleep(2)  # let the worker start before the clock runs
    committed: dict[str, float] = {}
    started = time.monotonic()
    try:
        for i in range(args.count):
            due = started + i / args.rate
            time.sleep(max(0.0, due - time.monotonic()))
            referral = services.create_referral(
                client=client_details(i),
                insurance_network=network,
                preferred_provider=providers[i % len(providers)],
                actor=services.Actor("bench"),
            )
            committed[referral.number] = time.time()
        done = wait_until(
            lambda: sum(len(v) == 4 for v in arrivals(slack, smtp, twilio).values()) >= args.count,
            timeout=120,
        )
    finally:
        stop_worker(worker)
        for server in servers:
            server.stop()
        cleanup(env)

    seen = arrivals(slack, smtp, twilio)
    latencies = [max(seen[n]) - committed[n] for n in committed if len(seen.get(n, [])) >= 4]
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(
        f"database: {vendor}; {args.count} referrals at {args.rate}/s in {elapsed_since(started)}"
    )
    print(f"all four first messages delivered for {len(latencies)}/{args.count} referrals")
    print(
        f"commit -> last first message: p50 {p50:.3f}s  p99 {p99:.3f}s  "
        f"mean {statistics.mean(latencies):.3f}s  max {max(latencies):.3f}s"
    )
    for interval in (60, 900):
        print(
            f"Zapier polling every {interval}s (worst case {interval}s, median {interval / 2:.0f}s): "
            f"{interval / p99:.0f}x our p99, {interval / 2 / p50:.0f}x our p50"
        )
    if not done:
        raise SystemExit("some messages never arrived")


if __name__ == "__main__":
    main()
