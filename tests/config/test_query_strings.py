"""No query string makes any GET page answer 5xx: every page (public, a signed-in provider's,
the staff desk, every admin changelist and change page, the API's GETs) is fuzzed with generated
parameters, its own and odd ones, and must answer with a page, a redirect or a 4xx.

Bounded: a few dozen examples per page, no deadline, so the fast suite stays fast.
"""

import re
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api.models import ApiToken
from notifications.models import OutboxMessage
from providers import services as provider_services
from providers.models import Language, Specialty
from providers.signin_links import request_link, send_requested_links
from referrals.links import make_action_url
from tests.portal.conftest import give_user

EXAMPLES = 20


def _emailed_signin_url(provider) -> str:
    """A real sign-in link, as the worker emails it to the provider."""
    request_link(provider.email, "", timezone.now())
    send_requested_links(timezone.now())
    body = OutboxMessage.objects.filter(template="provider_signin").latest("id").body_text
    return re.search(r"http\S+/signin/\S+", body).group(0).removeprefix(django_settings.SITE_URL)


ODD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e400",
    "99999999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "0001-01-02",
    "2026-02-30",
    "2026-13-45",
    "9999",
    "10000",
    "R-00001",
    "R-99999999999999999999",
    "self",
    "null",
    "true",
    "-created_at",
    "1.2.3",
    "-",
    "x" * 500,
    "é",
    "José",
    "O’Neil",
    "\x00",
    "\ud800",
    "<script>",
    "' OR 1=1 --",
    "%",
    "%ZZ",
    "a\nb",
    "//evil.example/",
    "https://evil.example/",
]

# Parameters the pages and admin read; each request mixes some of these with random names.
KNOWN_NAMES = [
    "q",
    "o",
    "p",
    "e",
    "all",
    "page",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "start",
    "end",
    "kind",
    "network",
    "status",
    "provider",
    "age",
    "referral",
    "choice",
    "first_name",
    "last_name",
    "specialty",
    "language",
    "next",
    "token",
    "created_at__year",
    "created_at__month",
    "created_at__day",
    "at__year",
    "at__month",
    "at__day",
    "created_at__gte",
    "created_at__lt",
    "at__gte",
    "at__lt",
    "status__exact",
    "kind__exact",
    "reason__exact",
    "channel__exact",
    "template__exact",
    "revoked__exact",
    "consent_sms__exact",
    "insurance_network__id__exact",
    "insurance_network__isnull",
    "insurance_networks__id__exact",
    "specialties__id__exact",
    "languages__id__exact",
    "id__in",
    "pk",
    "client__last_name",
]

values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=30),
    st.integers().map(str),
    st.dates().map(str),
)
names = st.one_of(st.sampled_from(KNOWN_NAMES), st.text(min_size=1, max_size=15))
pairs = st.lists(st.tuples(names, values), max_size=6)
raw = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
# Each page is also asked these, which once answered 500 somewhere.
KNOWN_BAD = [
    "end=9999-12-31",
    "end=0001-01-02",
    "start=0001-01-01&end=9999-12-31",
    "created_at__year=9999&created_at__month=12&created_at__day=31",
    "at__year=9999&at__month=12",
    "o=99.-99",
    "p=99999999999999999999",
    "page=-1",
]
queries = st.one_of(
    pairs.map(lambda ps: urlencode(ps, encoding="utf-8", errors="surrogatepass")), raw
)


@pytest.fixture
def world(db, make_referral, ana, aetna):
    """One of everything, so change pages and filters have rows to show."""
    referral = make_referral(network=aetna, preferred=ana)
    make_referral()
    provider_services.propose_profile_change(ana, bio="A new bio.")
    Specialty.objects.create(name="Anxiety")
    Language.objects.create(name="Spanish")
    ApiToken.issue("website")
    return {"referral": referral, "ana": ana}


def _anonymous_pages(world):
    referral, ana = world["referral"], world["ana"]
    return [
        "/",
        reverse("referrals:intake"),
        reverse("referrals:intake_done"),
        make_action_url(referral, ana),
        reverse("referrals:link", args=["not-a-token"]),
        reverse("providers:signin"),
        _emailed_signin_url(ana),
        reverse("providers:signin_link", args=["not-a-token"]),
        reverse("providers:directory"),
        reverse("providers:profile", args=[ana.pk]),
        reverse("providers:photo", args=[ana.pk]),
        "/api/docs",
        "/api/openapi.json",
    ]


def _provider_pages(world):
    return [
        reverse("portal:home"),
        reverse("portal:profile"),
        reverse("referrals:accept"),
    ]


def _staff_pages(world):
    referral = world["referral"]
    pages = [
        reverse("desk:queue"),
        reverse("desk:timeline", args=[referral.pk]),
        reverse("desk:analytics"),
        reverse("desk:export"),
        reverse("referrals:accept"),
        reverse("admin:index"),
    ]
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"admin:{info}_changelist"))
        pages.append(reverse(f"admin:{info}_add"))
        first = model.objects.first()
        if first is not None:
            pages.append(reverse(f"admin:{info}_change", args=[first.pk]))
            pages.append(reverse(f"admin:{info}_history", args=[first.pk]))
    return pages


API_PAGES = ["/api/networks", "/api/providers", "/api/referrals/{number}"]


def _known_bad(test):
    for query in KNOWN_BAD:
        test = example(query=query)(test)
    return test


def _fuzz(client, path, **headers):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(query=queries)
    @_known_bad
    def request_with(query):
        try:
            response = client.get(f"{path}?{query}", headers=headers)
            if response.streaming:
                b"".join(response.streaming_content)
        except Exception as exc:
            raise AssertionError(f"GET {path}?{query} raised {exc!r}") from exc
        assert response.status_code < 500, (path, query, response.status_code)

    request_with()


def test_public_pages_answer_any_query_string_without_a_server_error(world):
    for path in _anonymous_pages(world):
        _fuzz(Client(), path)


def test_provider_pages_answer_any_query_string_without_a_server_error(world):
    client = Client()
    client.force_login(give_user(world["ana"]))
    for path in _provider_pages(world):
        _fuzz(client, path)


# A naive date in an admin date filter is a warning in production (Django then makes it aware);
# only this suite turns warnings into errors.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_staff_and_admin_pages_answer_any_query_string_without_a_server_error(world):
    staff = get_user_model().objects.create_superuser("intake", password="x")
    client = Client()
    client.force_login(staff)
    for path in _staff_pages(world):
        _fuzz(client, path)


def test_api_gets_answer_any_query_string_without_a_server_error(world):
    _, secret = ApiToken.issue("fuzz")
    number = world["referral"].number
    for path in API_PAGES:
        _fuzz(Client(), path.format(number=number), Authorization=f"Bearer {secret}")


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("intake", password="x"))
    return client


def test_admin_date_lookup_beyond_the_calendar_goes_back_to_the_list(staff_client, world):
    url = reverse("admin:referrals_referral_changelist")
    response = staff_client.get(url, {"created_at__year": "9999", "created_at__month": "12"})
    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")
    assert staff_client.get(url, {"created_at__year": "-338"})["Location"] == f"{url}?e=1"


def test_admin_change_page_with_an_empty_to_field_is_a_bad_request(staff_client, world):
    url = reverse("admin:referrals_referral_change", args=[world["referral"].pk])
    assert staff_client.get(url, {"_to_field": ""}).status_code == 400
    assert staff_client.get(url).status_code == 200
