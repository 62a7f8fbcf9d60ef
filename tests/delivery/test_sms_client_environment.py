"""The SMS client reads the proxy settings from the environment once, when it is built, not on
every text (requests scanned all of os.environ twice per request, about 40% of a text's CPU); the
variables still count: a proxy applies, and NO_PROXY still exempts its hosts."""

import pytest
import requests.sessions

from notifications.clients import build_transport, twilio_client
from notifications.dispatcher import drain_channel
from tests.delivery.batches import queue_batch, received

pytestmark = pytest.mark.django_db(transaction=True)


def test_texts_do_not_read_the_environment_each_time(channels, monkeypatch):
    reads = []
    real = requests.sessions.get_environ_proxies
    monkeypatch.setattr(
        requests.sessions, "get_environ_proxies", lambda *a, **k: reads.append(a) or real(*a, **k)
    )
    queue_batch("sms", size=4)

    assert drain_channel(build_transport("sms")) == 4

    assert len(reads) <= 1  # when the client was built, not once per text
    assert len(received(channels, "sms")) == 4


def test_the_environment_still_chooses_the_proxy(channels, settings, monkeypatch):
    settings.TWILIO_API_URL = "https://api.twilio.com"
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert twilio_client().http_client.session.proxies["https"] == "http://proxy.internal:3128"

    monkeypatch.setenv("NO_PROXY", "api.twilio.com")
    assert "https" not in twilio_client().http_client.session.proxies
