"""Staff sign-in fits health information: idle sessions end, a second factor (TOTP) is required,
and repeated wrong passwords lock the username from that address for a while."""

import logging
import re
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from providers.accounts import user_for

PASSWORD = "a long staff password 42"
CODE_PAGE = reverse("desk:second_factor")


@pytest.fixture
def staff_member(db):
    return get_user_model().objects.create_user("intake", password=PASSWORD, is_staff=True)


def _sign_in(client, username="intake", password=PASSWORD, address="127.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/desk/"},
        REMOTE_ADDR=address,
    )


# --- Idle timeout -------------------------------------------------------------------------------


@pytest.fixture
def signed_in_at_t0(staff_member, t0, settings):
    settings.STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
    client = Client()
    with time_machine.travel(t0, tick=False):
        client.force_login(staff_member)
    return client


def test_staff_active_within_30_minutes_stay_signed_in(signed_in_at_t0, t0):
    with time_machine.travel(t0 + timedelta(minutes=29), tick=False):
        assert signed_in_at_t0.get("/desk/").status_code == 200
    with time_machine.travel(t0 + timedelta(minutes=58), tick=False):
        assert signed_in_at_t0.get("/desk/").status_code == 200


def test_staff_idle_for_31_minutes_are_signed_out(signed_in_at_t0, t0):
    with time_machine.travel(t0 + timedelta(minutes=31), tick=False):
        response = signed_in_at_t0.get("/desk/")
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('admin:login')}?next=/desk/"
        assert "_auth_user_id" not in signed_in_at_t0.session
        assert signed_in_at_t0.get("/desk/").status_code == 302


def test_the_queue_poll_does_not_keep_an_idle_desk_signed_in(signed_in_at_t0, t0):
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_X_BACKGROUND_POLL": "true"}
    for minutes in (10, 20, 29):
        with time_machine.travel(t0 + timedelta(minutes=minutes), tick=False):
            assert signed_in_at_t0.get("/desk/", **poll).status_code == 200
    with time_machine.travel(t0 + timedelta(minutes=31), tick=False):
        response = signed_in_at_t0.get("/desk/", **poll)
    assert response["HX-Redirect"] == f"{reverse('admin:login')}?next=/desk/"


def test_providers_are_not_subject_to_the_staff_idle_timeout(ana, t0, settings):
    settings.STAFF_IDLE_TIMEOUT = timedelta(minutes=30)
    client = Client()
    with time_machine.travel(t0, tick=False):
        client.force_login(user_for(ana))
    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        assert client.get("/portal/").status_code == 200


# --- Second factor --------------------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.STAFF_2FA_REQUIRED = True


def _code_from_page(html: str, offset: int = 0) -> str:
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)
    totp = TOTP(b32decode(secret), step=30, t0=0, digits=6)
    return f"{(totp.token() + offset) % 1_000_000:06d}"


