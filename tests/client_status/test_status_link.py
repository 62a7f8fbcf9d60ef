"""Who may see a client's status page: whoever holds its current signed link, while the request
is open and for 30 days after it closes, unless staff revoked it. Every other link gets the same
kind page with the practice's phone (404, or 410 for a link that once worked), never a 500 and
never the client's name."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.utils import timezone

from referrals import services
from referrals.links import STATUS_SALT
from referrals.models import ClientDataView, Referral
from tests.client_status.conftest import status_path
from tests.names import shows
from tests.policy.helpers import STAFF

pytestmark = pytest.mark.django_db


def _kind_page(response, status):
    body = response.content.decode()
    assert response.status_code == status
    assert settings.PRACTICE_PHONE in body and not shows(body, "Sam") and not shows(body, "Rivera")
    assert "988" in body  # the crisis notice is on it too
    return body


def test_the_status_link_opens_the_page_without_signing_in(client, path, referral):
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Hello Sam" in body and referral.number in body
    assert not shows(body, "Rivera") and "sam.rivera@example.org" not in body  # first name at most


def test_the_page_is_never_stored(client, path):
    assert "no-store" in client.get(path)["Cache-Control"]


def test_a_tampered_link_gets_the_kind_page_404(client, path):
    token = path.split("/")[2]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    _kind_page(client.get(f"/status/{tampered}/"), 404)
    _kind_page(client.get("/status/not-a-token/"), 404)


def test_a_link_signed_for_another_purpose_does_not_open_a_status_page(client, referral):
    forged = signing.TimestampSigner(salt="referrals.action-link").sign_object(
        {"r": referral.pk, "v": 1}
    )
    _kind_page(client.get(f"/status/{forged}/"), 404)


def test_one_clients_link_never_shows_another_clients_request(client, make_referral, path):
    other = make_referral(client=services.ClientDetails("Alex", "Kim", "a@example.org", ""))
    body = client.get(path).content.decode()
    assert other.number not in body and "Alex" not in body
    assert "Alex" in client.get(status_path(other)).content.decode()


def test_a_link_for_no_such_referral_gets_the_same_page(client, db):
    token = signing.TimestampSigner(salt=STATUS_SALT).sign_object({"r": 99999, "v": 1})
    _kind_page(client.get(f"/status/{token}/"), 404)


def test_a_revoked_link_gets_the_kind_page_410_and_a_new_link_works(client, path, referral):
    services.revoke_status_links(referral.pk, actor=STAFF)
    _kind_page(client.get(path), 410)
    referral.refresh_from_db()
    assert client.get(status_path(referral)).status_code == 200


def test_only_staff_revoke_status_links(referral):
    with pytest.raises(services.NotHolder):
        services.revoke_status_links(referral.pk, actor=services.CLIENT)
    referral.refresh_from_db()
    assert referral.status_link_version == 1


def test_the_link_works_for_30_days_after_the_request_closes(client, path, referral):
    closed = services.close_referral(
        referral.pk, Referral.Outcome.NO_PROVIDER, actor=STAFF, note="nobody"
    )
    with time_machine.travel(closed.closed_at + timedelta(days=30) - timedelta(seconds=1)):
        assert client.get(path).status_code == 200
    with time_machine.travel(closed.closed_at + timedelta(days=30)):
        _kind_page(client.get(path), 410)


def test_an_open_request_link_does_not_expire_with_time(client, path, referral):
    with time_machine.travel(referral.created_at + timedelta(days=120)):
        assert client.get(path).status_code == 200


def test_each_view_is_recorded_in_the_access_log(client, path, referral):
    client.get(path)
    [view] = ClientDataView.objects.all()
    assert view.referral_id == referral.pk and view.page == ClientDataView.Page.STATUS_PAGE
    assert view.user is None and view.who == "client status link"


def test_a_refused_link_records_no_view(client, path, referral):
    services.revoke_status_links(referral.pk, actor=STAFF)
    client.get(path)
    assert not ClientDataView.objects.exists()


def test_the_status_page_costs_a_fixed_number_of_queries(
    client, path, referral, django_assert_num_queries
):
    client.get(path)  # the typical answer time is now cached
    # the referral with its client and holder; the cached figure; the access log INSERT
    with django_assert_num_queries(3):
        assert client.get(path).status_code == 200


def test_an_accepted_request_costs_the_same_queries(
    client, path, referral, ana, django_assert_num_queries
):
    services.accept_referral(referral.pk, ana, actor=services.Actor("t"))
    with django_assert_num_queries(2):  # no typical answer time once accepted
        assert client.get(path).status_code == 200


def test_only_get_shows_the_page(client, path):
    assert client.post(path).status_code == 405


def test_while_waiting_the_page_says_how_long_providers_usually_take(
    client, make_referral, ana, aetna
):
    answered = make_referral(network=aetna, preferred=ana, now=timezone.now() - timedelta(hours=4))
    services.decline_referral(
        answered.pk,
        ana,
        reason="unavailable",
        actor=services.Actor("provider"),
        now=answered.created_at + timedelta(hours=3, minutes=10),
    )
    waiting = make_referral(network=aetna, preferred=ana)
    page = client.get(status_path(waiting)).content.decode()
    assert "Providers usually answer a new request within about 3 hours." in page


def test_the_usual_time_is_cached_not_counted_on_every_view(client, make_referral, ana, aetna):
    waiting = make_referral(network=aetna, preferred=ana)
    assert "usually answer" not in client.get(status_path(waiting)).content.decode()
    services.decline_referral(
        waiting.pk, ana, reason="unavailable", actor=services.Actor("provider")
    )
    assert "usually answer" not in client.get(status_path(waiting)).content.decode()
