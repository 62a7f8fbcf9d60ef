"""Several workers on one PostgreSQL database, as production may run them (one per host, or more
than one by mistake): 4 worker processes against one database, with 60 referrals whose deadlines
are all due and more arriving while they run. Each deadline fires once and each message reaches
its channel once (the loopback servers count what they receive)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import OutboxMessage, WorkerHeartbeat
from referrals.models import Referral, ReferralEvent
from tests.loopback.fixtures import channels, slack_server, smtp_server, twilio_server  # noqa: F401
from tests.loopback.processes import database_url, start_worker, stop_worker
from tests.loopback.servers import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_workers_fire_each_deadline_once_and_deliver_each_message_once(
    channels,  # noqa: F811
    make_referral,
    ana,
    ben,
    aetna,
    tmp_path,
):
    channels.slack.users["ben.okafor@example.com"] = "U0BEN"
    now = timezone.now()
    providers = [ana, ben]
    reminder_due = [
        make_referral(network=aetna, preferred=providers[i % 2], now=now - timedelta(hours=25))
        for i in range(30)
    ]
    expiry_due = [
        make_referral(network=aetna, preferred=providers[i % 2], now=now - timedelta(hours=49))
        for i in range(30)
    ]
    env = {
        **channels.env,
        "DATABASE_URL": database_url(),
        "DELIVERY_TIMEOUT": "3s",
        "WORKER_POLL_INTERVAL": "0.2s",
        "SLACK_MIN_INTERVAL": "0.01s",
        "SMS_MIN_INTERVAL": "0.01s",
    }
    logs = [tmp_path / f"worker{i}.log" for i in range(4)]
    workers = [start_worker(env, log) for log in logs]
    try:
        # more referrals come in while the workers are busy
        arriving = [make_referral(network=aetna, preferred=providers[i % 2]) for i in range(10)]
        assert wait_until(
            lambda: (
                not Referral.objects.filter(
                    pk__in=[r.pk for r in expiry_due], expires_at__isnull=False
                ).exists()
                and not OutboxMessage.objects.exclude(status__in=["sent", "failed"]).exists()
            ),
            timeout=60,
        ), "\n".join(log.read_text()[-2000:] for log in logs)
        assert wait_until(lambda: WorkerHeartbeat.objects.count() == 4, timeout=10)
    finally:
        codes = [stop_worker(w) for w in workers]
    assert codes == [0, 0, 0, 0], "\n".join(log.read_text()[-2000:] for log in logs)

    events = Counter(
        ReferralEvent.objects.filter(
            kind__in=[ReferralEvent.Kind.REMINDED, ReferralEvent.Kind.EXPIRED]
        ).values_list("referral_id", "kind")
    )
    for referral in reminder_due:
        assert events[(referral.pk, "reminded")] == 1
        assert events[(referral.pk, "expired")] == 0
    for referral in expiry_due:
        assert events[(referral.pk, "expired")] == 1
        assert events[(referral.pk, "reminded")] <= 1
    for referral in arriving:
        assert events[(referral.pk, "reminded")] == events[(referral.pk, "expired")] == 0

    rows = Counter(OutboxMessage.objects.values_list("channel", "status"))
    assert set(status for _, status in rows) == {"sent"}
    slack_calls = channels.slack.posts + channels.slack.updates
    assert len(channels.smtp.messages) == rows[("email", "sent")]
    assert len({m["Message-ID"] for m in channels.smtp.messages}) == rows[("email", "sent")]
    assert len(channels.sms.messages) == rows[("sms", "sent")]
    assert len(slack_calls) == rows[("slack", "sent")]
