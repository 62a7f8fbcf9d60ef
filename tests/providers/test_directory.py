"""The public provider page and profile pages, through the real URLs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers.models import Language, Photo, Provider, Specialty
from providers.photos import photo_from_upload
from providers.services import set_provider_status
from referrals.services import Actor
from tests.providers.photo_bytes import image_upload


@pytest.fixture
def roster(provider_factory, aetna, cigna):
    anxiety = Specialty.objects.create(name="Anxiety")
    couples = Specialty.objects.create(name="Couples")
    spanish = Language.objects.create(name="Spanish")
    ana = provider_factory(
        "Ana", "Lee", networks=[aetna], credentials="LCSW", bio="Calm, practical help."
    )
    ana.specialties.set([anxiety])
    ana.languages.set([spanish])
    ben = provider_factory("Ben", "Okafor", networks=[cigna], credentials="PhD")
    ben.specialties.set([couples])
    cy = provider_factory("Cy", "Hart", networks=[aetna, cigna], status=Provider.Status.INACTIVE)
    return {"ana": ana, "ben": ben, "cy": cy, "anxiety": anxiety, "spanish": spanish}


def test_directory_lists_active_providers_with_their_profile(client, roster):
    page = client.get("/providers/").content.decode()
    assert "Ana Lee" in page and "LCSW" in page and "Calm, practical help." in page
    assert "Anxiety" in page and "Spanish" in page and "Aetna" in page
    assert "Ben Okafor" in page
    assert "Cy Hart" not in page


def test_filter_by_network_works_without_javascript(client, roster, cigna):
    page = client.get("/providers/", {"network": cigna.pk}).content.decode()
    assert "Ben Okafor" in page and "Ana Lee" not in page
    assert "<html" in page  # a whole page: the form works with plain GET


def test_filters_combine(client, roster, aetna):
    params = {
        "network": aetna.pk,
        "specialty": roster["anxiety"].pk,
        "language": roster["spanish"].pk,
    }
    page = client.get("/providers/", params).content.decode()
    assert "Ana Lee" in page and "Ben Okafor" not in page


def test_htmx_request_gets_only_the_results_list(client, roster, cigna):
    response = client.get("/providers/", {"network": cigna.pk}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page and "Ben Okafor" in page and "Ana Lee" not in page
    assert "HX-Request" in response["Vary"]


def test_page_form_is_wired_for_htmx(client, roster):
    page = client.get("/providers/").content.decode()
    assert 'hx-get="/providers/"' in page and 'hx-target="#results"' in page
    assert 'hx-push-url="true"' in page
    for name in ("network", "specialty", "language"):
        assert f'<label for="id_{name}">' in page


def test_unknown_filter_value_is_explained_not_an_error(client, roster):
    response = client.get("/providers/", {"network": "999999", "specialty": "abc"})
    assert response.status_code == 200
    assert "not available any more" in response.content.decode()


def test_provider_made_inactive_disappears_at_once(client, roster):
    set_provider_status(roster["ana"], Provider.Status.INACTIVE, actor=Actor("staff"))
    assert "Ana Lee" not in client.get("/providers/").content.decode()
    assert client.get(f"/providers/{roster['ana'].pk}/").status_code == 404


def test_profile_page_offers_request_this_provider(client, roster):
    ana = roster["ana"]
    page = client.get(f"/providers/{ana.pk}/").content.decode()
    assert "<h1>Ana Lee" in page
    assert f'href="/referrals/new/?provider={ana.pk}"' in page
    assert "Request this provider" in page


def test_inactive_or_unknown_profile_is_not_found(client, roster):
    assert client.get(f"/providers/{roster['cy'].pk}/").status_code == 404
    assert client.get("/providers/999999/").status_code == 404


def test_photo_is_sized_lazy_and_described(client, roster):
    ana = roster["ana"]
    photo = photo_from_upload(image_upload())
    photo.save()
    Provider.objects.filter(pk=ana.pk).update(photo=photo)
    page = client.get("/providers/").content.decode()
    assert (
        f'<img class="headshot" src="/providers/photos/{photo.pk}.jpg" width="160" height="160" '
        f'alt="Photo of Ana Lee" loading="lazy"'
    ) in page
    response = client.get(f"/providers/photos/{photo.pk}.jpg")
    assert response["Content-Type"] == "image/jpeg" and "immutable" in response["Cache-Control"]


def test_photo_not_in_use_by_an_active_provider_is_not_served(client, roster):
    photo = Photo.objects.create(data=b"x")
    assert client.get(f"/providers/photos/{photo.pk}.jpg").status_code == 404
    Provider.objects.filter(pk=roster["cy"].pk).update(photo=photo)
    assert client.get(f"/providers/photos/{photo.pk}.jpg").status_code == 404


def _queries_for_directory(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/providers/").status_code == 200
    return len(queries)


def test_directory_queries_do_not_grow_with_the_number_of_providers(
    client, provider_factory, aetna, cigna, django_assert_max_num_queries
):
    anxiety = Specialty.objects.create(name="Anxiety")
    spanish = Language.objects.create(name="Spanish")

    def add(count, start):
        for i in range(start, start + count):
            p = provider_factory("P", f"N{i:03d}", networks=[aetna, cigna])
            p.specialties.set([anxiety])
            p.languages.set([spanish])

    add(3, 0)
    few = _queries_for_directory(client)
    add(27, 3)
    with django_assert_max_num_queries(few):
        page = client.get("/providers/").content.decode()
    assert page.count('class="card provider"') == 30
    assert _queries_for_directory(client) == few


def test_empty_filters_are_no_filters(client, roster):
    page = client.get("/providers/", {"network": "", "specialty": "", "language": ""})
    text = page.content.decode()
    assert "2 providers." in text and "Clear filters" not in text


def test_filtered_list_offers_to_clear_filters(client, roster, cigna):
    text = client.get("/providers/", {"network": cigna.pk}).content.decode()
    assert "1 provider matches your choices." in text and "Clear filters" in text
