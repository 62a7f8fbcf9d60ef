"""Dispatcher throughput: messages per second with 1 and with 2 worker processes (issue 3).

Queues the messages of --referrals Preferred Provider referrals (four each: Slack post, provider
email, provider SMS, client confirmation) with no worker running, then starts the workers against
loopback servers that answer at once and times first to last arrival. Channel pacing is set to
1 ms so the figure is the dispatcher's own speed, not Slack's or Twilio's rate limits.

The baseline is a plain client loop (bench/plain_loop.py): the same messages, with the same
content, sent to the same servers by plain clients in a process of their own, one loop and one
kept connection per channel (as the worker has one thread per channel), with no database work at
all; both rates are taken the same way, from the first arrival at a server to the last. The
issue's goal is the dispatcher (one worker) at half its rate or better.

    .venv/bin/python bench/delivery_throughput.py [--referrals 250] [--database-url URL]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from delivery_setup import cleanup, client_details, prepare, wait_until
from empty import empty_referrals

HERE = Path(__file__).resolve().parent
FAST = {
    "WORKER_POLL_INTERVAL": "0.2s",
    "SLACK_MIN_INTERVAL": "0.001s",
    "SMS_MIN_INTERVAL": "0.001s",
    "DELIVERY_TIMEOUT": "10s",
}


def run(workers: int, referrals: int, servers, env, providers, network) -> float:
    from notifications.models import OutboxMessage
    from referrals import services
    from tests.loopback.processes import start_worker, stop_worker

    for server in servers:
        server.forget()
    empty_referrals()
    for i in range(referrals):
        services.create_referral(
            client=client_details(i),
            insurance_network=network,
            preferred_provider=providers[i % len(providers)],
            actor=services.Actor("bench"),
        )
    total = OutboxMessage.objects.count()
    processes = [start_worker(env) for _ in range(workers)]
    try:
        wait_until(lambda: not OutboxMessage.objects.exclude(status="sent").exists(), 300)
    finally:
        for process in processes:
            stop_worker(process)
    count, rate, each = arrival_rate(servers)
    print(f"{workers} worker(s): {count} of {total} messages at {rate:.0f}/s ({each})")
    return rate


def arrival_rate(servers) -> tuple[int, float, str]:
    """How many arrived, messages per second from the first arrival at any server to the last,
    and the same per channel."""
    slack, smtp, twilio = servers
    by_channel = {
        "slack": [c["received_at"] for c in slack.calls_to("chat.postMessage")],
        "sms": [c["received_at"] for c in twilio.calls_to("messages.create")],
        "email": [m.received_at for m in smtp.messages],
    }
    times = [t for ts in by_channel.values() for t in ts]
    each = ", ".join(f"{ch} {len(ts) / (max(ts) - min(ts)):.0f}/s" for ch, ts in by_channel.items())
    return len(times), len(times) / (max(times) - min(times)), each


def messages_for_plain_loop(servers) -> dict:
    """What the worker sent, as plain_loop.py sends it: every outbox row (all sent by now), with
    the content each transport puts on the wire (the email's headers, the post's mention and
    blocks), and where the servers are."""
    from django.conf import settings

    from notifications.models import OutboxMessage
    from notifications.slack_blocks import blocks

    slack, smtp, twilio = servers
    host = urlsplit(settings.SITE_URL).hostname
    work = {
        "smtp": {
            "host": "127.0.0.1",
            "port": smtp.port,
            "from": settings.DEFAULT_FROM_EMAIL,
            "reply_to": settings.REPLY_TO_EMAIL,
        },
        "slack": {
            "host": "127.0.0.1",
            "port": slack.port,
            "path": "/api/chat.postMessage",
            "token": slack.token,
        },
        "twilio": {
            "host": "127.0.0.1",
            "port": twilio.port,
            "path": f"/2010-04-01/Accounts/{twilio.account_sid}/Messages.json",
            "account_sid": twilio.account_sid,
            "auth_token": twilio.auth_token,
            "from": settings.TWILIO_FROM_NUMBER,
        },
        "emails": [],
        "posts": [],
        "texts": [],
    }
    for m in OutboxMessage.objects.order_by("pk"):
        if m.channel == "email":
            work["emails"].append(
                {
                    "to": m.recipient,
                    "subject": m.subject,
                    "text": m.body_text,
                    "html": m.body_html,
                    "message_id": f"<outbox-{m.pk}@{host}>",
                }
            )
        elif m.channel == "slack":
            mention = m.payload.get("mention_user_id")
            text = f"<@{mention}>\n{m.body_text}" if mention else m.body_text
            work["posts"].append(
                {
                    "channel": settings.SLACK_CHANNEL,
                    "text": text,
                    "blocks": blocks(text, m.payload),
                    "unfurl_links": False,
                    "unfurl_media": False,
                }
            )
        else:
            work["texts"].append({"to": m.recipient, "body": m.body_text})
    return work


def plain_loop(servers) -> float:
    """Send every outbox row once more with plain_loop.py; messages per second, measured as the
    worker's are (first to last arrival at the servers)."""
    work = json.dumps(messages_for_plain_loop(servers))
    for server in servers:
        server.forget()
    subprocess.run([sys.executable, str(HERE / "plain_loop.py")], input=work, text=True, check=True)
    count, rate, each = arrival_rate(servers)
    print(f"plain client loop: {count} messages at {rate:.0f}/s ({each})")
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=250)
    parser.add_argument("--database-url", help="default: a fresh SQLite file under var/")
    args = parser.parse_args()

    servers, env, providers, network = prepare(args.database_url, FAST)
    from django.db import connection

    print(f"database: {connection.vendor}")
    try:
        one = run(1, args.referrals, servers, env, providers, network)
        two = run(2, args.referrals, servers, env, providers, network)
        plain = plain_loop(servers)
    finally:
        for server in servers:
            server.stop()
        cleanup(env)
    print(f"2 workers vs 1: {two / one:.2f}x")
    print(f"dispatcher (1 worker) vs plain client loop: {one / plain:.2f}")


if __name__ == "__main__":
    main()
