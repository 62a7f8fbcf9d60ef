"""An address that could never be sent is refused at intake, by the form and the API alike
(`config.validation.clean_email`); internationalised domains that encode are accepted."""

import pytest
from django.core.exceptions import ValidationError

from config.validation import clean_email
from referrals.models import Client as ClientRow

UNENCODABLE = "a@" + "ä" * 60 + ".com"  # one label of over 63 octets once IDNA-encoded


@pytest.mark.parametrize(
    "address",
    [
        "kunde@bücher.example",
        "sam.rivera@example.org",
        "o'neil+tag@example.co.uk",
        "x@xn--bcher-kva.example",
    ],
)
def test_deliverable_addresses_are_accepted(address):
    assert clean_email(address) == address


def test_a_domain_that_cannot_be_encoded_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="at most 63 letters long once encoded"):
        clean_email(UNENCODABLE)


def test_a_non_ascii_part_before_the_at_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="without accents"):
        clean_email("josé@example.org")


@pytest.mark.parametrize("address", ["not-an-email", "a@", "@example.org", "a@b@c.org"])
def test_malformed_addresses_are_refused(address):
    with pytest.raises(ValidationError):
        clean_email(address)


def test_intake_form_refuses_an_unsendable_address_and_saves_nothing(client, aetna):
    response = client.post(
        "/referrals/new/",
        {
            "first_name": "Sam",
            "last_name": "Rivera",
            "email": UNENCODABLE,
            "insurance": str(aetna.pk),
        },
    )
    assert response.status_code == 400
    assert "at most 63 letters long once encoded" in response.content.decode()
    assert not ClientRow.objects.exists()


def test_intake_form_accepts_an_internationalised_domain(client, aetna):
    response = client.post(
        "/referrals/new/",
        {
            "first_name": "Sam",
            "last_name": "Rivera",
            "email": "kunde@bücher.example",
            "insurance": str(aetna.pk),
        },
    )
    assert response.status_code == 302
    assert ClientRow.objects.get().email == "kunde@bücher.example"


@pytest.mark.parametrize("address", ["kunde@bücher.example", "ana@faß.de", "a@ä.com"])
def test_intake_accepts_exactly_the_domains_the_email_transport_can_send(address):
    from notifications.transports.email import ascii_address

    assert clean_email(address) == address
    assert ascii_address(address).isascii()
