"""The API is for integrations holding a staff-issued token, never for a signed-in provider or a
stranger: without a valid token, a referral that exists answers exactly like one that does not.
With a token, a status answer carries no client details (see test_status_and_directory)."""

import pytest

from providers.accounts import user_for
from tests.api.conftest import ApiClient


@pytest.mark.parametrize("who", ["stranger", "signed-in provider", "revoked token", "wrong token"])
def test_without_a_valid_token_any_referral_answers_like_none(
    who, make_referral, ana, aetna, token
):
    referral = make_referral(network=aetna, preferred=ana)
    api = ApiClient("not-a-token" if who == "wrong token" else None)
    if who == "signed-in provider":
        api.client.force_login(user_for(ana))
    if who == "revoked token":
        api_token, secret = token
        api_token.revoked = True
        api_token.save()
        api = ApiClient(secret)
    found = api.get(f"/api/referrals/{referral.number}")
    missing = api.get("/api/referrals/R-999999")
    assert found.status_code == missing.status_code == 401
    assert found.content == missing.content and b"Rivera" not in found.content
