"""EMAIL_URL: STARTTLS unless the URL says ?tls=0, on every port including 25."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.email_url import email_settings


@pytest.mark.parametrize(
    ("url", "tls", "ssl", "port"),
    [
        ("smtp://user:pw@smtp.example.com:587", True, False, 587),
        ("smtp://smtp.example.com", True, False, 587),
        ("smtp://relay.internal:25", True, False, 25),
        ("smtp://relay.internal:25?tls=0", False, False, 25),
        ("smtp://relay.internal:2525?tls=false", False, False, 2525),
        ("smtps://user:pw@smtp.example.com", False, True, 465),
    ],
)
def test_starttls_stays_on_unless_the_url_turns_it_off(url, tls, ssl, port):
    settings = email_settings(url)
    assert (settings["EMAIL_USE_TLS"], settings["EMAIL_USE_SSL"], settings["EMAIL_PORT"]) == (
        tls,
        ssl,
        port,
    )


def test_a_url_that_is_not_smtp_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        email_settings("http://smtp.example.com")
