"""Creating referrals over the API is limited per client address (INTAKE_RATE_LIMIT): past it,
429 with a JSON error, and nothing is made."""

from datetime import timedelta

from config.throttle import Rate
from notifications.models import OutboxMessage
from referrals.models import Referral
from tests.api.conftest import another_person


def test_past_the_limit_create_is_429_with_a_json_error_and_nothing_is_made(api, body, settings):
    settings.INTAKE_RATE_LIMIT = Rate(2, timedelta(hours=1))
    people = [another_person(body, n) for n in range(3)]
    assert [api.post("/api/referrals", people[n]).status_code for n in range(2)] == [201, 201]
    messages = OutboxMessage.objects.count()

    refused = api.post("/api/referrals", people[2])

    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/json")
    assert "Too many referrals" in refused.json()["detail"]
    assert Referral.objects.count() == 2 and OutboxMessage.objects.count() == messages
