"""Shared fixtures. No test touches the internet: a guard refuses any non-loopback connection."""

import os
import socket
from datetime import UTC, datetime

import hypothesis
import pytest
from django.core.cache import cache

from notifications.transports import development
from providers.models import InsuranceNetwork, Provider
from referrals import services
from referrals.services import Actor, ClientDetails

# In CI the property-based tests (query-string fuzz, names, the API schema) try the same examples
# every run, so a landing never depends on a random draw; on a developer's machine they explore.
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")

_real_connect = socket.socket.connect
_LOOPBACK = ("127.", "::1", "localhost")


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not host.startswith(_LOOPBACK) and self.family != socket.AF_UNIX:
        raise RuntimeError(f"tests must not touch the network (tried {host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def no_internet():
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(autouse=True)
def clear_development_outbox():
    development.delivered.clear()
    yield
    development.delivered.clear()


@pytest.fixture(autouse=True)
def clear_cache(request):
    """Throttle counters start at zero in every test. They live in a database table (the default
    cache), so only a test that has a database has any; it is set up first, then cleared."""
    if "_django_db_helper" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
        cache.clear()


T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def t0():
    """A fixed instant (UTC) that tests move forward from."""
    return T0


@pytest.fixture
def aetna(db):
    return InsuranceNetwork.objects.create(name="Aetna")


@pytest.fixture
def cigna(db):
    return InsuranceNetwork.objects.create(name="Cigna")


def make_provider(first="Ana", last="Lee", email=None, phone="+12012230001", networks=(), **kw):
    provider = Provider.objects.create(
        first_name=first,
        last_name=last,
        email=email or f"{first.lower()}.{last.lower()}@example.com",
        phone=phone,
        **kw,
    )
    provider.insurance_networks.set(networks)
    return provider


@pytest.fixture
def provider_factory(db):
    return make_provider


@pytest.fixture
def ana(db, aetna):
    return make_provider("Ana", "Lee", networks=[aetna], slack_user_id="U0ANA")


@pytest.fixture
def ben(db, aetna):
    return make_provider("Ben", "Okafor", phone="+12012230002", networks=[aetna])


CLIENT = ClientDetails(
    first_name="Sam",
    last_name="Rivera",
    email="sam.rivera@example.org",
    phone="+12019870001",
    consent_sms=False,
)


def another_person(n: int) -> ClientDetails:
    """CLIENT's details with the n-th other email and phone: a different person to the desk."""
    return ClientDetails(
        **{
            **CLIENT.__dict__,
            "email": f"sam.rivera+{n}@example.org",
            "phone": f"+1201876{n % 10000:04d}",
        }
    )


@pytest.fixture
def client_details():
    return CLIENT


@pytest.fixture
def make_referral(db):
    """`make(...)`: a referral by the intake form's rules. Without `client`, the first is Sam
    Rivera's (CLIENT) and each later one another person's (a numbered email and phone), since the
    same person asking again while their referral is open makes no new one."""
    made = []

    def make(network=None, preferred=None, now=None, client=None):
        if client is None:
            n = len(made)
            client = CLIENT if n == 0 else another_person(n)
        made.append(1)
        return services.create_referral(
            client=client,
            insurance_network=network,
            preferred_provider=preferred,
            actor=Actor("test"),
            now=now,
        )

    return make


@pytest.fixture
def routing_off(settings):
    """ROUTING=off: the policy's plain behaviour (no waves; a General referral waits in Slack).
    The tests that use it describe that behaviour exactly, so they also prove the switch."""
    settings.ROUTING = False
