"""Provider profile changes wait for staff approval; photos are re-encoded squares."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from providers.models import Language, ProfileChange, Specialty
from providers.photos import photo_from_upload
from providers.services import (
    approve_profile_change,
    propose_profile_change,
    reject_profile_change,
)
from referrals.services import Actor
from tests.providers.photo_bytes import image_upload

STAFF = Actor("staff")


@pytest.fixture
def anxiety(db):
    return Specialty.objects.create(name="Anxiety")


@pytest.fixture
def spanish(db):
    return Language.objects.create(name="Spanish")


def test_proposed_change_is_not_public_until_approved(ana, anxiety, spanish):
    change = propose_profile_change(
        ana, bio="I help adults with anxiety.", specialties=[anxiety], languages=[spanish]
    )
    ana.refresh_from_db()
    assert ana.bio == "" and not ana.specialties.exists()
    assert change.status == ProfileChange.Status.PENDING

    assert approve_profile_change(change, actor=STAFF)

    ana.refresh_from_db()
    assert ana.bio == "I help adults with anxiety."
    assert list(ana.specialties.all()) == [anxiety] and list(ana.languages.all()) == [spanish]
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.APPROVED and change.decided_by == "staff"


def test_rejected_change_leaves_profile_as_it_was(ana):
    change = propose_profile_change(ana, bio="New words")
    assert reject_profile_change(change, actor=STAFF)
    ana.refresh_from_db()
    assert ana.bio == ""
    assert not approve_profile_change(change, actor=STAFF)  # decided once


def test_proposing_again_adds_to_the_one_pending_change(ana, anxiety):
    first = propose_profile_change(ana, bio="One")
    second = propose_profile_change(ana, specialties=[anxiety])
    assert first.pk == second.pk
    assert second.proposed == {"bio": "One", "specialties": [anxiety.pk]}
    assert ProfileChange.objects.count() == 1


def test_nothing_different_proposes_nothing(ana):
    assert propose_profile_change(ana, bio="", specialties=[], languages=[]) is None
    assert not ProfileChange.objects.exists()


def test_uploaded_photo_becomes_a_square_jpeg_and_is_approved(ana):
    photo = photo_from_upload(image_upload(size=(800, 600)))
    assert photo.data[:2] == b"\xff\xd8" and photo.width == photo.height == 320
    change = propose_profile_change(ana, photo=photo)
    approve_profile_change(change, actor=STAFF)
    ana.refresh_from_db()
    assert ana.photo_id == photo.pk


def test_a_file_that_is_not_an_image_is_refused(db):
    with pytest.raises(ValidationError):
        photo_from_upload(SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"))


def test_setting_a_value_back_drops_it_from_the_pending_change(ana, anxiety):
    propose_profile_change(ana, bio="One", specialties=[anxiety])
    change = propose_profile_change(ana, bio="")
    assert change.proposed == {"specialties": [anxiety.pk]}
    assert propose_profile_change(ana, specialties=[]) is None
    assert not ProfileChange.objects.exists()
