"""A provider sees only what is theirs: every page showing a client, tried as the wrong person.

A referral a person may not see answers exactly like a referral number that does not exist:
same status, same bytes (CSRF tokens aside), so a page is never an oracle for what exists.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from providers.accounts import user_for
from providers.models import Provider
from referrals import services
from referrals.links import make_action_url
from referrals.models import Client as ClientRecord
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor
from tests.names import shows

ACCEPT = "/accept/"
NOBODY = 999_999
_CSRF = re.compile(rb"\b[A-Za-z0-9]{64}\b")  # a masked CSRF token, different in every response


def same_answer(a, b) -> bool:
    """Two responses are the same page: status and body, the per-response CSRF token aside."""
    return a.status_code == b.status_code and _CSRF.sub(b"", a.content) == _CSRF.sub(b"", b.content)


def _situation(name, make_referral, ana, ben, aetna, cigna):
    """A referral Ana may not see, in each of the ways that can happen."""
    if name == "offered to someone else":
        return make_referral(network=aetna, preferred=ben)
    if name == "available outside her network":
        return make_referral(network=cigna)
    if name == "declined by her":
        referral = make_referral(network=aetna, preferred=ana)
        return services.decline_referral(
            referral.pk, ana, reason=ReferralEvent.Reason.UNAVAILABLE, actor=Actor("t")
        )
    if name == "accepted by someone else":
        referral = make_referral(network=aetna)
        return services.accept_referral(referral.pk, ben, actor=Actor("t"))
    raise AssertionError(name)


SITUATIONS = [
    "offered to someone else",
    "available outside her network",
    "declined by her",
    "accepted by someone else",
]


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _wrong_people(ana):
    """Ways of being the wrong person for a referral offered to Ana."""
    user = user_for(ana)
    return {
        "inactive provider": lambda: (
            Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE),
            _signed_in(user),
        )[1],
        "deactivated user": lambda: (
            get_user_model().objects.filter(pk=user.pk).update(is_active=False),
            _signed_in(user),
        )[1],
    }


# The Accept Referral page, by number -------------------------------------------------------


@pytest.mark.parametrize("situation", SITUATIONS)
def test_accept_page_by_number_answers_as_for_no_such_referral(
    situation, as_provider, make_referral, ana, ben, aetna, cigna
):
    referral = _situation(situation, make_referral, ana, ben, aetna, cigna)
    client = as_provider(ana)
    hidden = client.get(ACCEPT, {"referral": referral.pk})
    missing = client.get(ACCEPT, {"referral": NOBODY})
    assert hidden.status_code == 200
    assert same_answer(hidden, missing)
    assert not shows(hidden.content, "Rivera") and referral.number.encode() not in hidden.content


@pytest.mark.parametrize("who", ["inactive provider", "deactivated user"])
def test_accept_page_shuts_out_a_provider_made_inactive_at_their_next_request(
    who, as_provider, make_referral, ana, aetna
):
    referral = make_referral(network=aetna, preferred=ana)
    client = as_provider(ana)
    assert b"Rivera" in client.get(ACCEPT, {"referral": referral.pk}).content
    _wrong_people(ana)[who]()
    hidden = client.get(ACCEPT, {"referral": referral.pk})
    missing = client.get(ACCEPT, {"referral": NOBODY})
    assert same_answer(hidden, missing)
    assert not shows(hidden.content, "Rivera")
    assert hidden.status_code in (302, 403)


def test_accept_page_for_a_stranger_is_sign_in_whatever_the_number(make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    hidden = Client().get(ACCEPT, {"referral": referral.pk})
    missing = Client().get(ACCEPT, {"referral": NOBODY})
    assert hidden.status_code == missing.status_code == 302
    assert hidden["Location"].replace(str(referral.pk), "N") == missing["Location"].replace(
        str(NOBODY), "N"
    )


def test_staff_see_any_referral_by_number(as_staff, make_referral, ben, aetna):
    referral = make_referral(network=aetna, preferred=ben)
    assert b"Sam Rivera" in as_staff.get(ACCEPT, {"referral": referral.pk}).content


# The Accept Referral page, by name ---------------------------------------------------------


def test_name_search_finds_only_what_the_provider_may_see(
    as_provider, make_referral, ana, ben, aetna, cigna
):
    mine = make_referral(network=aetna, preferred=ana)
    for situation in SITUATIONS:
        _situation(situation, make_referral, ana, ben, aetna, cigna)
    page = as_provider(ana).post(ACCEPT, {"last_name": "Rivera"})
    assert page.status_code == 200
    assert [card["referral"].pk for card in page.context["cards"]] == [mine.pk]


def test_name_search_over_hidden_referrals_answers_as_for_no_match(
    as_provider, make_referral, ana, ben, aetna, cigna
):
    for situation in SITUATIONS:
        _situation(situation, make_referral, ana, ben, aetna, cigna)
    client = as_provider(ana)
    hidden = client.post(ACCEPT, {"first_name": "Sam", "last_name": "Rivera"})
    # Now nobody of that name exists at all: the answer must be the same page.
    someone_else = ClientRecord.objects.create(first_name="Jo", last_name="Park")
    Referral.objects.update(client=someone_else)
    missing = client.post(ACCEPT, {"first_name": "Sam", "last_name": "Rivera"})
    assert "Referrals found: 0" in hidden.content.decode()
    assert same_answer(hidden, missing)


def test_staff_name_search_finds_every_referral(as_staff, make_referral, ana, ben, aetna, cigna):
    for situation in SITUATIONS:
        _situation(situation, make_referral, ana, ben, aetna, cigna)
    page = as_staff.post(ACCEPT, {"last_name": "Rivera"})
    assert len(page.context["cards"]) == len(SITUATIONS)


def test_name_search_is_sent_by_post_and_never_lands_in_a_url(as_provider, make_referral, ana):
    make_referral(preferred=ana)
    client = as_provider(ana)
    html = client.get(ACCEPT).content.decode()
    search_form = re.search(r'<form[^>]*role="search"[^>]*>', html).group(0)
    assert 'method="post"' in search_form
    response = client.post(ACCEPT, {"first_name": "Sam", "last_name": "Rivera"}, follow=True)
    assert response.status_code == 200 and "Sam Rivera" in response.content.decode()
    assert response.redirect_chain == []  # the address bar stays at /accept/
    assert response.request["PATH_INFO"] == ACCEPT and not response.request["QUERY_STRING"]


def test_names_in_the_address_bar_are_not_searched(as_provider, make_referral, ana):
    make_referral(preferred=ana)
    page = as_provider(ana).get(ACCEPT, {"last_name": "Rivera"})
    assert page.status_code == 200 and "Sam Rivera" not in page.content.decode()


def test_staff_search_page_query_count(
    as_staff, make_referral, ana, ben, aetna, django_assert_max_num_queries
):
    for _ in range(5):
        make_referral(network=aetna)
    with django_assert_max_num_queries(8):  # one of them records who saw the results
        page = as_staff.post(ACCEPT, {"last_name": "Rivera"})
    assert len(page.context["cards"]) == 5


def test_search_page_query_count(
    as_provider, make_referral, ana, aetna, django_assert_max_num_queries
):
    for _ in range(5):
        make_referral(network=aetna)
    client = as_provider(ana)
    # one of them records who saw the results, one checks this device is still signed in (and
    # reads the provider with it)
    with django_assert_max_num_queries(7):
        page = client.post(ACCEPT, {"last_name": "Rivera"})
    assert len(page.context["cards"]) == 5


# Acting on the Accept Referral page --------------------------------------------------------


def _decision(pk, provider, round_=0, status="accept", reason=""):
    return {
        "referral": pk,
        "round": round_,
        "status": status,
        "reason": reason,
        "provider": provider.pk,
    }


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("status", ["accept", "decline"])
def test_acting_on_a_hidden_referral_answers_as_for_no_such_referral(
    situation, status, as_provider, make_referral, ana, ben, aetna, cigna
):
    referral = _situation(situation, make_referral, ana, ben, aetna, cigna)
    before = (referral.status, referral.round, referral.events.count())
    client = as_provider(ana)
    hidden = client.post(ACCEPT, _decision(referral.pk, ana, referral.round, status, "unavailable"))
    missing = client.post(ACCEPT, _decision(NOBODY, ana, referral.round, status, "unavailable"))
    assert same_answer(hidden, missing)
    assert not shows(hidden.content, "Rivera")
    fresh = Referral.objects.get(pk=referral.pk)
    assert (fresh.status, fresh.round, fresh.events.count()) == before


# The email link, once it no longer applies ---------------------------------------------------


def _path(referral, provider):
    return make_action_url(referral, provider).removeprefix(settings.SITE_URL)


def test_link_of_a_provider_made_inactive_shows_no_client(client, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    path = _path(referral, ana)
    assert b"Sam" in client.get(path).content
    Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE)
    for response in (client.get(path), client.post(path, {"choice": "accept"})):
        assert response.status_code == 409
        assert "inactive" in response.content.decode()
        assert not shows(response.content, "Sam") and not shows(response.content, "Rivera")
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.PENDING


def test_general_referral_link_of_a_provider_since_moved_out_of_network_shows_no_client(
    client, make_referral, ana, aetna, cigna
):
    referral = make_referral(network=aetna)
    path = _path(referral, ana)
    assert b"Sam" in client.get(path).content
    ana.insurance_networks.set([cigna])
    hidden = client.get(path)
    # She may still decline the routing offer made to her (the page offers only that), no more.
    assert hidden.status_code == 200 and b">Accept referral</button>" not in hidden.content
    assert not shows(hidden.content, "Sam") and not shows(hidden.content, "Rivera")
    refused = client.post(path, {"choice": "accept"})
    assert refused.status_code == 409
    assert not shows(refused.content, "Sam") and not shows(refused.content, "Rivera")


@pytest.mark.parametrize("situation", ["accepted by someone else", "declined by her"])
def test_used_link_shows_no_client_details(
    situation, client, make_referral, ana, ben, aetna, cigna
):
    referral = make_referral(network=aetna, preferred=ana)
    path = _path(referral, ana)
    if situation == "accepted by someone else":
        services.decline_referral(
            referral.pk, ana, reason=ReferralEvent.Reason.UNAVAILABLE, actor=Actor("t")
        )
        services.accept_referral(referral.pk, ben, actor=Actor("t"))
    else:
        services.decline_referral(
            referral.pk, ana, reason=ReferralEvent.Reason.UNAVAILABLE, actor=Actor("t")
        )
    page = client.get(path)
    assert page.status_code == 409
    assert not shows(page.content, "Sam") and not shows(page.content, "Rivera")


# The Provider Portal ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["inactive provider", "deactivated user"])
def test_portal_shuts_out_a_provider_made_inactive_at_their_next_request(
    who, as_provider, make_referral, ana, aetna
):
    make_referral(network=aetna, preferred=ana)
    client = as_provider(ana)
    assert b"Rivera" in client.get("/portal/").content
    _wrong_people(ana)[who]()
    page = client.get("/portal/")
    assert page.status_code in (302, 403) and not shows(page.content, "Rivera")


def test_a_signed_in_non_provider_sees_no_client_anywhere(make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    client = _signed_in(get_user_model().objects.create_user("someone"))
    for path in (f"{ACCEPT}?referral={referral.pk}", "/portal/", f"/desk/referrals/{referral.pk}/"):
        assert not shows(client.get(path).content, "Rivera")
    assert not shows(client.post(ACCEPT, {"last_name": "Rivera"}).content, "Rivera")
