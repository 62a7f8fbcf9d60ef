"""Intakes for one provider run side by side, yet none slips past the provider being made inactive
(issue 12 §1): the intake holds the preferred provider's row with a shared lock (FOR SHARE),
which other intakes share and `set_provider_status` (FOR UPDATE) waits for, and the reverse."""

import threading
import time

import pytest
from django.db import connection, transaction

from providers.models import Provider
from providers.services import set_availability, set_provider_status
from referrals.errors import InactiveProvider, ProviderUnavailable
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor, create_referral
from tests.conftest import another_person
from tests.postgres.conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STAFF = Actor("staff", is_staff=True)


def _intake(provider, n, **within):
    return create_referral(
        client=another_person(n),
        insurance_network=None,
        preferred_provider=provider,
        actor=Actor("test"),
        **within,
    )


def _in_thread(call) -> dict:
    """Start `call` in its own thread and connection; the dict gets its result or exception."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = call()
        except Exception as exc:
            outcome["result"] = exc
        finally:
            connection.close()

    outcome["thread"] = threading.Thread(target=run)
    outcome["thread"].start()
    return outcome


def test_a_second_intake_for_the_same_provider_does_not_wait_for_the_first(ana):
    second_done = threading.Event()
    seen = {}

    def hold_open(referral):  # the first intake's transaction stays open until the second ends
        seen["second finished meanwhile"] = second_done.wait(timeout=5)

    first = _in_thread(lambda: _intake(ana, 1, within=hold_open))
    time.sleep(0.3)  # the first now holds the provider
    second = _in_thread(lambda: _intake(ana, 2))
    second["thread"].join(timeout=10)
    second_done.set()
    first["thread"].join(timeout=10)

    assert isinstance(second["result"], Referral) and isinstance(first["result"], Referral)
    assert seen["second finished meanwhile"] is True
    assert Referral.objects.filter(preferred_provider=ana).count() == 2


def test_made_inactive_while_an_intake_holds_them_declines_that_referral(ana):
    holding = threading.Event()

    def hold_open(referral):
        holding.set()
        time.sleep(0.5)  # the deactivation below starts now, and must wait for this commit

    intake = _in_thread(lambda: _intake(ana, 1, within=hold_open))
    assert holding.wait(timeout=5)
    deactivation = _in_thread(
        lambda: set_provider_status(ana, Provider.Status.INACTIVE, actor=STAFF)
    )
    intake["thread"].join(timeout=10)
    deactivation["thread"].join(timeout=10)

    referral = intake["result"]
    assert isinstance(referral, Referral)
    assert [r.pk for r in deactivation["result"].declined] == [referral.pk]
    assert not Referral.objects.filter(status=Referral.Status.PENDING, offered_to=ana).exists()
    assert referral.events.filter(
        kind=ReferralEvent.Kind.DECLINED, reason=ReferralEvent.Reason.PROVIDER_INACTIVE
    ).exists()


def test_an_intake_waits_for_a_deactivation_in_progress_and_is_refused(ana):
    holding = threading.Event()

    def deactivate_slowly():
        with transaction.atomic():
            set_provider_status(ana, Provider.Status.INACTIVE, actor=STAFF)
            holding.set()
            time.sleep(0.5)  # the intake below starts now, and must wait for this commit

    deactivation = _in_thread(deactivate_slowly)
    assert holding.wait(timeout=5)
    intake = _in_thread(lambda: _intake(ana, 1))
    deactivation["thread"].join(timeout=10)
    intake["thread"].join(timeout=10)

    assert isinstance(intake["result"], InactiveProvider)
    assert not Referral.objects.exists()


def test_simultaneous_intakes_never_pass_a_weekly_limit(ana):
    set_availability(ana, actor=STAFF, weekly_limit=1)

    results = run_together(*[(lambda n=n: _intake(ana, n)) for n in range(6)])

    assert sum(isinstance(r, Referral) for r in results) == 1, results
    assert all(isinstance(r, Referral | ProviderUnavailable) for r in results), results
    assert Referral.objects.filter(offered_to=ana).count() == 1
