"""Dispatcher throughput: messages per second with 1 and with 2 worker processes (issue 3).

Queues the messages of --referrals Preferred Provider referrals (four each: Slack post, provider
email, provider SMS, client confirmation) with no worker running, then starts the workers against
loopback servers that answer at once and times first to last arrival. Channel pacing is set to
1 ms so the figure is the dispatcher's own speed, not Slack's or Twilio's rate limits.

The baseline is a plain client loop (`plain_loop`): the same messages sent one after another to
the same servers with urllib and one smtplib connection, with no database work at all; the
issue's goal is the dispatcher (one worker) at half its rate or better.

    .venv/bin/python bench/delivery_throughput.py [--referrals 250] [--database-url URL]
"""

import argparse
import base64
import json
import smtplib
import time
import urllib.parse
import urllib.request
from email.message import EmailMessage

from delivery_setup import cleanup, client_details, prepare, wait_until
from empty import empty_referrals

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
    slack, smtp, twilio = servers
    processes = [start_worker(env) for _ in range(workers)]
    try:
        wait_until(lambda: not OutboxMessage.objects.exclude(status="sent").exists(), 300)
    finally:
        for process in processes:
            stop_worker(process)
    by_channel = {
        "slack": [c["received_at"] for c in slack.calls_to("chat.postMessage")],
        "sms": [c["received_at"] for c in twilio.calls_to("messages.create")],
        "email": [m.received_at for m in smtp.messages],
    }
    times = [t for ts in by_channel.values() for t in ts]
    rate = len(times) / (max(times) - min(times))
    each = ", ".join(f"{ch} {len(ts) / (max(ts) - min(ts)):.0f}/s" for ch, ts in by_channel.items())
    print(f"{workers} worker(s): {len(times)} of {total} messages at {rate:.0f}/s ({each})")
    return rate


def plain_loop(servers) -> float:
    """Send every queued message once, in turn, with plain clients; messages per second."""
    from notifications.models import OutboxMessage

    slack, smtp, twilio = servers
    for server in servers:
        server.forget()
    messages = list(OutboxMessage.objects.order_by("pk"))
    basic = base64.b64encode(f"{twilio.account_sid}:{twilio.auth_token}".encode()).decode()
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", smtp.port) as mail:
        for message in messages:
            if message.channel == "email":
                email = EmailMessage()
                email["From"], email["To"] = "desk@example.org", message.recipient
                email["Subject"] = message.subject
                email.set_content(message.body_text)
                mail.send_message(email)
                continue
            if message.channel == "slack":
                url = f"{slack.url}chat.postMessage"
                data = json.dumps({"channel": message.recipient, "text": message.body_text})
                headers = {
                    "Authorization": f"Bearer {slack.token}",
                    "Content-Type": "application/json; charset=utf-8",
                }
            else:
                url = f"{twilio.url}/2010-04-01/Accounts/{twilio.account_sid}/Messages.json"
                data = urllib.parse.urlencode(
                    {"To": message.recipient, "From": "+15550100199", "Body": message.body_text}
                )
                headers = {"Authorization": f"Basic {basic}"}
            request = urllib.request.Request(url, data.encode(), headers, method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
    rate = len(messages) / (time.monotonic() - started)
    print(f"plain client loop: {len(messages)} messages at {rate:.0f}/s")
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
