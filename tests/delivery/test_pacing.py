"""A burst of referrals queues and goes out paced to the channels' limits (Slack ~1 post/s per
channel, an SMS number ~1 segment/s), never refused; a short burst goes at once, then the pace
holds, across claim batches too."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from notifications.dispatcher import PACE_BURST, _pace
from notifications.gsm import segments
from notifications.models import OutboxMessage
from notifications.transports.base import Transport

pytestmark = pytest.mark.django_db
PACE = 0.25  # seconds; production uses 1s (SLACK_MIN_INTERVAL, SMS_MIN_INTERVAL)
BURST = 7


def assert_paced(times: list[float]) -> None:
    assert len(times) == BURST
    first = times[0]
    for k, at in enumerate(times[PACE_BURST:], start=1):
        # the k-th send after the burst; the slack allows for a first send delayed by a busy machine
        assert at - first >= (k - 0.3) * PACE
    assert times[-1] - first < (BURST - PACE_BURST + 2) * PACE  # and no slower than needed


def test_a_burst_of_referrals_is_delivered_paced_not_refused(
    channels, settings, make_referral, ana, aetna
):
    settings.SLACK_MIN_INTERVAL = settings.SMS_MIN_INTERVAL = timedelta(seconds=PACE)
    for _ in range(BURST):
        make_referral(network=aetna, preferred=ana)

    call_command("worker", "--once", stdout=StringIO())

    assert_paced([c["received_at"] for c in channels.slack.calls_to("chat.postMessage")])
    assert_paced([c["received_at"] for c in channels.sms.calls_to("messages.create")])
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert channels.slack.turned_away == channels.sms.turned_away == []


def test_long_texts_are_paced_per_segment_not_per_message():
    assert segments("x" * 160) == 1 and segments("x" * 161) == 2 and segments("{" * 80) == 1
    assert segments("x" * 307) == 3

    def time_four_sends(cost):
        transport = Transport()
        transport.min_interval = 0.1
        started = time.monotonic()
        for _ in range(4):
            _pace(transport, cost)
        return time.monotonic() - started

    # 3 units at once, then 1 unit per 0.1 s: four 2-segment texts need 8 units, so 0.5 s of
    # waiting; four 1-segment texts only 0.1 s.
    assert time_four_sends(2) >= 0.45
    assert time_four_sends(1) < 0.3
