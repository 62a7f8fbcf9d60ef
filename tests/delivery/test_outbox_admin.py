"""Staff see the outbox in admin, with errors and masked recipients, and "Retry now" sends a
failed message again once its channel works, without resending anything already sent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:notifications_outboxmessage_changelist"


@pytest.fixture
def failed_email(channels, make_referral, ana, aetna):
    channels.smtp.fail("refuse")
    make_referral(network=aetna, preferred=ana)
    call_command("worker", "--once", stdout=StringIO())
    channels.smtp.recover()
    return OutboxMessage.objects.filter(channel="email", status="failed")


@pytest.mark.parametrize("query", ["", "?status__exact=failed", "?channel__exact=email"])
def test_outbox_list_shows_errors_and_masks_recipients(admin_client, failed_email, query):
    response = admin_client.get(reverse(CHANGELIST) + query)

    page = response.content.decode()
    assert response.status_code == 200
    if query != "?channel__exact=email":
        assert "recipient refused" in page
    assert "sam.rivera@example.org" not in page and "sa…@example.org" in page


def test_outbox_detail_is_read_only(admin_client, failed_email):
    message = failed_email.first()
    url = reverse("admin:notifications_outboxmessage_change", args=[message.pk])

    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"status": "sent", "recipient": "x@example.com"})
    message.refresh_from_db()
    assert message.status == "failed"


def test_retry_now_sends_failed_messages_once_and_leaves_sent_ones(
    admin_client, channels, failed_email
):
    before = timezone.now()
    everything = OutboxMessage.objects.values_list("pk", flat=True)

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "retry_selected", "_selected_action": list(everything)},
        follow=True,
    )

    assert "2 message(s) will be retried" in response.content.decode()
    for message in OutboxMessage.objects.filter(channel="email"):
        assert message.status == "queued" and message.next_attempt_at >= before
    call_command("worker", "--once", stdout=StringIO())
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert len(channels.smtp.messages) == 2
    assert len(channels.slack.posts) == 1 and len(channels.sms.messages) == 1
