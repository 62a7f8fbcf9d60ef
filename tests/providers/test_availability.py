"""Who may get new referrals: not accepting, away (practice-time days), weekly limit.

`Provider.objects.taking_new_referrals(at)` (the filter) and `availability(provider, at)` (the
reason on a page) must always agree; each rule is checked through both.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from notifications.models import OutboxMessage
from providers.availability import OFFER_KINDS, Reason, availability
from providers.models import Provider
from providers.services import set_availability
from referrals import notify, services
from referrals.eligibility import eligible_providers, offer_candidates, open_referrals_for
from referrals.errors import NotEligible, ProviderUnavailable
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor

STAFF = Actor("staff", is_staff=True)


def taking(provider, at) -> bool:
    """Both answers, checked to agree."""
    in_query = Provider.objects.taking_new_referrals(at).filter(pk=provider.pk).exists()
    answer = availability(Provider.objects.get(pk=provider.pk), at)
    annotated = availability(Provider.objects.with_availability(at).get(pk=provider.pk), at)
    assert in_query == answer.ok == annotated.ok
    assert answer == annotated
    return in_query


def set_(provider, **values):
    set_availability(provider, actor=STAFF, **values)


def test_a_provider_with_no_settings_takes_new_referrals(ana, t0):
    assert taking(ana, t0)
    assert availability(ana, t0).label == ""


def test_not_accepting_new_clients_takes_none(ana, t0):
    set_(ana, accepting_new_clients=False)
    assert not taking(ana, t0)
    answer = availability(ana, t0)
    assert answer.reason == Reason.NOT_ACCEPTING and answer.label == "Not accepting new clients"


def test_inactive_is_not_taking_new_referrals(ana, t0):
    Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE)
    assert not taking(ana, t0)


# DST in America/New_York (DISPLAY_TIME_ZONE) starts on Sunday 14 March 2027, 02:00.
LAST_DAY_AWAY = date(2027, 3, 13)
MIDNIGHT_BACK = datetime(2027, 3, 14, 5, 0, tzinfo=UTC)  # 00:00 EST on the 14th


def test_away_until_the_last_day_in_practice_time_not_utc(ana):
    set_(ana, away_from=date(2027, 3, 1), away_until=LAST_DAY_AWAY)
    one_minute_before = MIDNIGHT_BACK - timedelta(minutes=1)  # 23:59 on the 13th, 04:59Z 14th
    assert not taking(ana, one_minute_before)
    answer = availability(ana, one_minute_before)
    assert answer.reason == Reason.AWAY and answer.back_on == date(2027, 3, 14)
    assert answer.label == "Back on 14 March"
    assert taking(ana, MIDNIGHT_BACK)


def test_away_from_the_first_day_in_practice_time_across_the_autumn_change(ana):
    # DST ends on Sunday 7 November 2027; midnight of the 8th is 05:00Z (EST again).
    set_(ana, away_from=date(2027, 11, 8), away_until=date(2027, 11, 12))
    assert taking(ana, datetime(2027, 11, 8, 4, 59, tzinfo=UTC))
    assert not taking(ana, datetime(2027, 11, 8, 5, 0, tzinfo=UTC))


def test_away_dates_in_the_future_change_nothing_yet(ana, t0):
    set_(ana, away_from=date(2027, 1, 4), away_until=date(2027, 1, 11))
    assert taking(ana, t0)


def test_not_accepting_is_said_before_away(ana, t0):
    today = t0.date()
    set_(ana, accepting_new_clients=False, away_from=today, away_until=today)
    assert availability(ana, t0).label == "Not accepting new clients"


@pytest.mark.usefixtures("routing_off")  # offers in routing waves: the next test
def test_weekly_limit_is_reached_by_offers_in_the_last_seven_days(
    make_referral, ana, ben, aetna, t0
):
    set_(ana, weekly_limit=2)
    make_referral(network=aetna, preferred=ana, now=t0)  # an offer: preferred provider
    general = make_referral(network=aetna, now=t0 + timedelta(hours=1))
    services.offer_referral(general.pk, ana, actor=STAFF, now=t0 + timedelta(days=1))  # staff
    assert not taking(ana, t0 + timedelta(days=2))
    assert availability(ana, t0 + timedelta(days=2)).reason == Reason.AT_LIMIT
    assert taking(ben, t0 + timedelta(days=2))
    # Seven days after the first offer it no longer counts.
    assert not taking(ana, t0 + timedelta(days=7) - timedelta(seconds=1))
    assert taking(ana, t0 + timedelta(days=7) + timedelta(seconds=1))


def test_offers_in_routing_waves_count_toward_the_weekly_limit(make_referral, ana, ben, aetna, t0):
    set_(ana, weekly_limit=1)
    general = make_referral(network=aetna, now=t0)  # ROUTING on: a first wave, Ana in it
    assert general.offers.filter(provider=ana).exists()
    assert availability(ana, t0 + timedelta(hours=1)).reason == Reason.AT_LIMIT
    later = make_referral(network=aetna, now=t0 + timedelta(hours=2))
    assert not later.offers.filter(provider=ana).exists()  # at her limit: not in the next wave
    assert taking(ana, t0 + timedelta(days=7, seconds=1))


@pytest.mark.usefixtures("routing_off")  # with routing, the wave's offer is an offer
def test_accepting_an_available_referral_is_not_an_offer(make_referral, ana, aetna, t0):
    set_(ana, weekly_limit=1)
    general = make_referral(network=aetna, now=t0)
    services.accept_referral(general.pk, ana, actor=STAFF, now=t0 + timedelta(minutes=5))
    assert taking(ana, t0 + timedelta(hours=1))


def test_the_offer_that_reaches_the_limit_is_made_the_next_is_refused(
    make_referral, ana, aetna, t0
):
    set_(ana, weekly_limit=1)
    make_referral(network=aetna, preferred=ana, now=t0)
    with pytest.raises(ProviderUnavailable, match="not accepting new clients"):
        make_referral(network=aetna, preferred=ana, now=t0 + timedelta(hours=1))
    assert Referral.objects.count() == 1


def test_offer_kinds_are_audit_trail_kinds():
    assert set(OFFER_KINDS) <= set(ReferralEvent.Kind.values)


def test_one_query_answers_for_any_number_of_providers(
    provider_factory, aetna, t0, django_assert_num_queries
):
    for i in range(5):
        provider_factory("P", f"N{i}", networks=[aetna], weekly_limit=3)
    with django_assert_num_queries(1):
        providers = list(Provider.objects.with_availability(t0))
        assert all(availability(p, t0).ok for p in providers)
    with django_assert_num_queries(1):
        assert len(list(Provider.objects.taking_new_referrals(t0))) == 5


# Where referrals are offered


def test_away_provider_cannot_be_chosen_as_preferred_provider(make_referral, ana, aetna, t0):
    set_(ana, away_from=t0.date(), away_until=date(2027, 1, 11))
    with pytest.raises(ProviderUnavailable, match="back on 12 January"):
        make_referral(network=aetna, preferred=ana, now=t0)
    assert not Referral.objects.exists() and not OutboxMessage.objects.exists()


def test_staff_cannot_offer_to_a_provider_not_accepting(make_referral, ana, ben, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    set_(ben, accepting_new_clients=False)
    assert list(offer_candidates(referral, t0)) == [ana]
    with pytest.raises(ProviderUnavailable):
        services.offer_referral(referral.pk, ben, actor=STAFF, now=t0)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE


def test_available_referral_is_not_open_to_a_provider_away(make_referral, ana, ben, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    set_(ana, away_from=t0.date(), away_until=t0.date())
    assert list(eligible_providers(referral, t0)) == [ben]
    assert not open_referrals_for(ana, t0).filter(pk=referral.pk).exists()
    assert open_referrals_for(ben, t0).filter(pk=referral.pk).exists()


def test_a_provider_keeps_a_referral_offered_before_they_went_away(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    set_(ana, accepting_new_clients=False, away_from=t0.date(), away_until=t0.date())
    assert open_referrals_for(ana, t0).filter(pk=referral.pk).exists()
    services.accept_referral(referral.pk, ana, actor=STAFF, now=t0 + timedelta(minutes=1))


def test_accepting_an_available_referral_while_away_is_refused_as_unavailable(
    make_referral, ana, ben, aetna, t0
):
    referral = make_referral(network=aetna, now=t0)
    set_(ana, away_from=t0.date(), away_until=date(2027, 1, 11))
    with pytest.raises(ProviderUnavailable, match="Away, back on 12 January"):
        services.accept_referral(referral.pk, ana, actor=STAFF, now=t0 + timedelta(minutes=1))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE


def test_an_away_provider_answering_a_referral_waiting_for_another_is_not_eligible(
    make_referral, ana, ben, aetna, t0
):
    referral = make_referral(network=aetna, preferred=ben, now=t0)
    set_(ana, away_from=t0.date(), away_until=date(2027, 1, 11))
    later = t0 + timedelta(minutes=1)
    with pytest.raises(NotEligible):
        services.accept_referral(referral.pk, ana, actor=STAFF, now=later)
    with pytest.raises(NotEligible):
        services.decline_referral(referral.pk, ana, reason="unavailable", actor=STAFF, now=later)


# The Slack @-mention


def _slack_payloads(template):
    return list(
        OutboxMessage.objects.filter(channel="slack", template=template).values_list(
            "payload", flat=True
        )
    )


def test_the_offer_reaching_the_limit_still_mentions_the_provider(make_referral, ana, aetna, t0):
    set_(ana, weekly_limit=1)
    make_referral(network=aetna, preferred=ana, now=t0)
    [post] = _slack_payloads("referral_card")
    assert post["mention_user_id"] == "U0ANA"


def test_no_mention_for_a_provider_not_taking_new_referrals(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    set_(ana, accepting_new_clients=False)
    # However an offer came about (e.g. a wave chosen a moment before), no @-mention goes out.
    event = ReferralEvent.objects.create(
        referral=referral,
        kind=ReferralEvent.Kind.OFFERED,
        provider=ana,
        actor_label="test",
        at=t0 + timedelta(minutes=1),
        received_at=referral.created_at,
    )
    notify.on_offered(referral, event)
    [reply] = [p for p in _slack_payloads("referral_offered")]
    assert reply["op"] == "reply" and "mention_user_id" not in reply
    assert "mention_email" not in reply


@pytest.mark.usefixtures("routing_off")  # no wave: the referral is open to every provider
@pytest.mark.parametrize(
    "values",
    [
        {"accepting_new_clients": False},
        {"away_from": date(2026, 3, 2), "away_until": date(2026, 3, 2)},
        {"weekly_limit": 1},
    ],
    ids=["not accepting", "away", "at the weekly limit"],
)
def test_accepting_an_available_referral_is_refused_as_eligible_providers_leaves_them_out(
    make_referral, ana, ben, aetna, values
):
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    make_referral(network=aetna, preferred=ana, now=at - timedelta(days=1))  # one offer to Ana
    general = make_referral(network=aetna, now=at - timedelta(hours=1))
    set_(ana, **values)
    assert list(eligible_providers(general, at)) == [ben]
    with pytest.raises(ProviderUnavailable):  # the refusal says why (not "not eligible")
        services.accept_referral(general.pk, ana, actor=STAFF, now=at)
    services.accept_referral(general.pk, ben, actor=STAFF, now=at)
