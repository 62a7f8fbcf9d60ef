"""Audit events and view records can be neither edited nor deleted through the application:
admin offers no delete or change, and what they point to cannot be deleted from under them."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.urls import reverse

from referrals import services
from referrals.access_log import Page, record_views
from referrals.models import ClientDataView, ReferralEvent


@pytest.mark.usefixtures("routing_off")
def test_admin_cannot_delete_an_audit_event(admin_client, make_referral, aetna):
    event = make_referral(network=aetna).events.get()

    url = reverse("admin:referrals_referralevent_delete", args=[event.pk])
    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 403 and ReferralEvent.objects.filter(pk=event.pk).exists()


def test_a_referral_with_a_trail_cannot_be_deleted(make_referral, aetna):
    referral = make_referral(network=aetna)

    with pytest.raises(ProtectedError):
        referral.delete()


def test_a_user_named_in_the_trail_or_the_views_cannot_be_deleted(make_referral, aetna):
    acted, looked = (get_user_model().objects.create_user(name) for name in ("acted", "looked"))
    referral = make_referral(network=aetna)
    services.add_note(referral.pk, "called", actor=services.Actor.for_user(acted))
    record_views(looked, [referral], Page.TIMELINE)

    for user in (acted, looked):
        with pytest.raises(ProtectedError):
            user.delete()
    assert referral.events.get(kind=ReferralEvent.Kind.NOTE).actor == acted
    assert ClientDataView.objects.get().user == looked
