"""Eight providers press Accept on the Accept Referral page for one referral at once: one wins,
and every other is told another provider accepted it, whether they pressed before the winner's
accept committed (refused by the service, under the referral's lock) or after (refused by the
race check before any lock)."""

import pytest
from django.test import Client

from providers.accounts import user_for
from referrals.models import Referral
from tests.postgres.conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("routing_off")  # open to every provider in its network, as in the race
def test_every_provider_who_lost_the_race_on_the_page_is_told_another_accepted_it(
    make_referral, provider_factory, aetna
):
    providers = [provider_factory("P", f"Racer{i}", phone="", networks=[aetna]) for i in range(8)]
    referral = make_referral(network=aetna)
    browsers = []
    for provider in providers:
        browser = Client()
        browser.force_login(user_for(provider))
        browsers.append((provider, browser))

    def press(provider, browser):
        decision = {"referral": referral.pk, "round": referral.round, "status": "accept"}
        return browser.post("/accept/", {**decision, "provider": provider.pk})

    responses = run_together(*[(lambda p=p, b=b: press(p, b)) for p, b in browsers])

    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert sorted(r.status_code for r in responses) == [302] + [409] * 7
    refused = [r.content.decode() for r in responses if r.status_code == 409]
    assert all("already been accepted by another provider" in page for page in refused), refused
    assert Referral.objects.get().status == Referral.Status.ACCEPTED
