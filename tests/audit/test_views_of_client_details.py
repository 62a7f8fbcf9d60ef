"""Every page that shows a client's details to someone records who saw which referral, when and
on which page; staff read it in the timeline ("Viewed by") and in admin, where nobody edits it."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from referrals import services
from referrals.access_log import record_views
from referrals.links import make_action_url
from referrals.models import ClientDataView
from referrals.services import Actor

Page = ClientDataView.Page
TIMELINE_QUERIES = 11


def _views(**filters):
    return list(
        ClientDataView.objects.filter(**filters)
        .order_by("id")
        .values_list("who", "referral_id", "page")
    )


def test_opening_the_desk_timeline_records_the_staff_member(as_staff, make_referral, aetna, t0):
    referral = make_referral(network=aetna, now=t0)

    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        as_staff.get(reverse("desk:timeline", args=[referral.pk]))

    [view] = ClientDataView.objects.all()
    assert (view.who, view.user.username, view.referral_id, view.page) == (
        "intake",
        "intake",
        referral.pk,
        Page.TIMELINE,
    )
    assert view.at == t0 + timedelta(hours=1)


def test_the_timeline_says_who_viewed_it_with_a_constant_number_of_queries(
    as_staff, as_provider, make_referral, ana, aetna, t0, django_assert_num_queries
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    url = reverse("desk:timeline", args=[referral.pk])
    as_staff.get(url)  # the session and the first view, so both counted pages are alike
    as_staff.get(url)
    # session, user, referral, the INSERT of this view, events, messages, views, offer candidates
    # (2), routing waves and their offers (2)
    with django_assert_num_queries(TIMELINE_QUERIES):
        as_staff.get(url)
    as_provider(ana).get(reverse("referrals:accept") + f"?referral={referral.pk}")
    for _ in range(20):
        as_staff.get(url)

    with django_assert_num_queries(TIMELINE_QUERIES):
        page = as_staff.get(url).content.decode()

    assert "Viewed by" in page
    assert "ana.lee@example.com" in page and "Accept Referral page" in page
    assert "intake" in page and "Desk timeline" in page


def test_the_accept_page_records_each_result_shown(
    as_provider, make_referral, ana, aetna, cigna, t0
):
    shown = [make_referral(network=aetna, now=t0), make_referral(network=aetna, now=t0)]
    make_referral(network=cigna, now=t0, client=services.ClientDetails("Jo", "Park", "", ""))
    browser = as_provider(ana)

    browser.post(reverse("referrals:accept"), {"first_name": "Sam", "last_name": "Rivera"})
    browser.get(reverse("referrals:accept"))  # no search: nothing shown, nothing recorded

    assert sorted(_views()) == sorted(("ana.lee@example.com", r.pk, Page.ACCEPT) for r in shown)


def test_the_portal_records_the_referrals_it_lists_with_client_names(
    as_provider, make_referral, ana, ben, aetna, t0
):
    waiting = make_referral(network=aetna, preferred=ana, now=t0)
    held = make_referral(network=aetna, now=t0)
    services.accept_referral(held.pk, ana, actor=Actor("ana"), now=t0)
    not_hers = make_referral(network=aetna, preferred=ben, now=t0)

    as_provider(ana).get("/portal/")

    seen = {referral_id for _, referral_id, _ in _views(page=Page.PORTAL)}
    assert seen == {waiting.pk, held.pk} and not_hers.pk not in seen


def test_opening_an_emailed_link_records_the_link_s_provider(client, make_referral, ana, t0):
    with time_machine.travel(t0, tick=False):
        referral = make_referral(preferred=ana, now=t0)
        client.get(make_action_url(referral, ana).removeprefix(settings.SITE_URL))

    assert _views() == [("email link: ana.lee@example.com", referral.pk, Page.EMAIL_LINK)]


def test_admin_change_pages_of_a_referral_and_a_client_are_recorded(
    admin_client, make_referral, aetna
):
    referral = make_referral(network=aetna)

    admin_client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    admin_client.get(reverse("admin:referrals_client_change", args=[referral.client_id]))
    admin_client.get(reverse("admin:referrals_referral_change", args=[999999]))  # not there

    assert _views() == [
        ("admin", referral.pk, Page.ADMIN_REFERRAL),
        ("admin", referral.pk, Page.ADMIN_CLIENT),
    ]


def test_the_analytics_export_carries_no_client_details_so_records_no_view(
    as_staff, make_referral, aetna
):
    make_referral(network=aetna)

    body = b"".join(as_staff.get(reverse("desk:export")).streaming_content).decode()

    assert "Rivera" not in body and "sam.rivera" not in body and "201987" not in body
    assert not ClientDataView.objects.exists()


def test_admin_lists_views_by_person_and_date_and_nobody_can_change_them(
    admin_client, as_staff, make_referral, aetna, t0
):
    referral = make_referral(network=aetna)
    with time_machine.travel(t0, tick=False):
        as_staff.get(reverse("desk:timeline", args=[referral.pk]))
    admin_client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    staff_view = ClientDataView.objects.get(who="intake")
    url = reverse("admin:referrals_clientdataview_changelist")

    by_person = admin_client.get(url, {"user__id__exact": staff_view.user_id})
    by_date = admin_client.get(url, {"at__year": t0.year, "at__month": t0.month, "at__day": t0.day})

    assert list(by_person.context["cl"].result_list) == [staff_view]
    assert list(by_date.context["cl"].result_list) == [staff_view]
    assert admin_client.get(reverse("admin:referrals_clientdataview_add")).status_code == 403
    delete = reverse("admin:referrals_clientdataview_delete", args=[staff_view.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:referrals_clientdataview_change", args=[staff_view.pk])
    admin_client.post(change, {"who": "someone else"})
    staff_view.refresh_from_db()
    assert staff_view.who == "intake"


@pytest.mark.parametrize("count", [1, 30])
def test_many_results_are_recorded_in_one_insert(
    staff_user, make_referral, aetna, count, django_assert_num_queries
):
    referrals = [make_referral(network=aetna) for _ in range(count)]

    with django_assert_num_queries(1):
        assert record_views(staff_user, referrals, Page.ACCEPT) == count
