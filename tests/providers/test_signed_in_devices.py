"""Staying signed in on your own device, seeing your signed-in devices and signing them out.

Each browser here signs in the way a provider does: asks for a link on the sign-in page, the
worker emails it, the browser opens it and presses the button.
"""

import re
from datetime import timedelta
from itertools import count

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from notifications.models import OutboxMessage
from providers import devices
from providers.models import AvailabilityChange, Provider, ProviderDevice
from providers.services import set_provider_status
from providers.signin_links import send_requested_links
from referrals.services import Actor

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)
_addresses = count(1)
THIRTY_DAYS = 30 * 24 * 3600


def signed_in(provider, *, keep=False, ua=LAPTOP) -> Client:
    browser = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=f"203.0.113.{next(_addresses)}")
    browser.get("/signin/")
    data = {"email": provider.email}
    if keep:
        data["keep_signed_in"] = "on"
    assert browser.post("/signin/", data).status_code == 200
    send_requested_links(timezone.now())
    email = OutboxMessage.objects.filter(template="provider_signin").latest("pk")
    url = re.search(r"http\S+/signin/\S+/", email.body_text).group(0)
    response = browser.post(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 302, response.content
    return browser


def is_signed_in(browser: Client) -> bool:
    return browser.get("/portal/").status_code == 200


def _cookie_max_age(browser: Client) -> int:
    return int(browser.cookies[settings.SESSION_COOKIE_NAME]["max-age"])


def test_ticking_keep_me_signed_in_keeps_this_device_signed_in_for_30_days(ana):
    browser = signed_in(ana, keep=True)

    assert abs(browser.session.get_expiry_age() - THIRTY_DAYS) < 60
    # the cookie the browser got lasts as long (set by the sign-in response)
    response = browser.get("/portal/")
    assert response.status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert is_signed_in(browser)
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert not is_signed_in(browser)


def test_the_sign_in_cookie_for_a_kept_session_lasts_30_days(ana):
    browser = Client(HTTP_USER_AGENT=PHONE)
    browser.get("/signin/")
    browser.post("/signin/", {"email": ana.email, "keep_signed_in": "on"})
    send_requested_links(timezone.now())
    email = OutboxMessage.objects.get(template="provider_signin")
    url = re.search(r"http\S+/signin/\S+/", email.body_text).group(0)
    response = browser.post(url.removeprefix(settings.SITE_URL))

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert abs(int(cookie["max-age"]) - THIRTY_DAYS) < 60


def test_unticked_the_session_lasts_as_before(ana):
    browser = signed_in(ana, keep=False)

    assert browser.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert _cookie_max_age(browser) == settings.SESSION_COOKIE_AGE
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        assert not is_signed_in(browser)


def test_the_sign_in_page_offers_to_keep_me_signed_in_unticked(client, db):
    page = client.get("/signin/").content.decode()
    assert "Keep me signed in on this device for 30 days" in page
    checkbox = re.search(r"<input[^>]*name=\"keep_signed_in\"[^>]*>", page).group(0)
    assert "checked" not in checkbox


def test_my_devices_lists_each_signed_in_device_and_marks_this_one(
    ana, django_assert_max_num_queries
):
    signed_in(ana, ua=PHONE)
    laptop = signed_in(ana, ua=LAPTOP)
    signed_in(ana, ua=MAC)
    laptop.get("/portal/")  # shows the "signed in" note once, which writes the session

    # session, user, this device with the provider (one query; also the menu's, base.html),
    # devices
    with django_assert_max_num_queries(4):
        page = laptop.get("/portal/devices/")
    text = page.content.decode()

    assert page.status_code == 200
    assert "Chrome on Android" in text
    assert "Firefox on Windows" in text
    assert "Safari on macOS" in text
    assert text.count("This device") == 1
    this = re.search(r"<li[^>]*>(?:(?!</li>).)*This device(?:(?!</li>).)*</li>", text, re.S)
    assert "Firefox on Windows" in this.group(0)
    assert "Sign out everywhere else" in text


def test_signing_a_device_out_ends_that_session_on_its_next_request(ana):
    phone = signed_in(ana, ua=PHONE)
    laptop = signed_in(ana, ua=LAPTOP)
    assert is_signed_in(phone)
    device = ProviderDevice.objects.get(browser="Chrome")

    response = laptop.post(f"/portal/devices/{device.pk}/sign-out/")

    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert phone.get("/portal/").url.startswith("/signin/")
    assert is_signed_in(laptop)


def test_signing_out_is_a_post_with_csrf(ana):
    signed_in(ana, ua=PHONE)
    laptop = signed_in(ana, ua=LAPTOP)
    laptop_strict = Client(enforce_csrf_checks=True)
    laptop_strict.cookies = laptop.cookies
    device = ProviderDevice.objects.get(browser="Chrome")

    assert laptop.get(f"/portal/devices/{device.pk}/sign-out/").status_code == 405
    assert laptop_strict.post(f"/portal/devices/{device.pk}/sign-out/").status_code == 403
    assert ProviderDevice.objects.get(pk=device.pk).signed_out_at is None


def test_sign_out_everywhere_else_keeps_only_this_device(ana):
    phone = signed_in(ana, ua=PHONE)
    mac = signed_in(ana, ua=MAC)
    laptop = signed_in(ana, ua=LAPTOP)

    assert laptop.post("/portal/devices/sign-out-others/").status_code == 302

    assert not is_signed_in(phone)
    assert not is_signed_in(mac)
    assert is_signed_in(laptop)
    listed = laptop.get("/portal/devices/").content.decode()
    assert "Chrome on Android" not in listed


def test_another_provider_cannot_sign_out_someone_elses_device(ana, ben):
    phone = signed_in(ana, ua=PHONE)
    intruder = signed_in(ben, ua=LAPTOP)
    device = ProviderDevice.objects.get(user__provider=ana)

    assert intruder.post(f"/portal/devices/{device.pk}/sign-out/").status_code == 404
    assert intruder.post("/portal/devices/999999/sign-out/").status_code == 404
    assert is_signed_in(phone)
    assert "Chrome on Android" not in intruder.get("/portal/devices/").content.decode()


def test_signing_out_here_marks_this_device_signed_out(ana):
    laptop = signed_in(ana, ua=LAPTOP)
    laptop.post("/signout/")
    assert ProviderDevice.objects.get().signed_out_at is not None


def test_a_session_without_a_device_record_is_refused(ana):
    """Sessions are tied to a device row; a session whose row is gone signs in no one."""
    laptop = signed_in(ana)
    ProviderDevice.objects.all().delete()
    assert not is_signed_in(laptop)


def test_last_seen_is_refreshed_at_most_every_few_minutes(ana, django_assert_num_queries):
    laptop = signed_in(ana)
    first = ProviderDevice.objects.get().last_seen_at
    laptop.get("/portal/devices/")
    assert ProviderDevice.objects.get().last_seen_at == first
    later = timezone.now() + devices.REFRESH_EVERY + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        laptop.get("/portal/devices/")
    assert ProviderDevice.objects.get().last_seen_at > first


def test_the_session_key_itself_is_never_stored(ana):
    laptop = signed_in(ana)
    key = laptop.session.session_key
    device = ProviderDevice.objects.get()
    assert key not in device.session_key_hash
    assert device.session_key_hash == devices.key_hash(key)


# --- staff ------------------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    client = Client()
    client.force_login(get_user_model().objects.create_user("intake", is_staff=True))
    return client


def test_staff_sign_a_provider_out_everywhere_from_the_desk(ana, staff):
    phone = signed_in(ana, ua=PHONE)
    laptop = signed_in(ana, ua=LAPTOP)

    page = staff.get("/desk/providers/").content.decode()
    assert f"/desk/providers/{ana.pk}/sign-out-everywhere/" in page
    response = staff.post(f"/desk/providers/{ana.pk}/sign-out-everywhere/")

    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)
    event = AvailabilityChange.objects.get(provider=ana, field="signed_out_everywhere")
    assert event.actor_label == "intake"
    assert staff.get("/desk/providers/").status_code == 200


