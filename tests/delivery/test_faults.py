"""Each channel failing in each way: transient faults lose nothing and deliver exactly once after
recovery; permanent refusals stop at once with the error recorded; Retry-After is honoured; one
broken channel never holds up the others."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import OutboxMessage
from providers.models import Provider
from referrals.services import Actor, accept_referral

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status

TRANSIENT = [
    ("slack", "down"),
    ("slack", "500"),
    ("slack", "429"),
    ("slack", "hang"),
    ("email", "down"),
    ("email", "451"),
    ("email", "hang"),
    ("sms", "down"),
    ("sms", "500"),
    ("sms", "429"),
    ("sms", "hang"),
]


def run_worker(now=None):
    args = ["--once"] + ([f"--now={now.isoformat()}"] if now else [])
    call_command("worker", *args, stdout=StringIO())


def server_of(channels, channel):
    return {"slack": channels.slack, "email": channels.smtp, "sms": channels.sms}[channel]


def delivered(channels) -> dict[str, int]:
    return {
        "slack": len(channels.slack.posts),
        "email": len(channels.smtp.messages),
        "sms": len(channels.sms.messages),
    }


@pytest.mark.parametrize(("channel", "mode"), TRANSIENT)
def test_transient_fault_loses_nothing_and_delivers_once_after_recovery(
    channels, make_referral, ana, aetna, channel, mode
):
    make_referral(network=aetna, preferred=ana)
    server = server_of(channels, channel)
    server.fail(mode)

    run_worker()

    waiting = OutboxMessage.objects.filter(channel=channel).exclude(status=Status.SENT)
    assert waiting.exists() and not waiting.filter(status=Status.FAILED).exists()
    assert waiting.filter(attempts=1).exclude(last_error="").count() == 1
    others = OutboxMessage.objects.exclude(channel=channel)
    assert set(others.values_list("status", flat=True)) == {Status.SENT}

    server.recover()
    run_worker(now=timezone.now() + timedelta(hours=1))
    run_worker(now=timezone.now() + timedelta(hours=2))  # nothing left to send twice

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert delivered(channels) == {"slack": 1, "email": 2, "sms": 1}


def test_slack_429_retry_after_sets_next_attempt_and_pauses_the_channel(
    channels, make_referral, ana, aetna
):
    make_referral(network=aetna, preferred=ana)
    make_referral(network=aetna, preferred=ana)
    channels.slack.fail("429", retry_after=30)
    before = timezone.now()

    run_worker()

    assert len(channels.slack.turned_away) == 1  # the second post was not even tried
    first = OutboxMessage.objects.filter(channel="slack").order_by("id").first()
    assert first.status == Status.QUEUED and "429" in first.last_error
    wait = (first.next_attempt_at - before).total_seconds()
    assert 30 <= wait < 35


def _refuse_slack_invalid_auth(channels, settings, ana):
    channels.slack.fail("refuse", error="invalid_auth")


def _refuse_slack_channel_not_found(channels, settings, ana):
    settings.SLACK_CHANNEL = "#archived-long-ago"


def _refuse_email_550(channels, settings, ana):
    channels.smtp.fail("refuse")


def _refuse_sms_21211(channels, settings, ana):
    Provider.objects.filter(pk=ana.pk).update(phone="+1555")


PERMANENT = [
    ("slack", _refuse_slack_invalid_auth, "invalid_auth"),
    ("slack", _refuse_slack_channel_not_found, "channel_not_found"),
    ("email", _refuse_email_550, "550"),
    ("sms", _refuse_sms_21211, "21211"),
]


@pytest.mark.parametrize(("channel", "refuse", "error"), PERMANENT)
def test_permanent_refusal_stops_at_once_with_the_error(
    channels, settings, make_referral, ana, aetna, channel, refuse, error
):
    refuse(channels, settings, ana)
    make_referral(network=aetna, preferred=ana)

    run_worker()
    server_of(channels, channel).recover()
    run_worker(now=timezone.now() + timedelta(hours=1))

    failed = OutboxMessage.objects.filter(channel=channel, status=Status.FAILED)
    assert failed.exists()
    for message in failed:
        assert message.attempts == 1 and error in message.last_error
    others = OutboxMessage.objects.exclude(channel=channel)
    assert set(others.values_list("status", flat=True)) == {Status.SENT}


def test_replies_to_a_post_that_failed_for_good_fail_too(channels, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    channels.slack.fail("refuse", error="invalid_auth")
    run_worker()
    channels.slack.recover()

    accept_referral(referral.pk, ana, actor=Actor("test"))
    run_worker()

    replies = OutboxMessage.objects.filter(channel="slack", event__kind="accepted")
    assert {m.status for m in replies} == {Status.FAILED}
    assert all("first Slack post failed" in m.last_error for m in replies)
    assert channels.slack.posts == []


def test_a_hanging_channel_does_not_stop_the_others_in_one_pass(
    channels, make_referral, ana, aetna
):
    for _ in range(3):
        make_referral(network=aetna, preferred=ana)
    channels.slack.fail("hang")

    run_worker()

    assert len(channels.slack.hung) == 1  # tried once, then the channel is left for later
    assert delivered(channels) == {"slack": 0, "email": 6, "sms": 3}


def test_a_server_refusing_starttls_fails_email_at_once_as_a_configuration_error(
    channels, settings, make_referral, ana, aetna, caplog
):
    """The loopback SMTP server offers no STARTTLS; an EMAIL_URL without ?tls=0 asks for it."""
    settings.EMAIL_USE_TLS = True
    make_referral(network=aetna, preferred=ana)
    make_referral(network=aetna, preferred=ana)

    with caplog.at_level("INFO", logger="referral_desk.delivery"):
        run_worker()
        run_worker(now=timezone.now() + timedelta(hours=1))

    emails = OutboxMessage.objects.filter(channel="email")
    assert {m.status for m in emails} == {Status.FAILED}
    assert all(m.attempts == 1 and "STARTTLS" in m.last_error for m in emails)
    assert all("configuration" in m.last_error and "tls=0" in m.last_error for m in emails)
    assert channels.smtp.messages == []
    logged = [r for r in caplog.records if "STARTTLS" in r.getMessage()]
    assert len(logged) == 1  # the configuration error is logged once, not once per message
    others = OutboxMessage.objects.exclude(channel="email")
    assert set(others.values_list("status", flat=True)) == {Status.SENT}
