"""Staff change a provider's availability in admin: saved through set_availability, so the change
is in the provider's history with the staff member's name; the list shows who takes referrals."""

from providers.models import AvailabilityChange, Provider

CHANGE = "/admin/providers/provider/{pk}/change/"


def _form(provider, **overrides):
    data = {
        "first_name": provider.first_name,
        "last_name": provider.last_name,
        "email": provider.email,
        "phone": provider.phone,
        "slack_user_id": provider.slack_user_id,
        "credentials": "",
        "bio": "",
        "insurance_networks": [n.pk for n in provider.insurance_networks.all()],
        "accepting_new_clients": "on",
        "away_from": "",
        "away_until": "",
        "weekly_limit": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_set_away_dates_in_admin_and_history_names_them(admin_client, admin_user, ana):
    response = admin_client.post(
        CHANGE.format(pk=ana.pk),
        _form(ana, away_from="2027-01-04", away_until="2027-01-11", weekly_limit="4"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = Provider.objects.get(pk=ana.pk)
    assert str(fresh.away_until) == "2027-01-11" and fresh.weekly_limit == 4
    rows = AvailabilityChange.objects.filter(provider=ana)
    assert {(r.field, r.new) for r in rows} == {
        ("away_from", "2027-01-04"),
        ("away_until", "2027-01-11"),
        ("weekly_limit", "4"),
    }
    assert {r.actor for r in rows} == {admin_user}
    page = admin_client.get(CHANGE.format(pk=ana.pk)).content.decode()
    assert "availability history" in page.lower() and "2027-01-11" in page


def test_admin_refuses_away_dates_out_of_order(admin_client, ana):
    response = admin_client.post(
        CHANGE.format(pk=ana.pk), _form(ana, away_from="2027-01-11", away_until="2027-01-04")
    )
    assert response.status_code == 200 and "on or after" in response.content.decode()
    assert not AvailabilityChange.objects.exists()


def test_changelist_shows_who_is_not_taking_new_referrals(admin_client, ana, ben):
    Provider.objects.filter(pk=ben.pk).update(accepting_new_clients=False)
    page = admin_client.get("/admin/providers/provider/").content.decode()
    assert "Not accepting new clients" in page
