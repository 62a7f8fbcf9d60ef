"""The home page and the client intake form, through Django's test client."""

import pytest
from django.urls import reverse

from providers.models import Provider
from referrals.models import Client as ClientRow
from referrals.models import Referral
from tests.names import shows
from tests.pages.conftest import outbox

URL = "/referrals/new/"


@pytest.fixture
def form(aetna):
    return {
        "first_name": "  Sam ",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "phone": "(201) 234-5678",
        "insurance": str(aetna.pk),
        "preferred_provider": "",
    }


def test_home_page_offers_the_intake_form_a_crisis_notice_and_provider_sign_in(client, db):
    page = client.get("/").content.decode()
    assert 'href="/referrals/new/"' in page and "Request an appointment" in page
    assert "988" in page and "911" in page
    assert 'href="/signin/"' in page


def test_intake_form_lists_networks_self_pay_active_providers_and_the_crisis_notice(
    client, ana, provider_factory
):
    provider_factory("Ina", "Gone", status=Provider.Status.INACTIVE)
    page = client.get(URL).content.decode()
    for label in ("First name", "Last name", "Email", "Phone", "Insurance", "Preferred provider"):
        assert f">{label}" in page
    assert "Aetna" in page and "Self-pay / other" in page
    assert "Ana Lee" in page and "No preference" in page
    assert "Ina Gone" not in page
    assert "not for emergencies" in page.lower() and "988" in page and "911" in page


def test_provider_query_preselects_the_preferred_provider(client, ana):
    page = client.get(f"{URL}?provider={ana.pk}").content.decode()
    assert f'<option value="{ana.pk}" selected>Ana Lee</option>' in page


def test_general_referral_is_made_and_the_client_sees_what_happens_next(client, form, aetna):
    response = client.post(URL, form)
    assert response.status_code == 302 and response["Location"] == reverse("referrals:intake_done")
    referral = Referral.objects.get()
    assert referral.kind == Referral.Kind.GENERAL and referral.source == "web"
    assert referral.insurance_network == aetna
    assert referral.client.first_name == "Sam" and referral.client.phone == "+12012345678"
    assert not referral.client.consent_sms
    page = client.get(response["Location"]).content.decode()
    assert referral.number in page
    assert "providers who work with Aetna" in page and "48 hours" in page
    assert "sent a confirmation to sam.rivera@example.org" in page
    [confirmation] = outbox("referral_confirmation")
    assert confirmation.recipient == "sam.rivera@example.org"


def test_preferred_provider_referral_tells_the_client_who_was_told(client, form, ana):
    form |= {"preferred_provider": str(ana.pk), "insurance": "self-pay"}
    response = client.post(URL, form, follow=True)
    referral = Referral.objects.get()
    assert referral.kind == Referral.Kind.PREFERRED and referral.preferred_provider == ana
    assert referral.insurance_network is None
    assert "We have told Ana Lee" in response.content.decode()


def test_every_client_gets_the_confirmation_email_without_ticking_a_box(client, form):
    page = client.get(URL).content.decode()
    assert "You may email me" not in page and 'name="consent_email"' not in page
    assert "We email you about this request" in page and "advertising" in page
    assert 'name="consent_sms"' in page and "Text messages are optional" in page

    client.post(URL, form, follow=True)
    [confirmation] = outbox("referral_confirmation")
    assert confirmation.recipient == "sam.rivera@example.org"
    assert outbox("referral_confirmation", channel="sms") == []


def test_a_client_who_ticks_texts_gets_the_confirmation_text_too(client, form):
    page = client.post(URL, {**form, "consent_sms": "on"}, follow=True).content.decode()
    assert Referral.objects.get().client.consent_sms
    [text] = outbox("referral_confirmation", channel="sms")
    assert text.recipient == "+12012345678" and not shows(text.body_text, "Sam")
    assert "and a short text to your phone" in page


def test_intake_without_email_is_refused_and_nothing_made(client, form):
    response = client.post(URL, {**form, "email": ""})
    assert (
        response.status_code == 400
        and "Please enter your email address" in response.content.decode()
    )
    assert Referral.objects.count() == 0


