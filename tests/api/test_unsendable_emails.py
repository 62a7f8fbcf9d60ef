"""POST /api/referrals refuses an address that could never be sent, with the intake form's rule
and message (`config.validation.clean_email`), and accepts internationalised domains."""

from referrals.models import Client as ClientRow
from tests.referrals.test_emails import UNENCODABLE


def test_api_refuses_an_unsendable_address_and_a_non_ascii_local_part(api, body):
    body["email"] = UNENCODABLE
    response = api.post("/api/referrals", body)
    assert response.status_code == 422
    assert "63 letters" in response.json()["detail"][0]["message"]
    body["email"] = "josé@example.org"
    response = api.post("/api/referrals", body)
    assert response.status_code == 422 and "without accents" in response.content.decode()
    assert not ClientRow.objects.exists()


def test_api_accepts_an_internationalised_domain(api, body):
    body["email"] = "kunde@bücher.example"
    assert api.post("/api/referrals", body).status_code == 201
