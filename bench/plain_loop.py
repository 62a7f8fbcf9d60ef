"""The baseline of bench/delivery_throughput.py: the same messages sent by plain clients.

No database and no SDK: `http.client` for Slack and Twilio, `smtplib` for email, each with one
connection kept for the whole run. It is as fair a match for the worker as a plain loop can be:
its own process (the worker is one too; the loopback servers stay in the benchmark's process),
one loop per channel on its own thread (the worker has one thread per channel), and the same
content: the email as text and HTML with the same headers, the Slack post with its mention and
blocks, the text with its sender. Reads the messages as JSON on stdin (`messages_for_plain_loop`
in delivery_throughput.py writes them) and exits when all are sent.
"""

import base64
import http.client
import json
import smtplib
import sys
import threading
import urllib.parse
from contextlib import closing, contextmanager
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate

SMTP_LINES = compat32.clone(linesep="\r\n")  # as Django writes a message for smtplib
failed = threading.Event()


def send_emails(smtp: dict, messages: list[dict]) -> None:
    """Built as Django's mail builds them (email.mime, the compat32 policy), sent with sendmail."""
    with failing(), smtplib.SMTP(smtp["host"], smtp["port"], timeout=10) as connection:
        for m in messages:
            email = MIMEMultipart("alternative")
            email.attach(MIMEText(m["text"], "plain", "utf-8"))
            email.attach(MIMEText(m["html"], "html", "utf-8"))
            email["Subject"] = m["subject"]
            email["From"], email["To"], email["Reply-To"] = smtp["from"], m["to"], smtp["reply_to"]
            email["Date"] = formatdate(localtime=False)
            email["Message-ID"], email["Auto-Submitted"] = m["message_id"], "auto-generated"
            connection.sendmail(smtp["from"], [m["to"]], email.as_bytes(policy=SMTP_LINES))


def post_all(server: dict, payloads: list[dict], encode) -> None:
    connection = http.client.HTTPConnection(server["host"], server["port"], timeout=10)
    with failing(), closing(connection):
        for payload in payloads:
            connection.request("POST", server["path"], encode(payload), server["headers"])
            response = connection.getresponse()
            json.loads(response.read())  # as a client reads the answer (the id it returns)
            if response.status >= 300:
                raise RuntimeError(f"{server['path']} answered {response.status}")


@contextmanager
def failing():
    """A loop that raises marks the run failed (a thread's exception would not end the process)."""
    try:
        yield
    except BaseException:
        failed.set()
        raise


def main() -> None:
    work = json.load(sys.stdin)
    slack, twilio = work["slack"], work["twilio"]
    slack["headers"] = {
        "Authorization": f"Bearer {slack.pop('token')}",
        "Content-Type": "application/json;charset=utf-8",
    }
    basic = base64.b64encode(f"{twilio['account_sid']}:{twilio.pop('auth_token')}".encode())
    twilio["headers"] = {
        "Authorization": f"Basic {basic.decode()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }

    def post(payload: dict) -> bytes:
        return json.dumps(payload).encode()

    def form(text: dict) -> bytes:
        fields = {"To": text["to"], "From": twilio["from"], "Body": text["body"]}
        return urllib.parse.urlencode(fields).encode()

    loops = [
        threading.Thread(target=send_emails, args=(work["smtp"], work["emails"])),
        threading.Thread(target=post_all, args=(slack, work["posts"], post)),
        threading.Thread(target=post_all, args=(twilio, work["texts"], form)),
    ]
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join()
    if failed.is_set():
        sys.exit("a loop failed (see above)")


if __name__ == "__main__":
    main()
