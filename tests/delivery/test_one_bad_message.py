"""One message that cannot be sent never holds up the others: whatever a transport raises for one
row fails that row alone (with a reason staff can read, and no client details), and the rest of
the batch goes out in the same pass. Internationalised domains go out in their IDNA form."""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications.clients import build_transport
from notifications.dispatcher import drain_channel
from notifications.models import OutboxMessage
from referrals.services import ClientDetails
from tests.delivery.batches import queue_batch, received

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
UNENCODABLE = "a@" + "ä" * 60 + ".com"  # Django's validator accepts it; IDNA cannot encode it
SECRET = "sam.rivera@example.org"


class OneBadMessage:
    """The channel's real transport, except that sending one chosen row raises `error`."""

    def __init__(self, inner, bad_pk, error):
        self.inner, self.bad_pk, self.error = inner, bad_pk, error
        self.channel = inner.channel
        self.min_interval = 0.0
        self.paused_until = float("-inf")

    def cost(self, message):
        return 1

    def prepare(self, messages):
        self.inner.prepare(messages)

    def send(self, message):
        if message.pk == self.bad_pk:
            raise self.error
        return self.inner.send(message)

    def close(self):
        self.inner.close()


@pytest.mark.parametrize("channel", ["slack", "email", "sms"])
@pytest.mark.parametrize(
    "error", [RuntimeError(f"boom for {SECRET}"), UnicodeError("label too long"), KeyError("x")]
)
def test_an_exception_for_one_message_fails_it_alone_and_the_other_24_go_out(
    channels, caplog, channel, error
):
    batch = queue_batch(channel)
    bad = batch[7]
    transport = OneBadMessage(build_transport(channel), bad.pk, error)

    with caplog.at_level(logging.INFO):
        sent = drain_channel(transport, max_batches=1)

    assert sent == 24 and len(received(channels, channel)) == 24
    bad.refresh_from_db()
    assert bad.status == Status.FAILED and bad.attempts == 1
    assert type(error).__name__ in bad.last_error and SECRET not in bad.last_error
    others = OutboxMessage.objects.exclude(pk=bad.pk)
    assert set(others.values_list("status", flat=True)) == {Status.SENT}
    assert SECRET not in caplog.text


@pytest.mark.usefixtures("routing_off")
def test_an_unencodable_client_address_fails_alone_and_staff_see_why(
    channels, make_referral, ana, aetna, admin_client, client, settings
):
    """The issue's reproduction: the address from the intake form, among other messages."""
    make_referral(network=aetna, preferred=ana)
    bad_client = ClientDetails("Kim", "Park", UNENCODABLE, "", consent_sms=False)
    make_referral(network=aetna, client=bad_client)
    make_referral(network=aetna, preferred=ana)

    call_command("worker", "--once", stdout=StringIO())

    bad = OutboxMessage.objects.get(recipient=UNENCODABLE)
    assert bad.status == Status.FAILED and bad.attempts == 1
    assert "cannot be encoded" in bad.last_error and "ä" not in bad.last_error
    others = OutboxMessage.objects.exclude(pk=bad.pk)
    assert set(others.values_list("status", flat=True)) == {Status.SENT}
    assert not OutboxMessage.objects.filter(status=Status.INFLIGHT).exists()
    assert len(channels.smtp.messages) == others.filter(channel="email").count() == 4

    changelist = admin_client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert bad.last_error[:80] in changelist.content.decode()
    desk = admin_client.get(reverse("desk:queue"))
    failed = {c["key"]: c for c in desk.context["attention"]}["failed"]
    assert [m.pk for m in failed["items"]] == [bad.pk]
    assert bad.last_error in desk.content.decode()

    call_command("worker", "--once", f"--now={(timezone.now() + timedelta(hours=1)).isoformat()}")
    assert len(channels.smtp.messages) == 4  # nothing claimed again, nothing sent twice


@pytest.mark.parametrize(
    ("address", "envelope"),
    [
        ("kunde@bücher.example", "kunde@xn--bcher-kva.example"),
        ("kunde@faß.example", "kunde@xn--fa-hia.example"),  # IDNA 2008: not "fass.example"
        ("kunde@BÜCHER.Example", "kunde@xn--bcher-kva.example"),
    ],
)
def test_an_internationalised_domain_is_sent_in_its_idna_form(
    channels, make_referral, aetna, address, envelope
):
    make_referral(network=aetna, client=ClientDetails("Kim", "Park", address, ""))

    call_command("worker", "--once", stdout=StringIO())

    [message] = channels.smtp.messages
    assert message.envelope_to == [envelope]
    assert message["To"] == envelope
    assert OutboxMessage.objects.get(channel="email").status == Status.SENT


def test_a_non_ascii_local_part_fails_at_once_saying_smtputf8_is_needed(
    channels, make_referral, aetna
):
    make_referral(network=aetna, client=ClientDetails("Kim", "Park", "jörg@example.org", ""))

    call_command("worker", "--once", stdout=StringIO())

    message = OutboxMessage.objects.get(channel="email")
    assert message.status == Status.FAILED and message.attempts == 1
    assert "SMTPUTF8" in message.last_error and "jörg" not in message.last_error
    assert channels.smtp.messages == []
