""" "Who may act / who holds it" is asked of referrals/eligibility.py by the services, the Accept
Referral page and the email-link pages; each rule tried with the right and the wrong person."""

import pytest

from providers.models import Provider
from referrals import eligibility, services
from referrals.errors import NotHolder

ACT = services.Actor("t")


@pytest.fixture
def accepted(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    return services.accept_referral(referral.pk, ana, actor=ACT, now=t0)


def test_only_the_provider_who_accepted_it_holds_it(accepted, ana, ben):
    assert eligibility.accepted_by_them(accepted, ana) and eligibility.holds(accepted, ana)
    assert not eligibility.accepted_by_them(accepted, ben)
    assert not eligibility.accepted_by_them(accepted, None)


def test_an_inactive_provider_no_longer_holds_what_they_accepted_but_it_stays_theirs(accepted, ana):
    Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE)
    ana.refresh_from_db()
    assert eligibility.accepted_by_them(accepted, ana) and not eligibility.holds(accepted, ana)


def test_client_details_are_for_the_holder_and_staff_only_once_accepted(
    accepted, make_referral, ana, ben, aetna, t0
):
    assert eligibility.holder_or_staff(accepted, ana, staff=False)
    assert eligibility.holder_or_staff(accepted, None, staff=True)
    assert not eligibility.holder_or_staff(accepted, ben, staff=False)
    waiting = make_referral(network=aetna, preferred=ana, now=t0)
    assert not eligibility.holder_or_staff(waiting, ana, staff=False)
    assert not eligibility.holder_or_staff(waiting, None, staff=True)


def test_a_provider_acts_only_for_themselves_and_staff_for_anyone(ana, ben):
    assert eligibility.may_act_for(ana, ana, staff=False)
    assert not eligibility.may_act_for(ana, ben, staff=False)
    assert not eligibility.may_act_for(None, ben, staff=False)
    assert eligibility.may_act_for(None, ben, staff=True)


def test_only_the_holder_or_staff_may_confirm_contact(accepted, ana, ben, t0):
    with pytest.raises(NotHolder):
        services.confirm_contact(accepted.pk, ben, actor=ACT, now=t0)
    services.confirm_contact(accepted.pk, ana, actor=ACT, now=t0)


def test_accepting_again_what_you_hold_changes_nothing(accepted, ana, t0):
    again = services.accept_referral(accepted.pk, ana, actor=ACT, now=t0)
    assert again.round == accepted.round and again.accepted_by_id == ana.pk


def test_the_desk_asks_who_holds_it_and_what_staff_may_do(
    accepted, make_referral, ana, ben, aetna, t0
):
    waiting = make_referral(network=aetna, preferred=ben, now=t0)
    available = make_referral(network=aetna, now=t0)
    assert eligibility.holder_of(accepted) == ana and eligibility.holder_of(waiting) == ben
    assert eligibility.holder_of(available) is None
    assert [eligibility.staff_may_decline(r) for r in (waiting, available, accepted)] == [
        True,
        False,
        True,
    ]
    assert [eligibility.staff_may_offer(r) for r in (waiting, available, accepted)] == [
        True,
        True,
        False,
    ]
    assert eligibility.contact_unconfirmed(accepted) and not eligibility.contact_unconfirmed(
        available
    )
