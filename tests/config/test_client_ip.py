"""The client address every throttle keys on: X-Forwarded-For is believed only from our proxies."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from config.client_ip import client_ip, parse_trusted_proxies

PROXY = "10.0.0.5"


def _request(remote=PROXY, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/24, 192.0.2.1")


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = ()
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(behind_proxy):
    assert client_ip(_request(PROXY, "203.0.113.7")) == "203.0.113.7"


def test_a_forged_header_from_the_client_is_not_believed(behind_proxy):
    # The client sent "X-Forwarded-For: 198.51.100.1"; our proxy appended the real address.
    assert client_ip(_request(PROXY, "198.51.100.1, 203.0.113.7")) == "203.0.113.7"


def test_the_walk_passes_every_trusted_hop_from_the_right(behind_proxy):
    assert client_ip(_request(PROXY, "203.0.113.7, 192.0.2.1, 10.0.0.9")) == "203.0.113.7"


def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address(behind_proxy):
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_garbage_in_the_header_stops_the_walk_at_the_last_real_hop(behind_proxy):
    assert client_ip(_request(PROXY, "not-an-ip")) == PROXY
    assert client_ip(_request(PROXY, "")) == PROXY


def test_ipv4_mapped_ipv6_is_the_ipv4_address(settings):
    settings.TRUSTED_PROXIES = ()
    assert client_ip(_request("::ffff:203.0.113.7")) == "203.0.113.7"


def test_trusted_proxies_accepts_addresses_and_ranges():
    networks = parse_trusted_proxies(" 10.0.0.0/8,192.0.2.1 , ,2001:db8::/32")
    assert [str(n) for n in networks] == ["10.0.0.0/8", "192.0.2.1/32", "2001:db8::/32"]
    assert parse_trusted_proxies("") == ()


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.internal", "10.0.0.1;10.0.0.2"])
def test_a_bad_trusted_proxies_value_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        parse_trusted_proxies(value)
