"""A correction of a client's details (admin or the service behind any form) lands in each of the
client's referrals' audit trail: who, when, which fields and what they were before."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from referrals import services
from referrals.errors import NotFound
from referrals.models import ReferralEvent

Kind = ReferralEvent.Kind


def test_correcting_a_client_in_admin_keeps_the_old_values_in_the_trail(
    admin_client, make_referral, aetna, t0
):
    referral = make_referral(network=aetna, now=t0)
    url = reverse("admin:referrals_client_change", args=[referral.client_id])

    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        response = admin_client.post(
            url,
            {
                "first_name": "Samantha",
                "last_name": "Rivera",
                "email": "sam.r@example.org",
                "phone": "+12019870001",
            },
        )

    assert response.status_code == 302
    event = referral.events.get(kind=Kind.CLIENT_EDITED)
    assert event.changes == {"first_name": "Sam", "email": "sam.rivera@example.org"}
    assert (event.actor.username, event.actor_label) == ("admin", "admin")
    assert event.at == t0 + timedelta(hours=2)
    referral.client.refresh_from_db()
    assert (referral.client.first_name, referral.client.email) == ("Samantha", "sam.r@example.org")


def test_saving_the_client_page_unchanged_writes_no_event(admin_client, make_referral, aetna):
    referral = make_referral(network=aetna)
    url = reverse("admin:referrals_client_change", args=[referral.client_id])
    unchanged = {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "phone": "+12019870001",
    }

    assert admin_client.post(url, unchanged).status_code == 302
    assert not referral.events.filter(kind=Kind.CLIENT_EDITED).exists()


def test_staff_see_what_a_field_was_in_the_timeline(as_staff, make_referral, aetna):
    referral = make_referral(network=aetna)
    services.edit_client_details(
        referral.client_id, {"phone": "+12012000000"}, actor=services.Actor("intake")
    )

    page = as_staff.get(reverse("desk:timeline", args=[referral.pk])).content.decode()

    assert "Client details changed" in page and "phone was “+12019870001”" in page


def test_an_edit_is_recorded_on_every_referral_of_the_client(make_referral, aetna):
    first = make_referral(network=aetna)
    second = make_referral(network=aetna)
    second.client = first.client
    second.save(update_fields=["client"])

    changed = services.edit_client_details(
        first.client_id, {"consent_sms": True}, actor=services.Actor("intake")
    )

    assert changed == ["consent_sms"]
    for referral in (first, second):
        event = referral.events.get(kind=Kind.CLIENT_EDITED)
        assert event.changes == {"consent_sms": False}


def test_the_service_refuses_unknown_fields_and_unknown_clients(make_referral, aetna):
    referral = make_referral(network=aetna)

    with pytest.raises(ValueError):
        services.edit_client_details(
            referral.client_id, {"created_at": None}, actor=services.Actor("x")
        )
    with pytest.raises(NotFound):
        services.edit_client_details(424242, {"phone": ""}, actor=services.Actor("x"))
    assert not referral.events.filter(kind=Kind.CLIENT_EDITED).exists()
