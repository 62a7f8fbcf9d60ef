"""A provider cannot read or act on another provider's referral by changing an id in a URL."""

import pytest

from notifications.models import OutboxMessage
from referrals import services
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor


@pytest.fixture
def bens_referral(make_referral, ben, aetna):
    return make_referral(network=aetna, preferred=ben)


def _unchanged(referral):
    before = (referral.status, referral.offered_to_id, referral.accepted_by_id, referral.round)
    fresh = Referral.objects.get(pk=referral.pk)
    return before == (fresh.status, fresh.offered_to_id, fresh.accepted_by_id, fresh.round)


def test_other_providers_waiting_referral_is_not_shown(as_provider, ana, bens_referral):
    page = as_provider(ana).get("/portal/").content.decode()
    assert bens_referral.number not in page


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_acting_on_other_providers_waiting_referral_is_not_found(
    as_provider, ana, bens_referral, action
):
    events = ReferralEvent.objects.count()
    messages = OutboxMessage.objects.count()
    response = as_provider(ana).post(
        f"/portal/referrals/{bens_referral.pk}/{action}/",
        {"round": bens_referral.round, "reason": "unavailable"},
    )
    assert response.status_code == 404
    assert _unchanged(bens_referral)
    assert ReferralEvent.objects.count() == events and OutboxMessage.objects.count() == messages


def test_declining_referral_another_provider_accepted_is_not_found(
    as_provider, make_referral, ana, ben, aetna
):
    referral = make_referral(network=aetna)
    services.accept_referral(referral.pk, ben, actor=Actor("t"))
    referral.refresh_from_db()
    response = as_provider(ana).post(
        f"/portal/referrals/{referral.pk}/decline/",
        {"round": referral.round, "reason": "not_a_fit"},
    )
    assert response.status_code == 404 and _unchanged(referral)


def test_referral_outside_my_networks_is_not_found(as_provider, make_referral, ana, cigna):
    referral = make_referral(network=cigna)
    response = as_provider(ana).post(
        f"/portal/referrals/{referral.pk}/accept/", {"round": referral.round}
    )
    assert response.status_code == 404 and _unchanged(referral)


def test_unknown_referral_id_is_not_found(as_provider, ana):
    assert as_provider(ana).post("/portal/referrals/999999/accept/").status_code == 404
