"""Every client email carries a working link to the request's status page, and when a provider
accepts (by any path: all go through `services.accept_referral`) the client is told who will
contact them and from which number ("A provider will contact you")."""

import re

import pytest
from django.conf import settings

from notifications.models import OutboxMessage
from providers.models import Photo
from referrals import services
from referrals.models import Referral
from tests.policy.helpers import STAFF

pytestmark = pytest.mark.django_db


def _client_emails():
    return OutboxMessage.objects.filter(channel="email", recipient="sam.rivera@example.org")


def _status_path(message) -> str:
    found = re.search(r"See where your request stands, any time: (\S+)", message.body_text)
    assert found, message.body_text
    return found.group(1).removeprefix(settings.SITE_URL)


def test_every_client_email_links_to_a_working_status_page(client, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    services.decline_referral(referral.pk, ana, reason="unavailable", actor=STAFF)
    services.record_repeat_request(
        referral.pk,
        services.ClientDetails("Sam", "Rivera", "sam.rivera@example.org", ""),
        actor=STAFF,
    )
    templates = set(_client_emails().values_list("template", flat=True))
    assert {"referral_confirmation", "decline_notice", "request_in_hand"} <= templates
    for message in _client_emails():
        response = client.get(_status_path(message))
        assert response.status_code == 200 and referral.number in response.content.decode()


def test_a_provider_accepting_tells_the_client_who_will_call_and_from_which_number(
    make_referral, ana, aetna
):
    ana.credentials = "LCSW"
    ana.office_phone = "+12125550111"
    ana.save()
    referral = make_referral(network=aetna, preferred=ana)
    services.accept_referral(referral.pk, ana, actor=services.Actor("provider"))
    [message] = _client_emails().filter(template="provider_will_contact")
    assert message.subject == "A provider will contact you: Ana Lee"
    assert "Ana Lee, LCSW, has accepted" in message.body_text
    assert "Expect their call from (212) 555-0111" in message.body_text  # the office line
    assert "<img" not in message.body_html  # no photo: none shown
    assert _status_path(message)


def test_the_provider_will_contact_email_shows_the_photo_when_there_is_one(
    make_referral, ana, aetna
):
    ana.photo = Photo.objects.create(data=b"jpeg")
    ana.save()
    referral = make_referral(network=aetna, preferred=ana)
    services.accept_referral(referral.pk, ana, actor=services.Actor("provider"))
    [message] = _client_emails().filter(template="provider_will_contact")
    assert f'src="{settings.SITE_URL}/providers/photos/{ana.photo_id}.jpg"' in message.body_html


def test_a_client_with_no_email_on_file_gets_none_on_accept(make_referral, ana, aetna):
    details = services.ClientDetails("Sam", "Rivera", "", "+12019870001")
    referral = make_referral(network=aetna, preferred=ana, client=details)
    services.accept_referral(referral.pk, ana, actor=services.Actor("provider"))
    assert not _client_emails().exists()


def test_the_status_page_names_the_provider_who_accepted_and_their_number(
    client, make_referral, ana, aetna
):
    ana.credentials = "PhD"
    ana.office_phone = "+12125550111"
    ana.save()
    referral = make_referral(network=aetna, preferred=ana)
    services.accept_referral(referral.pk, ana, actor=services.Actor("provider"))
    path = _status_path(_client_emails().get(template="provider_will_contact"))
    page = client.get(path).content.decode()
    assert "Accepted by Ana Lee, PhD" in page and 'href="tel:+12125550111"' in page
    assert Referral.objects.get().status == Referral.Status.ACCEPTED
