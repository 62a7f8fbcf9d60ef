"""Staff set a provider active or inactive; inactive applies the policy to referrals at once."""

import pytest

from notifications.models import OutboxMessage
from providers.models import Provider
from providers.services import set_provider_status
from referrals import services
from referrals.eligibility import eligible_providers, open_referrals_for
from referrals.errors import InactiveProvider
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor

STAFF = Actor("staff")


def test_making_provider_inactive_declines_their_waiting_referrals(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)

    result = set_provider_status(ana, Provider.Status.INACTIVE, actor=STAFF, now=t0)

    referral.refresh_from_db()
    assert result.changed and [r.pk for r in result.declined] == [referral.pk]
    assert referral.status == Referral.Status.AVAILABLE
    event = referral.events.get(kind=ReferralEvent.Kind.DECLINED)
    assert event.reason == ReferralEvent.Reason.PROVIDER_INACTIVE
    assert event.provider == ana and event.actor_label == "staff"
    assert OutboxMessage.objects.filter(template="decline_notice").count() == 1


def test_referral_declined_for_inactive_provider_is_available_to_others(
    make_referral, ana, ben, aetna, t0
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    set_provider_status(ana, Provider.Status.INACTIVE, actor=STAFF, now=t0)
    referral.refresh_from_db()
    assert list(eligible_providers(referral)) == [ben]
    services.accept_referral(referral.pk, ben, actor=STAFF, now=t0)


def test_inactive_provider_keeps_referrals_already_accepted(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    services.accept_referral(referral.pk, ana, actor=STAFF, now=t0)

    result = set_provider_status(ana, Provider.Status.INACTIVE, actor=STAFF, now=t0)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana
    assert result.declined == [] and result.still_held == 1
    assert list(open_referrals_for(Provider.objects.get(pk=ana.pk))) == [referral]


def test_inactive_provider_gets_no_general_referrals_and_cannot_be_requested(
    make_referral, ana, ben, aetna, t0
):
    set_provider_status(ana, Provider.Status.INACTIVE, actor=STAFF, now=t0)
    general = make_referral(network=aetna, now=t0)
    assert list(eligible_providers(general)) == [ben]
    assert list(Provider.objects.active()) == [ben]
    with pytest.raises(InactiveProvider):
        make_referral(network=aetna, preferred=ana, now=t0)


def test_setting_the_same_status_again_changes_nothing(ana, t0):
    result = set_provider_status(ana, Provider.Status.ACTIVE, actor=STAFF, now=t0)
    assert not result.changed and result.declined == []


def test_reactivated_provider_can_be_requested_again(make_referral, ana, aetna, t0):
    set_provider_status(ana, Provider.Status.INACTIVE, actor=STAFF, now=t0)
    set_provider_status(ana, Provider.Status.ACTIVE, actor=STAFF, now=t0)
    assert make_referral(network=aetna, preferred=ana, now=t0).status == Referral.Status.PENDING


def test_unknown_status_is_refused(ana):
    with pytest.raises(ValueError):
        set_provider_status(ana, "retired", actor=STAFF)
    assert Provider.objects.get(pk=ana.pk).status == Provider.Status.ACTIVE


def test_referral_side_of_making_a_provider_inactive_is_asked_of_referrals_services(
    make_referral, ana, aetna, t0
):
    """providers does not import referrals: it sends `provider_made_inactive`, which referrals
    answers with `release_inactive_provider` in the same transaction."""
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    release = services.release_inactive_provider(ana, actor=STAFF, now=t0)
    assert [r.pk for r in release.declined] == [referral.pk] and release.still_held == 0
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.AVAILABLE
