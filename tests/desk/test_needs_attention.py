"""The desk shows what is urgent first: the queue by next deadline, count chips that filter,
each "Needs attention" category, and who has each item."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from desk import attention
from referrals import services
from referrals.errors import NotEligible
from referrals.models import ReferralEvent

QUEUE = reverse("desk:queue")
H = timedelta(hours=1)
ACT = services.Actor("t")


def test_expiring_within_4_hours(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)  # declined automatically t0+48h
    assert list(attention.expiring_soon(t0 + 44 * H - timedelta(seconds=1))) == []
    assert list(attention.expiring_soon(t0 + 44 * H)) == [referral]
    assert list(attention.expiring_soon(t0 + 48 * H)) == []  # past: the worker declines it


def test_accepted_with_contact_unconfirmed_past_contact_within(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    confirmed = make_referral(network=aetna, now=t0)
    for r in (referral, confirmed):
        services.accept_referral(r.pk, ana, actor=ACT, now=t0)
    services.confirm_contact(confirmed.pk, ana, actor=ACT, now=t0 + 13 * H)
    assert list(attention.contact_unconfirmed(t0 + 12 * H - timedelta(seconds=1))) == []
    assert list(attention.contact_unconfirmed(t0 + 14 * H)) == [referral]


@pytest.mark.usefixtures("routing_off")  # with routing, an expiry may also leave nobody to offer
def test_no_eligible_provider_and_expired_awaiting_a_decision(make_referral, ana, aetna, cigna, t0):
    uncovered = make_referral(network=cigna, now=t0)
    expired = make_referral(network=aetna, now=t0)
    services.expire_referral(expired.pk, now=t0 + 48 * H)
    assert list(attention.no_eligible_provider(t0)) == [uncovered]
    assert list(attention.expired_awaiting_decision(t0 + 49 * H)) == [expired]
    assert list(attention.asked_again(t0)) == []


def test_a_staff_member_is_given_an_item_and_the_desk_shows_who_has_it(
    staff_client, staff, make_referral, aetna, t0
):
    referral = make_referral(network=aetna, now=t0)
    services.expire_referral(referral.pk, now=t0 + 48 * H)
    maya = get_user_model().objects.create_user("maya", password="x", is_staff=True)

    response = staff_client.post(reverse("desk:assign", args=[referral.pk]), {"assignee": maya.pk})

    assert response.status_code == 302
    event = referral.events.get(kind=ReferralEvent.Kind.ASSIGNED)
    assert (event.note, event.actor_label, event.changes) == (
        "maya",
        "intake",
        {"assignee_id": maya.pk},
    )
    page = staff_client.get(QUEUE)
    expired = {c["key"]: c for c in page.context["attention"]}["expired"]
    assert expired["items"][0].owner == "maya"
    assert "with <strong>maya</strong>" in page.content.decode()
    staff_client.post(reverse("desk:assign", args=[referral.pk]), {"assignee": ""})
    expired = {c["key"]: c for c in staff_client.get(QUEUE).context["attention"]}["expired"]
    assert expired["items"][0].owner is None  # given back: nobody has it


def test_only_active_staff_can_be_given_an_item(staff_client, make_referral, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    outsider = get_user_model().objects.create_user("outsider", password="x")
    with pytest.raises(NotEligible):
        services.assign_attention(referral.pk, outsider, actor=ACT)
    response = staff_client.post(
        reverse("desk:assign", args=[referral.pk]), {"assignee": outsider.pk}
    )
    assert response.status_code == 302
    assert not referral.events.filter(kind=ReferralEvent.Kind.ASSIGNED).exists()
    assert (
        staff_client.post(reverse("desk:assign", args=[999999]), {"assignee": ""}).status_code
        == 404
    )


def test_count_chips_are_filter_links_without_the_client_name(
    staff_client, make_referral, ana, aetna, t0
):
    make_referral(network=aetna, now=t0)
    make_referral(network=aetna, preferred=ana, now=t0)
    page = staff_client.post(QUEUE, {"q": "Rivera", "kind": "general"})
    chips = page.context["chips"]
    assert chips["status"]["pending"] == {
        "url": f"{QUEUE}?kind=general&status=pending",
        "current": False,
    }
    assert chips["kind"]["all"] == {"url": QUEUE, "current": False}
    assert chips["kind"]["general"]["current"] is True
    body = page.content.decode()
    assert f'href="{QUEUE}?kind=general&amp;status=pending"' in body and "Rivera" not in str(chips)
    assert len(staff_client.get(chips["status"]["pending"]["url"]).context["page"].object_list) == 0


@pytest.mark.parametrize("extra", [0, 12])
def test_the_queue_runs_the_same_number_of_queries_whatever_it_lists(
    staff_client, make_referral, ana, aetna, cigna, t0, extra, django_assert_num_queries
):
    for i in range(2 + extra):
        r = make_referral(network=aetna if i % 2 else cigna, now=t0)
        services.expire_referral(r.pk, now=t0 + 48 * H)
        services.assign_attention(r.pk, None, actor=ACT, now=t0 + 49 * H)
    accepted = make_referral(network=aetna, now=t0)
    services.accept_referral(accepted.pk, ana, actor=ACT, now=t0)
    with time_machine.travel(t0 + 50 * H, tick=False):
        staff_client.get(QUEUE)  # the session is warm
        with django_assert_num_queries(QUEUE_QUERIES):
            staff_client.get(QUEUE)


QUEUE_QUERIES = 25  # two per Needs attention category (client says not contacted: +2)
