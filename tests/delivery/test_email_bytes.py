"""An email leaves the worker byte for byte as Django's SMTP backend would send it: the same
envelope sender and recipients and the same message bytes, for plain and non-ASCII senders,
subjects and bodies, a long-lined HTML part, an internationalised domain, and a body that
contains the boundary drawn (notifications/mime.py writes the bytes with less work)."""

import random
from email.policy import compat32

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address

from notifications.mime import SMTP_POLICY, as_smtp_bytes
from notifications.models import OutboxMessage
from notifications.transports.email import EmailTransport, ascii_address, envelope_address

PLAIN = compat32.clone(linesep="\r\n")  # as Django writes a message for smtplib
LONG_LINE = "<p>" + "Ein sehr langer Absatz ohne Umbruch. " * 40 + "</p>"
MESSAGES = [
    ("sam@example.org", "New referral R-00042", "Hello Ana,\nA referral.\n", "<p>Hi</p>"),
    (
        "zoe@bücher.example",
        "Überweisung für Zoë Müller – bitte bestätigen",
        "Grüße aus der Praxis,\nZoë\n",
        "<p>Grüße, <b>Zoë</b></p>",
    ),
    ("a.b+tag@example.org", "Confirmation", "Plain text only\n", ""),
    ("x@example.org", "Long " + "subject words " * 12, "Text\n", LONG_LINE),
    ("y@example.org", "日本語の件名", "本文です。\n", "<p>本文</p>"),
]


class Recorder:
    """An SMTP connection that records what it was asked to send."""

    def __init__(self):
        self.sent = []

    def sendmail(self, from_addr, to_addrs, msg):
        self.sent.append((from_addr, list(to_addrs), msg))

    def quit(self):
        pass


class RecordingBackend(EmailBackend):
    """Django's SMTP backend over a Recorder instead of a socket."""

    def open(self):
        if self.connection is None:
            self.connection = Recorder()
            return True
        return False

    def close(self):
        self.connection = None


def sent_by_django(row: OutboxMessage, host: str, settings) -> tuple:
    """The message as the transport built it before, sent through the backend's send()."""
    backend = RecordingBackend(host="unused", port=1)
    backend.open()
    recorder = backend.connection
    mail = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[ascii_address(row.recipient)],
        reply_to=[settings.REPLY_TO_EMAIL],
        headers={"Auto-Submitted": "auto-generated", "Message-ID": f"<outbox-{row.pk}@{host}>"},
        connection=backend,
    )
    if row.body_html:
        mail.attach_alternative(row.body_html, "text/html")
    mail.send(fail_silently=False)
    return recorder.sent[0]


@pytest.mark.parametrize(
    "from_email", ["Referral Desk <intake@example.com>", "Praxis Müller <intake@example.com>"]
)
def test_the_worker_sends_the_bytes_djangos_smtp_backend_sends(settings, from_email):
    settings.DEFAULT_FROM_EMAIL = from_email
    settings.REPLY_TO_EMAIL = "intake@example.com"
    settings.SITE_URL = "https://desk.example"
    backends = []

    def factory():
        backends.append(RecordingBackend(host="unused", port=1))
        return backends[-1]

    transport = EmailTransport(factory)
    rows = [
        OutboxMessage(pk=pk, channel="email", recipient=to, subject=s, body_text=t, body_html=h)
        for pk, (to, s, t, h) in enumerate(MESSAGES, start=1)
    ]
    with time_machine.travel("2026-12-01 15:00:00Z", tick=False):
        for seed, row in enumerate(rows):
            random.seed(seed)
            expected = sent_by_django(row, "desk.example", settings)
            random.seed(seed)
            transport.send(row)
            assert backends[0].connection.sent[-1] == expected
    transport.close()
    assert len(backends) == 1  # one connection for the batch, as before


@time_machine.travel("2026-12-01 15:00:00Z", tick=False)
def test_a_body_holding_the_boundary_drawn_gets_the_boundary_djangos_backend_writes():
    random.seed(7)  # the boundary this seed draws first
    probe = EmailMultiAlternatives("s", "x", "a@example.org", ["b@example.org"])
    probe.attach_alternative("<p>x</p>", "text/html")
    probe_message = probe.message()
    as_smtp_bytes(probe_message)
    boundary = probe_message.get_boundary()

    mail = EmailMultiAlternatives(
        "s", f"before\n--{boundary}\nafter\n", "a@example.org", ["b@example.org"]
    )
    mail.attach_alternative("<p>x</p>", "text/html")
    random.seed(7)
    ours = as_smtp_bytes(mail.message())
    random.seed(7)
    djangos = mail.message().as_bytes(linesep="\r\n")

    # the drawn boundary occurs in the part, so the standard check ran, with the standard
    # outcome (which, with CRLF line ends, is to keep it: its pattern ends at "\n", not "\r\n")
    assert ours == djangos


@pytest.mark.parametrize(
    "address",
    [
        "sam@example.org",
        "a.b+tag@sub.example.org",
        "o'brien@example.ie",
        "x{y}|z~!#$%&*=?^_`@example.com",
        "UPPER.Case@Example.ORG",
        "a..b@example.org",
        ".a@example.org",
        "a.@example.org",
        '"quoted local"@example.org',
        "a@" + "l" * 63 + ".example",
        "a@" + "l" * 64 + ".example",
        "a@-dash-.example",
        "a@example..org",
        "a@xn--bcher-kva.example",
        "Name <a@example.org>",
        "a@[127.0.0.1]",
        "=?utf-8?q?x?=@example.org",
        "=?utf-8?q?x?=.y@example.org",
    ],
)
def test_an_envelope_address_is_what_djangos_backend_writes(address):
    try:
        expected = sanitize_address(address, "utf-8")
    except ValueError as exc:
        expected = type(exc)
    try:
        ours = envelope_address(address)
    except ValueError as exc:
        ours = type(exc)
    assert ours == expected


def test_a_header_line_is_folded_as_compat32_folds_it():
    chars = "ab Z09;,:=<>\"'()@.-\t\x7f\x0bé"
    rng = random.Random(12)
    names = ["Subject", "To", "Date", "X-Long-Header-Name-For-Folding", "From", "Content-Type"]
    values = ["", " ", "a ", " a", "a  b", "x" * 70, "x" * 71, "word " * 20]
    values += ["".join(rng.choice(chars) for _ in range(rng.randint(1, 90))) for _ in range(3000)]
    for name in names:
        for value in values:
            assert folded(SMTP_POLICY, name, value) == folded(PLAIN, name, value), (name, value)


def folded(policy, name: str, value: str):
    """The header line as `policy` writes it, or the kind of error it raises."""
    try:
        return policy.fold_binary(name, value)
    except Exception as exc:  # e.g. HeaderParseError for a value that embeds a header
        return type(exc)


def test_a_sender_the_backend_refuses_fails_every_message_not_only_the_first(settings):
    settings.DEFAULT_FROM_EMAIL = "desk@example.org@example.org"  # sanitize_address refuses it
    transport = EmailTransport(lambda: RecordingBackend(host="unused", port=1))
    rows = [OutboxMessage(pk=pk, channel="email", recipient="a@example.org") for pk in (1, 2)]

    for row in rows:
        with pytest.raises(ValueError):
            transport.send(row)
    assert transport.connection is None  # nothing was sent with an empty envelope sender
