"""Who is offered a referral: the policy's "Types of Referrals" and the inactive status."""

import pytest

from providers.models import Provider
from referrals.eligibility import eligible_providers, open_referrals_for
from referrals.errors import InactiveProvider, NotEligible
from referrals.models import Referral
from referrals.services import accept_referral, offer_referral
from tests.policy.helpers import PROVIDER, STAFF


def test_preferred_referral_is_offered_only_to_the_preferred_provider(
    make_referral, ana, ben, aetna
):
    referral = make_referral(network=aetna, preferred=ana)

    assert list(eligible_providers(referral)) == [ana]
    assert referral in open_referrals_for(ana)
    assert referral not in open_referrals_for(ben)
    with pytest.raises(NotEligible):
        accept_referral(referral.pk, ben, actor=PROVIDER)


@pytest.mark.usefixtures("routing_off")
def test_general_referral_is_open_to_every_active_provider_in_the_clients_network(
    make_referral, provider_factory, ana, ben, aetna, cigna
):
    cigna_only = provider_factory("Cai", "Wong", networks=[cigna])
    both = provider_factory("Dee", "Ross", networks=[aetna, cigna])
    referral = make_referral(network=aetna)

    assert set(eligible_providers(referral)) == {ana, ben, both}
    assert referral not in open_referrals_for(cigna_only)
    with pytest.raises(NotEligible):
        accept_referral(referral.pk, cigna_only, actor=PROVIDER)


@pytest.mark.usefixtures("routing_off")
def test_self_pay_general_referral_is_open_to_any_active_provider(
    make_referral, provider_factory, ana, cigna
):
    no_networks = provider_factory("Eve", "Park")
    cigna_only = provider_factory("Cai", "Wong", networks=[cigna])
    referral = make_referral(network=None)

    assert set(eligible_providers(referral)) == {ana, no_networks, cigna_only}
    assert referral in open_referrals_for(no_networks)


def test_inactive_provider_is_never_offered_a_general_referral(make_referral, ana, ben, aetna):
    Provider.objects.filter(pk=ben.pk).update(status=Provider.Status.INACTIVE)
    ben.refresh_from_db()
    referral = make_referral(network=aetna)

    assert list(eligible_providers(referral)) == [ana]
    assert not open_referrals_for(ben).exists()
    with pytest.raises(InactiveProvider):
        accept_referral(referral.pk, ben, actor=PROVIDER)


def test_inactive_provider_cannot_be_chosen_as_preferred_provider(make_referral, ana, aetna):
    Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE)

    with pytest.raises(InactiveProvider):
        make_referral(network=aetna, preferred=ana)
    assert not Referral.objects.exists()


def test_inactive_provider_cannot_be_offered_a_referral_by_staff(make_referral, ana, ben, aetna):
    referral = make_referral(network=aetna)
    Provider.objects.filter(pk=ben.pk).update(status=Provider.Status.INACTIVE)

    with pytest.raises(InactiveProvider):
        offer_referral(referral.pk, ben, actor=STAFF)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE and referral.offered_to is None


def test_staff_cannot_offer_a_referral_outside_the_providers_networks(
    make_referral, provider_factory, aetna, cigna
):
    cigna_only = provider_factory("Cai", "Wong", networks=[cigna])
    referral = make_referral(network=aetna)

    with pytest.raises(NotEligible):
        offer_referral(referral.pk, cigna_only, actor=STAFF)
