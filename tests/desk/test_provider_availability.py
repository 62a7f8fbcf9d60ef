"""The desk shows each provider's availability and lets staff change it; the offer dropdown shows
providers not taking new referrals disabled, with the reason, and refuses them."""

from datetime import timedelta

from django.utils import timezone

from providers.models import AvailabilityChange, Provider
from providers.services import set_availability
from referrals.models import Referral
from referrals.services import Actor

STAFF = Actor("staff", is_staff=True)


def test_desk_lists_availability_and_links_to_change_it(
    staff_client, ana, ben, django_assert_num_queries
):
    set_availability(ben, actor=STAFF, accepting_new_clients=False)
    set_availability(ana, actor=STAFF, weekly_limit=3)
    staff_client.get("/desk/providers/")  # the first request after signing in saves the session
    # session, user, the signed-in user's provider (none), providers (offers counted inside)
    with django_assert_num_queries(4):
        page = staff_client.get("/desk/providers/").content.decode()
    assert "Not accepting new clients" in page and "0 of 3 this week" in page
    assert f"/desk/providers/{ben.pk}/availability/" in page


def test_staff_change_availability_on_the_desk_and_history_names_them(staff_client, staff, ana):
    url = f"/desk/providers/{ana.pk}/availability/"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url, {"away_from": "2027-01-04", "away_until": "2027-01-11", "weekly_limit": ""}
    )
    assert response.status_code == 302
    fresh = Provider.objects.get(pk=ana.pk)
    assert not fresh.accepting_new_clients  # the box was not ticked
    assert set(AvailabilityChange.objects.values_list("field", "actor")) == {
        ("accepting_new_clients", staff.pk),
        ("away_from", staff.pk),
        ("away_until", staff.pk),
    }


def test_desk_availability_is_staff_only(client, ana):
    assert client.get("/desk/providers/").status_code == 302
    assert client.post(f"/desk/providers/{ana.pk}/availability/", {}).status_code == 302
    assert not AvailabilityChange.objects.exists()


def test_offer_dropdown_disables_providers_not_taking_new_referrals(
    staff_client, make_referral, ana, ben, aetna
):
    referral = make_referral(network=aetna)
    today = timezone.localdate()
    set_availability(ben, actor=STAFF, away_from=today, away_until=today + timedelta(days=2))
    page = staff_client.get(f"/desk/referrals/{referral.pk}/").content.decode()
    assert f'<option value="{ana.pk}">Ana Lee</option>' in page
    back = (today + timedelta(days=3)).strftime("%-d %B")
    assert f'<option value="{ben.pk}" disabled>Ben Okafor — Away, back on {back}</option>' in page
    response = staff_client.post(f"/desk/referrals/{referral.pk}/offer/", {"provider": ben.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE and referral.offered_to is None