def test_with_a_password_alone_staff_reach_neither_the_desk_nor_admin(two_factor, staff_member):
    client = Client()
    assert _sign_in(client).status_code == 302
    for path in ("/desk/", "/admin/", "/desk/analytics/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(CODE_PAGE + "?next=")


def test_first_sign_in_enrols_an_authenticator_then_signs_in(two_factor, staff_member, t0):
    client = Client()
    with time_machine.travel(t0, tick=False):
        _sign_in(client)
        page = client.get(CODE_PAGE + "?next=/desk/")
        html = page.content.decode()
        assert page.status_code == 200 and "Set up your authenticator app" in html
        assert "<svg" in html and "style=" not in html

        wrong = client.post(CODE_PAGE, {"code": _code_from_page(html, 1), "next": "/desk/"})
        assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
        assert not TOTPDevice.objects.get(user=staff_member).confirmed
        assert client.get("/desk/").status_code == 302

    # django-otp makes the next try after a wrong code wait a moment.
    with time_machine.travel(t0 + timedelta(seconds=5), tick=False):
        right = client.post(CODE_PAGE, {"code": _code_from_page(html), "next": "/desk/"})
        assert right.status_code == 302 and right["Location"] == "/desk/"
        assert TOTPDevice.objects.get(user=staff_member).confirmed
        assert client.get("/desk/").status_code == 200
        assert client.get("/admin/").status_code == 200

    # The next sign-in asks for a code from the same app; no new QR code is shown.
    device = TOTPDevice.objects.get(user=staff_member)
    later = Client()
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        _sign_in(later)
        html = later.get(CODE_PAGE).content.decode()
        assert "Enter your code" in html and "<svg" not in html and "secret" not in html
        code = f"{TOTP(device.bin_key, step=30, t0=0, digits=6).token():06d}"
        assert later.post(CODE_PAGE, {"code": code}).status_code == 302
        assert later.get("/desk/").status_code == 200


def test_letters_instead_of_a_code_are_a_form_error(two_factor, staff_member):
    client = Client()
    _sign_in(client)
    response = client.post(CODE_PAGE, {"code": "abcdef"})
    assert response.status_code == 400
    assert "Enter the 6 digits" in response.content.decode()


def test_the_code_page_sends_nowhere_outside_the_site(two_factor, staff_member, t0):
    client = Client()
    with time_machine.travel(t0, tick=False):
        _sign_in(client)
        html = client.get(CODE_PAGE).content.decode()
        response = client.post(
            CODE_PAGE, {"code": _code_from_page(html), "next": "https://evil.example/"}
        )
    assert response["Location"] == "/desk/"


def test_providers_sign_in_without_a_second_factor(two_factor, ana):
    client = Client()
    client.force_login(user_for(ana))
    assert client.get("/portal/").status_code == 200


def test_staff_can_sign_out_before_giving_a_code(two_factor, staff_member):
    client = Client()
    _sign_in(client)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200 and "_auth_user_id" not in client.session


# --- Lockout ------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_that_username_from_that_address(staff_member, t0, caplog):
    client = Client()
    caplog.set_level(logging.INFO)
    with time_machine.travel(t0, tick=False):
        for _ in range(4):
            response = _sign_in(client, password="wrong-guess-hunter2")
            assert response.status_code == 200
        assert _sign_in(client, password="wrong-guess-hunter2").status_code == 429
        locked = _sign_in(client)
        assert locked.status_code == 429
        assert "Sign-in paused" in locked.content.decode()
        assert "15 minutes" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        # Another address is not locked out.
        assert _sign_in(Client(), address="127.0.0.2").status_code == 302
    assert "hunter2" not in caplog.text and PASSWORD not in caplog.text
    assert "AXES" in caplog.text

    with time_machine.travel(t0 + timedelta(minutes=16), tick=False):
        assert _sign_in(Client()).status_code == 302


def test_lockout_keys_on_the_real_client_address_behind_a_trusted_proxy(staff_member, settings):
    """Behind the practice's proxy, one attacker's wrong passwords lock out their address, not the
    proxy's: a colleague coming through the same proxy still signs in. A forged X-Forwarded-For
    from an untrusted address changes nothing."""
    from ipaddress import ip_network

    settings.TRUSTED_PROXIES = (ip_network("10.0.0.1/32"),)
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(5):
        Client().post(
            reverse("admin:login"),
            {"username": "intake", "password": "wrong-guess", "next": "/desk/"},
            REMOTE_ADDR="10.0.0.1",
            **attacker,
        )
    colleague = Client().post(
        reverse("admin:login"),
        {"username": "intake", "password": PASSWORD, "next": "/desk/"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert colleague.status_code == 302
    locked = Client().post(
        reverse("admin:login"),
        {"username": "intake", "password": PASSWORD, "next": "/desk/"},
        REMOTE_ADDR="10.0.0.1",
        **attacker,
    )
    assert locked.status_code == 429
