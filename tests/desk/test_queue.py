"""The staff queue: open referrals oldest first, deadlines, filters with counts, needs attention."""

import html
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.models import OutboxMessage
from referrals import services
from referrals.models import Referral

QUEUE = reverse("desk:queue")


def rows(response):
    return [r.number for r in response.context["page"].object_list]


def test_queue_is_for_staff_only(client, db):
    assert client.get(QUEUE).status_code == 302
    user = get_user_model().objects.create_user("provider", password="x")
    client.force_login(user)
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_queue_lists_the_next_deadline_first(staff_client, make_referral, ana, aetna, t0):
    older = make_referral(network=aetna, now=t0)  # next: the 24-hour reminder at t0+24h
    newer = make_referral(network=aetna, preferred=ana, now=t0 + timedelta(hours=1))  # link: 13h
    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        assert rows(staff_client.get(QUEUE)) == [newer.number, older.number]
    with time_machine.travel(t0 + timedelta(hours=14), tick=False):  # newer's link has expired
        assert rows(staff_client.get(QUEUE)) == [older.number, newer.number]


def test_accepted_referral_stays_until_contact_is_confirmed(
    staff_client, make_referral, ana, aetna, t0, staff
):
    referral = make_referral(network=aetna, now=t0)
    services.accept_referral(referral.pk, ana, actor=services.Actor("test"), now=t0)
    assert rows(staff_client.get(QUEUE)) == [referral.number]
    services.confirm_contact(referral.pk, ana, actor=services.Actor("test"))
    assert rows(staff_client.get(QUEUE)) == []


def test_pending_referral_shows_its_three_clocks_with_urgency(
    staff_client, make_referral, ana, aetna, t0
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    with time_machine.travel(t0 + timedelta(hours=11), tick=False):
        response = staff_client.get(QUEUE)
    row = response.context["page"].object_list[0]
    assert [d.label for d in row.deadlines] == [
        "link expires",
        "24-hour reminder",
        "declined automatically",
    ]
    assert row.urgency == "urgent"  # the 12-hour link expires in one hour
    body = response.content.decode()
    assert "link expires: <time" in body and "in 1 h</time>" in body
    assert referral.number in body


def test_filters_narrow_the_queue_and_counts_follow(
    staff_client, make_referral, ana, ben, aetna, client_details, t0
):
    general = make_referral(network=aetna, now=t0)
    preferred = make_referral(network=aetna, preferred=ana, now=t0)
    self_pay = make_referral(network=None, now=t0 - timedelta(hours=30))
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        assert rows(staff_client.get(QUEUE, {"kind": "preferred"})) == [preferred.number]
        assert rows(staff_client.get(QUEUE, {"status": "available"})) == [
            self_pay.number,
            general.number,
        ]
        assert rows(staff_client.get(QUEUE, {"network": "self"})) == [self_pay.number]
        assert rows(staff_client.get(QUEUE, {"provider": ana.pk})) == [preferred.number]
        assert rows(staff_client.get(QUEUE, {"age": "24to48"})) == [self_pay.number]
        response = staff_client.get(QUEUE, {"kind": "general"})
    counts = response.context["counts"]
    assert counts["status"]["available"] == 2 and counts["status"]["pending"] == 0
    assert counts["kind"] == {"all": 3, "preferred": 1, "general": 2}


def test_search_by_client_name(staff_client, make_referral, aetna, client_details, t0):
    other = services.ClientDetails("Jo", "Park", "jo@example.org", "")
    sam = make_referral(network=aetna, now=t0)
    make_referral(network=aetna, now=t0, client=other)
    assert rows(staff_client.post(QUEUE, {"q": "sam RIVERA"})) == [sam.number]
    assert rows(staff_client.post(QUEUE, {"q": "nobody"})) == []


def test_client_name_is_searched_by_post_and_never_put_in_a_url(
    staff_client, make_referral, aetna, t0
):
    make_referral(network=aetna, now=t0)
    page = staff_client.get(QUEUE).content.decode()
    filters = re.search(r'<form[^>]*id="queue-filters"[^>]*>', page, re.S).group(0)
    assert 'method="post"' in filters and "hx-post=" in filters and "hx-get" not in filters
    response = staff_client.post(
        QUEUE,
        {"q": "Rivera", "kind": "general"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="queue-filters",
    )
    assert rows(response) != []
    assert response["HX-Push-Url"] == f"{QUEUE}?kind=general"  # the address bar: no name


def test_a_name_in_the_address_bar_is_not_searched(staff_client, make_referral, aetna, t0):
    make_referral(network=aetna, now=t0)
    assert len(rows(staff_client.get(QUEUE, {"q": "nobody"}))) == 1


def test_htmx_refresh_returns_only_the_results_keeping_filters(
    staff_client, make_referral, aetna, t0
):
    make_referral(network=aetna, now=t0)
    response = staff_client.post(QUEUE, {"kind": "general", "q": "Rivera"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Needs attention" not in body and "HX-Push-Url" not in response  # a refresh: no push
    assert 'id="queue-results"' in body and "every 15s" in body
    refresh = re.search(r"hx-vals='([^']*)'", body).group(1)
    assert json.loads(html.unescape(refresh)) == {"kind": "general", "q": "Rivera", "page": 1}
    assert "Rivera" not in re.search(r'hx-post="([^"]*)"', body).group(1)


def test_pager_carries_the_filters_in_the_form_not_the_url(
    staff_client, make_referral, aetna, t0, monkeypatch
):
    from desk import views

    for _ in range(3):
        make_referral(network=aetna, now=t0)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = staff_client.post(QUEUE, {"q": "Rivera"}).content.decode()
    second = staff_client.post(QUEUE, {"q": "Rivera", "page": "2"})
    assert '<input type="hidden" name="q" value="Rivera">' in first
    assert '<button type="submit" name="page" value="2">Next</button>' in first
    assert "?q=" not in first and "q=Rivera" not in first
    assert second.context["page"].number == 2 and len(rows(second)) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"network": "999999"},
        {"provider": "x"},
        {"age": "old"},
        {"page": "abc"},
        {"q": "x" * 5000},
    ],
)
def test_bad_filters_never_break_the_page(staff_client, make_referral, aetna, query):
    make_referral(network=aetna)
    assert staff_client.get(QUEUE, query).status_code == 200


def test_needs_attention_lists_expired_failed_and_uncovered(
    staff_client, make_referral, ana, aetna, cigna, t0
):
    expired = make_referral(network=aetna, preferred=ana, now=t0)
    services.expire_referral(expired.pk, now=t0 + timedelta(hours=48))
    uncovered = make_referral(network=cigna, now=t0)  # nobody active takes Cigna
    failed = OutboxMessage.objects.filter(referral=expired).first()
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxMessage.Status.FAILED, last_error="Slack channel_not_found"
    )
    attention = {c["key"]: c for c in staff_client.get(QUEUE).context["attention"]}
    assert [r.pk for r in attention["expired"]["items"]] == [expired.pk]
    assert attention["failed"]["count"] == 1 and attention["failed"]["items"][0].pk == failed.pk
    assert [r.pk for r in attention["uncovered"]["items"]] == [uncovered.pk]
    assert Referral.objects.get(pk=expired.pk).status == Referral.Status.AVAILABLE


