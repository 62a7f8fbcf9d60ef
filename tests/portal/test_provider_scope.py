"""The Provider Portal shows a provider only what is theirs, and says so plainly when an accept
loses the race to another provider."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from notifications.models import OutboxMessage
from providers.models import Provider
from referrals import services
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor
from tests.names import shows

NOBODY = 999_999


def test_accept_that_lost_the_race_says_already_accepted_by_another_provider(
    as_provider, make_referral, ana, ben, aetna
):
    referral = make_referral(network=aetna)
    round_seen_by_ben = referral.round  # both see it available on their portal
    services.accept_referral(referral.pk, ana, actor=Actor("t"))
    response = as_provider(ben).post(
        f"/portal/referrals/{referral.pk}/accept/", {"round": round_seen_by_ben}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "already been accepted by another provider" in html
    assert not shows(html, "Rivera") and not shows(html, "Sam")
    assert Referral.objects.get(pk=referral.pk).accepted_by == ana


def test_a_race_lost_under_the_lock_also_says_already_accepted(
    as_provider, make_referral, ana, ben, aetna, monkeypatch
):
    """Ben's request finds it open, but Ana's accept commits before his takes the row lock."""
    referral = make_referral(network=aetna)
    real_accept = services.accept_referral

    def ana_first(*args, **kwargs):
        real_accept(referral.pk, ana, actor=Actor("t"))
        return real_accept(*args, **kwargs)

    monkeypatch.setattr(services, "accept_referral", ana_first)
    response = as_provider(ben).post(
        f"/portal/referrals/{referral.pk}/accept/", {"round": referral.round}
    )
    assert response.status_code == 409
    assert "already been accepted by another provider" in response.content.decode()


@pytest.mark.parametrize("seen_round", ["", "7"])
def test_accept_of_someone_elses_referral_without_the_round_seen_is_not_found(
    as_provider, make_referral, ana, ben, aetna, seen_round
):
    referral = make_referral(network=aetna)
    services.accept_referral(referral.pk, ana, actor=Actor("t"))
    client = as_provider(ben)
    hidden = client.post(f"/portal/referrals/{referral.pk}/accept/", {"round": seen_round})
    missing = client.post(f"/portal/referrals/{NOBODY}/accept/", {"round": seen_round})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_accept_outside_my_network_after_another_accepted_is_not_found(
    as_provider, make_referral, ana, ben, cigna
):
    referral = make_referral(network=cigna)
    cy = Provider.objects.create(first_name="Cy", last_name="Ng", email="cy@example.com")
    cy.insurance_networks.set([cigna])
    seen = referral.round
    services.accept_referral(referral.pk, cy, actor=Actor("t"))
    response = as_provider(ben).post(f"/portal/referrals/{referral.pk}/accept/", {"round": seen})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["inactive provider", "deactivated user"])
@pytest.mark.parametrize("action", ["accept", "decline", "contacted"])
def test_a_provider_made_inactive_can_no_longer_act_from_the_portal(
    as_provider, make_referral, ana, aetna, who, action
):
    referral = make_referral(network=aetna, preferred=ana)
    client = as_provider(ana)
    if who == "inactive provider":
        Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE)
    else:
        get_user_model().objects.filter(pk=ana.user_id).update(is_active=False)
    events, messages = ReferralEvent.objects.count(), OutboxMessage.objects.count()
    response = client.post(
        f"/portal/referrals/{referral.pk}/{action}/",
        {"round": referral.round, "reason": "unavailable"},
    )
    assert response.status_code in (302, 403)
    assert not shows(response.content, "Rivera")
    if response.status_code == 302:
        assert response["Location"].startswith("/signin/")
    assert ReferralEvent.objects.count() == events and OutboxMessage.objects.count() == messages


def _lists_of_each_kind(make_referral, ana, aetna, n: int) -> None:
    """n referrals waiting for Ana, n available to her, n + 1 accepted by her (one contacted)."""
    for i in range(n + 1):
        held = make_referral(network=aetna, preferred=ana)
        services.accept_referral(held.pk, ana, actor=Actor("t"))
        if i == 0:
            services.confirm_contact(held.pk, ana, actor=Actor("t"))
        else:
            make_referral(network=aetna, preferred=ana)
            make_referral(network=aetna)


def portal_home_queries() -> int:
    """session, user, this device with the provider the user is (one query; the menu's "Provider
    Portal" asks the same row, not read again); the referrals she may see (each list: waiting,
    available and accepted, with its attempts counted); the view of their clients recorded; her
    networks; the responsiveness figures for each of 2 windows: contacted within 12 hours, and
    her offers and the practice's, each counted with their median (PostgreSQL: in the same
    query; elsewhere the answer times are read to compute it, `referrals.percentiles`)."""
    offers = 2 if connection.vendor == "postgresql" else 4
    return 3 + 1 + 1 + 1 + 2 * (1 + offers)


@pytest.mark.parametrize("n", [1, 3])
def test_the_portal_home_costs_the_same_queries_however_many_referrals_of_each_kind_it_lists(
    as_provider, make_referral, ana, aetna, django_assert_num_queries, n
):
    _lists_of_each_kind(make_referral, ana, aetna, n)
    client = as_provider(ana)
    client.get("/portal/")  # the first request also saves the session
    with django_assert_num_queries(portal_home_queries()):
        page = client.get("/portal/")
    lists = page.context
    assert [len(lists[k]) for k in ("waiting", "available", "accepted")] == [n, n, n + 1]
    assert b"Please contact" in page.content and b"You contacted the client" in page.content
