"""Staff revoke a client's status page links from the desk or admin; nobody else can."""

import pytest
from django.urls import reverse

from referrals.models import Referral, ReferralEvent

pytestmark = pytest.mark.django_db


def test_staff_revoke_status_links_on_the_desk(client, as_staff, path, referral):
    response = as_staff.post(reverse("desk:revoke_status_links", args=[referral.pk]))
    assert response.status_code == 302
    assert client.get(path).status_code == 410
    assert referral.events.filter(kind=ReferralEvent.Kind.STATUS_LINKS_REVOKED).count() == 1


def test_a_provider_cannot_revoke_status_links(client, as_provider, ana, path, referral):
    as_provider(ana).post(reverse("desk:revoke_status_links", args=[referral.pk]))
    assert client.get(path).status_code == 200
    assert Referral.objects.get().status_link_version == 1


def test_staff_revoke_status_links_in_admin(client, admin_client, path, referral):
    admin_client.post(
        reverse("admin:referrals_referral_changelist"),
        {"action": "revoke_status_links", "_selected_action": [referral.pk]},
    )
    assert client.get(path).status_code == 410