def test_staff_sign_out_everywhere_is_post_only_and_404_for_no_provider(ana, staff):
    assert staff.get(f"/desk/providers/{ana.pk}/sign-out-everywhere/").status_code == 405
    assert staff.post("/desk/providers/999999/sign-out-everywhere/").status_code == 404


def test_a_provider_cannot_use_the_staff_sign_out_everywhere(ana, ben):
    phone = signed_in(ana, ua=PHONE)
    other = signed_in(ben)
    other.post(f"/desk/providers/{ana.pk}/sign-out-everywhere/")
    assert is_signed_in(phone)


def test_staff_sign_a_provider_out_everywhere_from_admin(ana, db):
    phone = signed_in(ana, ua=PHONE)
    admin = Client()
    admin.force_login(
        get_user_model().objects.create_superuser("boss", email="boss@example.com", password="x")
    )

    response = admin.post(
        "/admin/providers/provider/",
        {"action": "sign_out_everywhere", "_selected_action": [ana.pk]},
    )

    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert AvailabilityChange.objects.filter(
        provider=ana, field="signed_out_everywhere", actor_label="boss"
    ).exists()


def test_being_made_inactive_signs_the_provider_out_everywhere(ana):
    phone = signed_in(ana, ua=PHONE)
    laptop = signed_in(ana, ua=LAPTOP)

    set_provider_status(ana, Provider.Status.INACTIVE, actor=Actor("staff"))

    # signed out, not merely refused: the next page asks them to sign in
    assert phone.get("/portal/").url.startswith("/signin/")
    assert laptop.get("/portal/").url.startswith("/signin/")
    assert not ProviderDevice.objects.filter(signed_out_at__isnull=True).exists()
    assert AvailabilityChange.objects.filter(provider=ana, field="signed_out_everywhere").exists()


@pytest.mark.parametrize(
    ("ua", "browser", "os"),
    [
        (PHONE, "Chrome", "Android"),
        (LAPTOP, "Firefox", "Windows"),
        (MAC, "Safari", "macOS"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari",
            "iOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge",
            "Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox",
            "Linux",
        ),
        ("", "", ""),
        ("curl/8.5.0", "", ""),
    ],
)
def test_the_device_is_named_by_browser_and_system(ua, browser, os):
    assert devices.describe_agent(ua) == (browser, os)