def test_thanks_page_is_only_for_the_browser_that_sent_the_request(client, form, db):
    client.post(URL, form)
    from django.test import Client

    stranger = Client().get(reverse("referrals:intake_done"))
    assert stranger.status_code == 302 and stranger["Location"] == URL


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"first_name": ""}, "first_name", "Please enter your first name."),
        ({"last_name": "R2D2"}, "last_name", "may contain letters"),
        ({"first_name": "A" * 81}, "first_name", "at most 80 characters"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"phone": "555-CALL-NOW"}, "phone", "That is not a phone number: use digits"),
        ({"phone": "(555) 234-5678"}, "phone", "not a number in use"),
        ({"phone": "123"}, "phone", "too short"),
        ({"email": ""}, "email", "Please enter your email address"),
        ({"email": "", "phone": ""}, "email", "Please enter your email address"),
        ({"phone": "", "consent_sms": "on"}, "phone", "Enter your mobile number for text messages"),
        ({"insurance": ""}, "insurance", "Choose your insurance"),
        ({"insurance": "999999"}, "insurance", "from the list"),
        ({"insurance": "x" * 100_000}, "insurance", "from the list"),
        ({"preferred_provider": "99999999999999999999999"}, "preferred_provider", "from the list"),
        ({"preferred_provider": "abc"}, "preferred_provider", "from the list"),
        ({"first_name": "x" * 100_000}, "first_name", "at most"),
        ({"email": "a@" + "b" * 300 + ".com"}, "email", "at most 254"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    client, form, change, field, message
):
    response = client.post(URL, {**form, **change})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    assert f'id="id_{field}_error"' in page
    assert ClientRow.objects.count() == 0 and Referral.objects.count() == 0


def test_bad_field_is_marked_invalid_and_described_by_its_error(client, form):
    page = client.post(URL, {**form, "phone": "12"}).content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in page


def test_missing_fields_are_errors_not_a_crash(client, db):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert Referral.objects.count() == 0


def test_inactive_provider_chosen_in_a_tampered_post_is_refused(client, form, provider_factory):
    gone = provider_factory("Ina", "Gone", status=Provider.Status.INACTIVE)
    response = client.post(URL, {**form, "preferred_provider": str(gone.pk)})
    assert response.status_code == 400
    assert "inactive and cannot receive referrals" in response.content.decode()
    assert Referral.objects.count() == 0 and ClientRow.objects.count() == 0


def test_provider_made_inactive_after_the_check_is_refused_by_the_service(
    client, form, ana, monkeypatch
):
    from referrals.web import intake_forms as forms

    monkeypatch.setattr(forms, "provider_from_choice", lambda value, listed=None: ana)
    Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE)
    response = client.post(URL, {**form, "preferred_provider": str(ana.pk)})
    assert response.status_code == 400
    assert "inactive" in response.content.decode()
    assert Referral.objects.count() == 0 and ClientRow.objects.count() == 0


def test_asking_again_makes_no_second_referral_and_the_page_shows_only_what_was_sent(
    client, form, ana
):
    from django.test import Client

    client.post(URL, form)
    first = Referral.objects.get()
    providers_told = outbox("provider_referral") + outbox("provider_referral", "slack")
    again = {**form, "first_name": "Jo", "email": "jo@example.org", "phone": "(201) 234-5678"}
    again["preferred_provider"] = str(ana.pk)

    someone = Client()
    response = someone.post(URL, again, follow=True)

    assert Referral.objects.count() == 1
    assert first.events.filter(kind="asked_again").count() == 1
    page = response.content.decode()
    # As for a new request: their name, the provider they chose, the email they gave.
    assert "Thank you, Jo. We received your request." in page
    assert "We have told Ana Lee" in page and "jo@example.org" in page
    assert not shows(page, "Sam") and "sam.rivera@example.org" not in page
    assert outbox("provider_referral") + outbox("provider_referral", "slack") == providers_told
    [in_hand] = outbox("request_in_hand")
    assert in_hand.recipient == "sam.rivera@example.org"  # the address on file, not the new one


def test_a_request_after_the_earlier_one_closed_is_a_new_referral(client, form):
    from referrals.services import Actor, close_referral

    client.post(URL, form)
    first = Referral.objects.get()
    close_referral(first.pk, "withdrew", actor=Actor("staff", is_staff=True), note="Moved away")

    client.post(URL, form)

    assert Referral.objects.count() == 2 and not outbox("request_in_hand")
