"""Outcomes with real parallel connections: a close racing an accept, two crossed merges, and
the same person asking twice at once while their referral is open. Each ends in one outcome."""

from datetime import timedelta

import pytest

from referrals.errors import CannotMerge, NotOpen
from referrals.models import Referral
from referrals.services import (
    Actor,
    accept_referral,
    close_referral,
    create_referral,
    merge_referrals,
)
from tests.conftest import CLIENT
from tests.postgres.conftest import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STAFF = Actor("intake", is_staff=True)
HOUR = timedelta(hours=1)


def test_staff_closing_while_a_provider_accepts_ends_in_one_outcome(make_referral, ana, aetna, t0):
    for _ in range(8):
        referral = make_referral(network=aetna, now=t0)
        accepted, closed = run_together(
            lambda r=referral: accept_referral(r.pk, ana, actor=Actor("ana"), now=t0 + HOUR),
            lambda r=referral: close_referral(
                r.pk, "no_provider", actor=STAFF, note="Closing", now=t0 + HOUR
            ),
        )
        referral.refresh_from_db()
        # Staff may close whether or not it was accepted first; the accept either came first
        # or is refused, never applied to a closed referral.
        assert isinstance(closed, Referral) and referral.status == "closed"
        assert isinstance(accepted, Referral | NotOpen), accepted
        assert referral.events.filter(kind="closed").count() == 1
        assert referral.events.filter(kind="accepted").count() == isinstance(accepted, Referral)
        kinds = list(referral.events.values_list("kind", flat=True))
        assert kinds[-1] == "closed"


def test_two_crossed_merges_do_not_deadlock_and_one_wins(make_referral, aetna, t0):
    a = make_referral(network=aetna, now=t0)
    b = make_referral(network=aetna, now=t0)

    first, second = run_together(
        lambda: merge_referrals(a.pk, b.pk, actor=STAFF, now=t0 + HOUR),
        lambda: merge_referrals(b.pk, a.pk, actor=STAFF, now=t0 + HOUR),
    )

    results = [first, second]
    assert sum(isinstance(r, Referral) for r in results) == 1
    assert sum(isinstance(r, CannotMerge) for r in results) == 1
    statuses = sorted(Referral.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True))
    assert statuses == ["available", "closed"]


def test_the_same_person_asking_twice_at_once_is_attached_twice_not_split(make_referral, aetna, t0):
    open_one = make_referral(network=aetna, now=t0)

    results = run_together(
        *[
            (
                lambda: create_referral(
                    client=CLIENT,
                    insurance_network=aetna,
                    preferred_provider=None,
                    actor=Actor("test"),
                    now=t0 + HOUR,
                )
            )
            for _ in range(4)
        ]
    )

    assert all(isinstance(r, Referral) and r.pk == open_one.pk for r in results), results
    assert Referral.objects.count() == 1
    assert open_one.events.filter(kind="asked_again").count() == 4