def test_after_the_24_hour_reminder_the_link_clock_follows_the_fresh_link(
    staff_client, make_referral, ana, aetna, t0
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    services.send_reminders(referral.pk, now=t0 + timedelta(hours=24))
    with time_machine.travel(t0 + timedelta(hours=30), tick=False):
        row = staff_client.get(QUEUE).context["page"].object_list[0]
    [link] = [d for d in row.deadlines if d.label == "link expires"]
    assert link.at == t0 + timedelta(hours=36)  # the reminder's link, 12 hours from 24 h


def test_needs_attention_lists_expired_awaiting_a_decision_until_staff_decide(
    staff_client, make_referral, ana, ben, aetna, t0, staff
):
    waiting = make_referral(network=aetna, now=t0)
    reoffered = make_referral(network=aetna, now=t0)
    for referral in (waiting, reoffered):
        services.expire_referral(referral.pk, now=t0 + timedelta(hours=48))
    Referral.objects.filter(pk=waiting.pk).update(attention_owner=staff)  # "Take it" (desk)
    services.offer_referral(reoffered.pk, ben, actor=services.Actor("s", is_staff=True))

    response = staff_client.get(QUEUE)

    expired = _attention(response, "expired")
    assert [r.pk for r in expired["items"]] == [waiting.pk]
    assert "expired with nobody accepting, awaiting a decision" in response.content.decode()
    assert "with <strong>intake</strong>" in response.content.decode()
    services.close_referral(
        waiting.pk, "no_provider", actor=services.Actor("s", is_staff=True), note="none"
    )
    assert _attention(staff_client.get(QUEUE), "expired")["count"] == 0


def test_needs_attention_lists_clients_who_asked_again_and_closed_ones_leave_the_queue(
    staff_client, make_referral, aetna, t0, client_details
):
    first = make_referral(network=aetna, now=t0)
    make_referral(network=aetna, now=t0 + timedelta(hours=1), client=client_details)

    asked_again = _attention(staff_client.get(QUEUE), "asked_again")
    assert [r.pk for r in asked_again["items"]] == [first.pk]

    services.close_referral(
        first.pk, "withdrew", actor=services.Actor("s", is_staff=True), note="Called"
    )
    response = staff_client.get(QUEUE)
    assert _attention(response, "asked_again")["count"] == 0
    assert first.pk not in [r.pk for r in response.context["page"]]


def _attention(response, key: str) -> dict:
    """One category of the desk's "Needs attention" (`desk.attention.needs_attention`)."""
    return next(c for c in response.context["attention"] if c["key"] == key)
