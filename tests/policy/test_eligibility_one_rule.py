"""Eligibility has one answer: `is_eligible` (one provider, asked under the accept lock) says what
`eligible_providers` (the set) says, for every exclusion the policy and `providers.availability`
name, in every state a referral can be in. An exclusion added to one of them alone fails here."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from providers.models import Provider
from referrals import services
from referrals.eligibility import eligible_providers, is_eligible
from referrals.models import Offer, Referral, ReferralEvent
from tests.conftest import T0, another_person, make_provider
from tests.policy.helpers import PROVIDER, STAFF

AT = T0 + timedelta(days=10)  # asked at; the population's history lies before it
DAY = timezone.localdate(AT)  # the practice's day at AT (away dates are practice days)

# Every provider kind, and whether it may take an available Aetna referral (the one declined by
# "declined this referral") at AT: proof that each exclusion is really in the population.
KINDS = {
    "taking referrals": True,
    "inactive": False,
    "not accepting new clients": False,
    "away today": False,
    "away, last day today": False,
    "away, first day today": False,
    "back today (away ended yesterday)": True,
    "away from tomorrow": True,
    "weekly limit reached (preferred provider)": False,
    "weekly limit reached (staff offer)": False,
    "weekly limit reached (routing wave offer)": False,
    "weekly limit reached at the 7-day edge": False,
    "weekly limit's offer 7 days and a second ago": True,
    "under the weekly limit": True,
    "out of network": False,
    "no networks": False,
    "declined this referral": False,
    "declined another referral": True,
    "live routing offer of this referral": True,
    "live routing offer of this referral, but away": False,
    "withdrawn routing offer of this referral": True,
    "in both networks": True,
}

STATES = [
    "pending (preferred provider)",
    "pending (preferred provider, away since)",
    "pending (preferred provider, made inactive since)",
    "pending (staff offer)",
    "available (Aetna)",
    "available (self-pay)",
    "accepted",
    "closed",
]


def _event(referral, provider, kind, at):
    return ReferralEvent.objects.create(
        referral=referral,
        provider=provider,
        kind=kind,
        actor_label="test",
        at=at,
        received_at=referral.created_at,
    )


def _wave_offer(referral, provider, at, answer=""):
    wave = _event(referral, None, ReferralEvent.Kind.WAVE, at)
    return Offer.objects.create(
        referral=referral,
        provider=provider,
        event=wave,
        wave=1,
        position=1,
        order_reason="test",
        offered_at=at,
        answer=answer,
    )


def _people():
    n = iter(range(100, 200))
    return lambda: another_person(next(n))


def _population(aetna, cigna, other) -> dict[str, Provider]:
    """One provider of each kind (all in Aetna unless the kind says otherwise)."""
    made = {}
    for i, kind in enumerate(KINDS):
        networks = {
            "out of network": [cigna],
            "no networks": [],
            "in both networks": [aetna, cigna],
        }
        made[kind] = make_provider(
            f"P{i}", "Kind", phone=f"+1201223{i:04d}", networks=networks.get(kind, [aetna])
        )
    a = made
    Provider.objects.filter(pk=a["inactive"].pk).update(status=Provider.Status.INACTIVE)
    Provider.objects.filter(pk=a["not accepting new clients"].pk).update(
        accepting_new_clients=False
    )
    away = {
        "away today": (DAY - timedelta(days=1), DAY + timedelta(days=1)),
        "away, last day today": (DAY - timedelta(days=3), DAY),
        "away, first day today": (DAY, DAY + timedelta(days=3)),
        "back today (away ended yesterday)": (DAY - timedelta(days=3), DAY - timedelta(days=1)),
        "away from tomorrow": (DAY + timedelta(days=1), DAY + timedelta(days=3)),
        "live routing offer of this referral, but away": (DAY, DAY),
    }
    for kind, (start, end) in away.items():
        Provider.objects.filter(pk=a[kind].pk).update(away_from=start, away_until=end)
    limited = [
        ("weekly limit reached (preferred provider)", ReferralEvent.Kind.RECEIVED, 1, 2),
        ("weekly limit reached (staff offer)", ReferralEvent.Kind.OFFERED, 1, 2),
        ("weekly limit reached at the 7-day edge", ReferralEvent.Kind.RECEIVED, 1, 7),
        ("weekly limit's offer 7 days and a second ago", ReferralEvent.Kind.RECEIVED, 1, None),
        ("under the weekly limit", ReferralEvent.Kind.OFFERED, 2, 1),
    ]
    for kind, event_kind, limit, days_ago in limited:
        Provider.objects.filter(pk=a[kind].pk).update(weekly_limit=limit)
        ago = timedelta(days=7, seconds=1) if days_ago is None else timedelta(days=days_ago)
        _event(other, a[kind], event_kind, AT - ago)
    Provider.objects.filter(pk=a["weekly limit reached (routing wave offer)"].pk).update(
        weekly_limit=1
    )
    _wave_offer(other, a["weekly limit reached (routing wave offer)"], AT - timedelta(days=3))
    _event(other, a["declined another referral"], ReferralEvent.Kind.DECLINED, AT - timedelta(1))
    return {kind: Provider.objects.get(pk=p.pk) for kind, p in a.items()}


def _referral_in(state, aetna, people, providers) -> Referral:
    """A referral in `state` at AT, made through the services as the intake and answers would."""
    ok = providers["taking referrals"]
    start = AT - timedelta(hours=6)
    network = None if state == "available (self-pay)" else aetna
    referral = services.create_referral(
        client=people(),
        insurance_network=network,
        preferred_provider=ok if state.startswith("pending") else None,
        actor=STAFF,
        now=start,
    )
    if state == "pending (preferred provider, away since)":
        Provider.objects.filter(pk=ok.pk).update(away_from=DAY, away_until=DAY)
    if state == "pending (preferred provider, made inactive since)":
        Provider.objects.filter(pk=ok.pk).update(status=Provider.Status.INACTIVE)
    if state == "pending (staff offer)":
        services.decline_referral(
            referral.pk, ok, reason="unavailable", actor=PROVIDER, now=start + timedelta(hours=1)
        )
        services.offer_referral(
            referral.pk, providers["in both networks"], actor=STAFF, now=start + timedelta(hours=2)
        )
    if state.startswith("available") or state in ("accepted", "closed"):
        _event(referral, providers["declined this referral"], "declined", start)
        for kind, answer in (
            ("live routing offer of this referral", ""),
            ("live routing offer of this referral, but away", ""),
            ("withdrawn routing offer of this referral", Offer.Answer.WITHDRAWN),
        ):
            _wave_offer(referral, providers[kind], start, answer=answer)
    if state in ("accepted", "closed"):
        services.accept_referral(referral.pk, ok, actor=PROVIDER, now=start + timedelta(hours=1))
    if state == "closed":
        services.close_referral(
            referral.pk, "withdrew", actor=STAFF, note="test", now=start + timedelta(hours=2)
        )
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == state.split(" ")[0], state
    return referral


@pytest.fixture
def world(routing_off, aetna, cigna, make_referral):
    with time_machine.travel(AT - timedelta(days=9), tick=False):
        other = make_referral(network=aetna, now=AT - timedelta(days=9))
    return aetna, _population(aetna, cigna, other)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_one_provider_is_eligible_exactly_when_the_set_of_eligible_providers_holds_them(
    world, state, kind
):
    aetna, providers = world
    with time_machine.travel(AT, tick=False):
        referral = _referral_in(state, aetna, _people(), providers)
        provider = Provider.objects.get(pk=providers[kind].pk)
        in_set = eligible_providers(referral, AT).filter(pk=provider.pk).exists()
        assert is_eligible(referral, provider, AT) == in_set
        assert (
            is_eligible(referral, provider)
            == eligible_providers(referral).filter(pk=provider.pk).exists()
        )


def test_the_population_holds_every_exclusion(world):
    """Each kind is eligible or not for an available Aetna referral as KINDS says, so the test
    above compares the two answers on every exclusion, not on providers who all pass."""
    aetna, providers = world
    with time_machine.travel(AT, tick=False):
        referral = _referral_in("available (Aetna)", aetna, _people(), providers)
        eligible = set(eligible_providers(referral, AT).values_list("pk", flat=True))
    assert {kind: providers[kind].pk in eligible for kind in KINDS} == KINDS
