"""My profile in the Provider Portal: phone changes at once, the public profile after approval."""

from django.core.files.uploadedfile import SimpleUploadedFile

from providers.models import Language, ProfileChange, Provider, Specialty
from providers.services import approve_profile_change
from referrals.services import Actor
from tests.providers.photo_bytes import image_upload


def test_phone_changes_at_once_and_bio_waits_for_approval(as_provider, ana):
    anxiety = Specialty.objects.create(name="Anxiety")
    spanish = Language.objects.create(name="Spanish")
    client = as_provider(ana)
    response = client.post(
        "/portal/profile/",
        {
            "phone": "(201) 234-5678",
            "bio": "Warm and direct.",
            "specialties": [anxiety.pk],
            "languages": [spanish.pk],
            "photo": image_upload(),
        },
        follow=True,
    )
    page = response.content.decode()
    ana.refresh_from_db()
    assert ana.phone == "+12012345678"
    assert ana.bio == "" and ana.photo_id is None
    assert "Pending staff approval" in page and "Warm and direct." in page
    assert "Specialties: Anxiety" in page and "Languages: Spanish" in page

    change = ProfileChange.objects.get(provider=ana)
    photo_url = f"/providers/photos/{change.photo_id}.jpg"
    assert client.get(photo_url).status_code == 200  # the provider sees their pending photo
    approve_profile_change(change, actor=Actor("staff"))
    public = client.get(f"/providers/{ana.pk}/").content.decode()
    assert "Warm and direct." in public and photo_url in public


def test_pending_photo_is_not_public(client, as_provider, ana, ben):
    as_provider(ana).post("/portal/profile/", {"phone": ana.phone, "photo": image_upload()})
    change = ProfileChange.objects.get(provider=ana)
    client.logout()
    assert client.get(f"/providers/photos/{change.photo_id}.jpg").status_code == 404


def test_bad_phone_saves_nothing(as_provider, ana):
    response = as_provider(ana).post("/portal/profile/", {"phone": "12", "bio": "New"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert Provider.objects.get(pk=ana.pk).phone == "+12012230001"
    assert not ProfileChange.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused(as_provider, ana):
    bad = SimpleUploadedFile("me.jpg", b"<script>", content_type="image/jpeg")
    response = as_provider(ana).post("/portal/profile/", {"phone": ana.phone, "photo": bad})
    assert "Please choose a JPEG, PNG or WebP photo." in response.content.decode()
    assert not ProfileChange.objects.exists()


def test_profile_form_has_visible_labels(as_provider, ana):
    Specialty.objects.create(name="Grief")
    page = as_provider(ana).get("/portal/profile/").content.decode()
    for field in ("phone", "bio", "photo"):
        assert f'<label for="id_{field}">' in page
    assert "<legend>Specialties</legend>" in page and ">Grief</label>" in page


def test_slack_user_id_changes_at_once_when_valid(as_provider, ana):
    as_provider(ana).post("/portal/profile/", {"phone": ana.phone, "slack_user_id": "W012A3CDE"})
    assert Provider.objects.get(pk=ana.pk).slack_user_id == "W012A3CDE"


def test_an_invalid_slack_user_id_saves_nothing(as_provider, ana):
    response = as_provider(ana).post(
        "/portal/profile/", {"phone": "(201) 234-5678", "slack_user_id": "U1><!channel"}
    )
    assert response.status_code == 200
    assert "is not a Slack user ID" in response.content.decode()
    ana.refresh_from_db()
    assert (ana.slack_user_id, ana.phone) == ("U0ANA", "+12012230001")
