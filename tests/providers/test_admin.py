"""Roster management in admin: status actions, CSV import with preview, export, approvals."""

from django.core.files.uploadedfile import SimpleUploadedFile

from providers.models import ProfileChange, Provider
from providers.services import propose_profile_change
from referrals.models import Referral, ReferralEvent

CHANGELIST = "/admin/providers/provider/"
IMPORT = "/admin/providers/provider/import-csv/"
HEADER = "first_name,last_name,email,phone,slack_user_id,status,insurance_networks\n"


def test_changelist_lists_providers_with_import_and_export_links(admin_client, ana, ben):
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Ana Lee" in page and "Ben Okafor" in page
    assert IMPORT in page and "/admin/providers/provider/export-csv/" in page
    filtered = admin_client.get(CHANGELIST, {"status__exact": "inactive"}).content.decode()
    assert "Ana Lee" not in filtered


def test_set_inactive_action_declines_waiting_referrals(
    admin_client, admin_user, make_referral, ana, aetna
):
    referral = make_referral(network=aetna, preferred=ana)
    response = admin_client.post(
        CHANGELIST, {"action": "set_inactive", "_selected_action": [ana.pk]}, follow=True
    )
    assert "1 waiting referral(s) declined" in response.content.decode()
    assert Provider.objects.get(pk=ana.pk).status == "inactive"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    event = referral.events.get(kind=ReferralEvent.Kind.DECLINED)
    assert event.reason == "provider_inactive" and event.actor == admin_user


def test_status_cannot_be_edited_on_the_form(admin_client, ana):
    page = admin_client.get(f"{CHANGELIST}{ana.pk}/change/").content.decode()
    assert 'name="status"' not in page


def test_import_previews_then_confirms(admin_client, db):
    csv = HEADER + "Ana,Lee,ana@example.com,,,active,Aetna\n"
    upload = SimpleUploadedFile("roster.csv", csv.encode(), content_type="text/csv")
    preview = admin_client.post(IMPORT, {"file": upload}).content.decode()
    assert "1 new provider" in preview and "Confirm import" in preview
    assert not Provider.objects.exists()

    response = admin_client.post(IMPORT, {"confirm": "1", "data": csv}, follow=True)
    assert "Imported 1 rows: 1 created" in response.content.decode()
    assert Provider.objects.get().email == "ana@example.com"


def test_import_with_bad_rows_lists_them_and_changes_nothing(admin_client, db):
    csv = HEADER + "Ana,Lee,ana@example.com,,,active,Aetna\nBen,,bad,,,maybe,\n"
    upload = SimpleUploadedFile("roster.csv", csv.encode(), content_type="text/csv")
    page = admin_client.post(IMPORT, {"file": upload}).content.decode()
    assert "nothing was imported" in page and "line 3: last_name:" in page
    assert "line 3: status: &#x27;maybe&#x27; is not active or inactive" in page
    assert "Confirm import" not in page
    assert not Provider.objects.exists()


def test_export_downloads_the_roster(admin_client, ana):
    response = admin_client.get("/admin/providers/provider/export-csv/")
    assert response["Content-Type"].startswith("text/csv")
    assert "ana.lee@example.com" in response.content.decode()


def test_staff_approve_profile_change(admin_client, ana):
    change = propose_profile_change(ana, bio="Hello")
    page = admin_client.get("/admin/providers/profilechange/").content.decode()
    assert "Hello" in page
    admin_client.post(
        "/admin/providers/profilechange/", {"action": "approve", "_selected_action": [change.pk]}
    )
    assert Provider.objects.get(pk=ana.pk).bio == "Hello"
    assert ProfileChange.objects.get().status == "approved"


def test_non_staff_cannot_import(client, db):
    response = client.get(IMPORT)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
