"""Staff see referrals, clients and the audit trail in admin; admin cannot change a referral's
state by editing it, only add a note through the services."""

from datetime import timedelta

import pytest
from django.urls import reverse

from referrals.models import Referral, ReferralEvent
from referrals.services import Actor, accept_referral


@pytest.fixture
def referrals(make_referral, ana, aetna, t0):
    pending = make_referral(network=aetna, preferred=ana, now=t0)
    accepted = make_referral(network=aetna, now=t0 - timedelta(days=3))
    accept_referral(accepted.pk, ana, actor=Actor("test"), now=t0 - timedelta(days=2))
    return pending, accepted


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status__exact=pending",
        "?kind__exact=general",
        "?created_at__year=2026&created_at__month=11",
        "?q=R-00001",
    ],
)
def test_referral_list_renders_with_filters_and_search(admin_client, referrals, query):
    response = admin_client.get(reverse("admin:referrals_referral_changelist") + query)

    assert response.status_code == 200


def test_referral_list_finds_by_number_and_by_client_last_name(admin_client, referrals):
    pending, accepted = referrals
    url = reverse("admin:referrals_referral_changelist")

    by_number = admin_client.get(url, {"q": pending.number}).context["cl"].result_list
    by_bare_number = admin_client.get(url, {"q": str(accepted.pk)}).context["cl"].result_list
    by_name = admin_client.get(url, {"q": "rivera"}).context["cl"].result_list

    assert list(by_number) == [pending]
    assert list(by_bare_number) == [accepted]
    assert set(by_name) == {pending, accepted}


def test_referral_page_shows_the_audit_trail_and_messages(admin_client, referrals):
    _, accepted = referrals

    response = admin_client.get(reverse("admin:referrals_referral_change", args=[accepted.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "audit trail" in body.lower() and "Accepted" in body
    assert "referral_confirmation" in body  # the client's confirmation, from the outbox


def test_saving_the_referral_page_adds_a_note_and_changes_no_state(admin_client, referrals):
    pending, _ = referrals
    url = reverse("admin:referrals_referral_change", args=[pending.pk])

    data = _as_a_browser_would_post(admin_client.get(url))

    response = admin_client.post(
        url, {**data, "note": "Client asked to be called after 5pm.", "status": "accepted"}
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Referral.Status.PENDING
    note = pending.events.get(kind=ReferralEvent.Kind.NOTE)
    assert (note.note, note.actor_label) == ("Client asked to be called after 5pm.", "admin")


def _as_a_browser_would_post(page) -> dict:
    """The inline formsets' management fields, which the change page's form carries."""
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        form = inline.formset.management_form
        data.update({form.add_prefix(name): value for name, value in form.initial.items()})
    return data


def test_referrals_cannot_be_added_or_deleted_in_admin(admin_client, referrals):
    pending, _ = referrals

    add = admin_client.get(reverse("admin:referrals_referral_add"))
    delete = admin_client.get(reverse("admin:referrals_referral_delete", args=[pending.pk]))

    assert add.status_code == 403 and delete.status_code == 403


@pytest.mark.parametrize(
    "name", ["admin:referrals_client_changelist", "admin:referrals_referralevent_changelist"]
)
def test_client_and_audit_trail_lists_render(admin_client, referrals, name):
    response = admin_client.get(reverse(name), {"q": "rivera"})

    assert response.status_code == 200


def test_an_audit_event_is_read_only(admin_client, referrals):
    event = ReferralEvent.objects.first()
    url = reverse("admin:referrals_referralevent_change", args=[event.pk])

    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"note": "rewritten"})
    event.refresh_from_db()
    assert event.note == ""


def test_a_huge_number_in_the_search_box_finds_nothing_instead_of_failing(admin_client, referrals):
    url = reverse("admin:referrals_referral_changelist")

    response = admin_client.get(url, {"q": "R-" + "9" * 30})

    assert response.status_code == 200 and not response.context["cl"].result_list


def test_staff_correcting_a_client_phone_gets_it_normalised_or_a_clear_error(
    admin_client, referrals
):
    client = referrals[0].client
    url = reverse("admin:referrals_client_change", args=[client.pk])
    details = {"first_name": "Sam", "last_name": "Rivera", "email": client.email}

    bad = admin_client.post(url, {**details, "phone": "call me"})
    good = admin_client.post(url, {**details, "phone": "(617) 555-0199"})

    assert bad.status_code == 200 and "That is not a phone number" in bad.content.decode()
    assert good.status_code == 302
    client.refresh_from_db()
    assert client.phone == "+16175550199"
