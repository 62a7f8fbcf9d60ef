"""Only callers with a live token get in; tokens are made by a command and revoked in admin."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from api.models import ApiToken, hash_token
from referrals.models import Client, Referral
from tests.api.conftest import ApiClient


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer not-a-token",
        "Basic c2FtOnNlY3JldA==",
        "Token abc",
        "Bearer " + "x" * 5000,
    ],
)
def test_create_without_a_valid_token_is_401_and_creates_nothing(db, body, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = ApiClient(None).post("/api/referrals", body, headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]
    assert Referral.objects.count() == 0 and Client.objects.count() == 0


def test_revoked_token_is_401_and_creates_nothing(token, api, body):
    ApiToken.objects.filter(pk=token[0].pk).update(revoked=True)
    response = api.post("/api/referrals", body)
    assert response.status_code == 401
    assert Referral.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/networks", "/api/providers", "/api/referrals/R-00001"])
def test_every_read_needs_a_token(db, path):
    assert ApiClient(None).get(path).status_code == 401


def test_token_is_stored_only_as_its_hash(token):
    row, secret = token
    row.refresh_from_db()
    assert row.token_hash == hash_token(secret) and secret not in row.token_hash
    assert row.prefix == secret[:8]
    assert secret not in {row.name, row.prefix, row.token_hash}


def test_using_a_token_records_when_it_was_last_used(token, api):
    assert token[0].last_used_at is None
    assert api.get("/api/networks").status_code == 200
    token[0].refresh_from_db()
    assert token[0].last_used_at is not None


@pytest.mark.usefixtures("routing_off")
def test_create_api_token_prints_a_token_that_works(db, body):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "aetna-feed", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert "\n" not in secret and len(secret) >= 40
    assert "not stored" in err.getvalue()
    response = ApiClient(secret).post("/api/referrals", body)
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.source == "api:aetna-feed"
    assert referral.events.get().actor_label == "api:aetna-feed"


def test_create_api_token_refuses_a_name_already_taken(token):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_api_token", "website", stdout=StringIO(), stderr=StringIO())


def test_admin_revoke_action_locks_the_token_out(token, api, admin_client):
    response = admin_client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token[0].pk]},
        follow=True,
    )
    assert b"1 token(s) revoked" in response.content
    assert api.get("/api/networks").status_code == 401


def test_admin_shows_hash_and_prefix_but_cannot_add_tokens(token, admin_client):
    page = admin_client.get(f"/admin/api/apitoken/{token[0].pk}/change/")
    assert page.status_code == 200
    assert token[0].token_hash.encode() in page.content
    assert token[1].encode() not in page.content
    assert admin_client.get("/admin/api/apitoken/add/").status_code == 403


def test_bearer_token_callers_need_no_csrf_token(secret, body):
    strict = HttpClient(enforce_csrf_checks=True)
    response = strict.post(
        "/api/referrals",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201


def test_scheme_name_is_case_insensitive(secret):
    response = HttpClient().get("/api/networks", headers={"Authorization": f"bearer {secret}"})
    assert response.status_code == 200
