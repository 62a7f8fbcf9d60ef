"""The intake and accept paths make the fewest database round trips the rules allow (issue 12 §1).

Each count is exact, so a query that creeps in (a loop, a second read of the same row, one
INSERT per outbox message) fails here. The counts are those of the test database, where every
transaction is a savepoint inside the test's own; the comments say what each query is for.
"""

import pytest
from django.conf import settings

from api.models import ApiToken
from referrals import services
from referrals.links import make_action_url
from referrals.models import Referral
from tests.api.conftest import ApiClient
from tests.names import shows

INTAKE = "/referrals/new/"
ACCEPT = "/accept/"
# The intake limit's counter: one statement (an INSERT that updates an existing row in place and
# returns the count), the same for the first hit and every later one; the database cache cost 6
# (rows counted, savepoint, read, write, release).
THROTTLE = 1
SESSION_WRITE = 4  # the thanks page's session: exists?, savepoint, insert, release

# A Preferred Provider referral: the provider held, the person's open referral looked for, is the
# provider in the client's network?, client, referral, event, and the four first messages in one
# INSERT.
MAKE_PREFERRED = 9  # savepoint, provider, open referral?, in network?, client, referral, event,
# outbox, release


@pytest.fixture
def form(aetna):
    return {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "phone": "(201) 234-5678",
        "insurance": str(aetna.pk),
        "preferred_provider": "",
    }


@pytest.fixture
def body(aetna, ana):
    return {
        "first_name": "Sam",
        "last_name": "Rivera",
        "email": "sam.rivera@example.org",
        "phone": "(201) 234-5678",
        "consent_sms": False,
        "insurance_network": aetna.pk,
        "preferred_provider_id": ana.pk,
    }


@pytest.fixture
def api(db):
    token, secret = ApiToken.issue("website")
    client = ApiClient(secret)
    client.get("/api/networks")  # the token's "last used" is written at most once a minute
    return client


def test_intake_form_post_reads_its_choices_once(client, form, ana, django_assert_num_queries):
    # the networks (the chosen one taken from them) and the chosen provider; the list of every
    # provider is not read, as the page that would show it is not rendered. The form's own "is
    # the chosen provider in the chosen network?" went (review3): the service asks it, once.
    with django_assert_num_queries(THROTTLE + 2 + MAKE_PREFERRED + SESSION_WRITE):
        response = client.post(INTAKE, {**form, "preferred_provider": str(ana.pk)})
    assert response.status_code == 302
    assert Referral.objects.get().messages.count() == 4


def test_api_create_makes_one_transaction_without_a_nested_savepoint(
    api, body, django_assert_num_queries
):
    # token, throttle, network, provider, the referral
    with django_assert_num_queries(1 + THROTTLE + 2 + MAKE_PREFERRED):
        response = api.post("/api/referrals", body)
    assert response.status_code == 201


def test_api_create_with_an_idempotency_key_records_it_with_one_conditional_insert(
    api, body, django_assert_num_queries
):
    # token, throttle, the key's earlier answer?, network, provider, the referral + the key
    with django_assert_num_queries(1 + THROTTLE + 1 + 2 + MAKE_PREFERRED + 1):
        response = api.post("/api/referrals", body, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201
    # a retry is answered from the record (the limit's counter now exists: the same statement):
    # the key, then the referral it made (read apart so a first request's lookup of its key,
    # the usual case, does not join the referral: that join cost it about 3 ms of CPU)
    with django_assert_num_queries(1 + THROTTLE + 2):
        again = api.post("/api/referrals", body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"


SIGNED_IN = 3  # session, user, this device still signed in with the provider the user is (one
# query since issue 12's third round: the provider was a fourth)
# referral locked, provider re-read, offers closed, referral, event, both messages in one
# INSERT. A referral waiting for one provider has no routing offer to read (`eligibility.
# live_offer` reads offers only of an available referral), and its "eligible?" is answered from
# those rows (offered to this provider, active); an available one's asks more (below).
ACCEPTING = 2 + 6


def test_accept_on_the_accept_referral_page(
    as_provider, make_referral, ana, aetna, django_assert_num_queries
):
    referral = make_referral(network=aetna, preferred=ana)
    browser = as_provider(ana)
    decision = {"referral": referral.pk, "round": referral.round, "status": "accept"}
    # + did they lose a race? (no: the referral is not accepted). "May they see it?" is asked
    # only if the accept is refused (accepting succeeds only for one they may see): it went in
    # issue 12's third round. The provider chosen is the one signed in, read already
    # (SIGNED_IN), not read again.
    with django_assert_num_queries(SIGNED_IN + 1 + ACCEPTING):
        response = browser.post(ACCEPT, {**decision, "provider": ana.pk})
    assert response.status_code == 302
    assert Referral.objects.get().status == Referral.Status.ACCEPTED


@pytest.mark.usefixtures("routing_off")  # open to every provider in its network, as in the race
def test_accept_of_an_available_referral_on_the_accept_referral_page(
    as_provider, make_referral, ana, aetna, django_assert_num_queries
):
    referral = make_referral(network=aetna)
    browser = as_provider(ana)
    decision = {"referral": referral.pk, "round": referral.round, "status": "accept"}
    # as above, + their live routing offer, if any (`eligibility.live_offer`), + eligible? (in
    # its network and not declined: one query; taking new referrals is asked of the provider's
    # row, re-read under the lock, with no weekly limit set)
    with django_assert_num_queries(SIGNED_IN + 1 + ACCEPTING + 2):
        response = browser.post(ACCEPT, {**decision, "provider": ana.pk})
    assert response.status_code == 302
    assert Referral.objects.get().accepted_by == ana


def test_accept_by_the_emailed_link(client, make_referral, ana, aetna, django_assert_num_queries):
    referral = make_referral(network=aetna, preferred=ana)
    path = make_action_url(referral, ana).removeprefix(settings.SITE_URL)
    # referral, provider + the view of the client's details shown, logged. "May they see it?"
    # went (review3): a pressed button goes straight to the service, which decides and says why.
    with django_assert_num_queries(2 + ACCEPTING + 1):
        response = client.post(path, {"choice": "accept"})
    assert response.status_code == 200
    assert Referral.objects.get().status == Referral.Status.ACCEPTED


def test_a_refused_accept_answers_without_rebuilding_the_page(
    as_provider, make_referral, ana, ben, aetna, django_assert_num_queries
):
    referral = make_referral(network=aetna)
    seen = referral.round
    services.accept_referral(referral.pk, ana, actor=services.Actor("t"))
    browser = as_provider(ben)
    decision = {"referral": referral.pk, "round": seen, "status": "accept", "provider": ben.pk}
    # + did they lose a race (accepted in the round they saw, by another, in their network and
    # not declined by them: one query): yes, so "may they see it?" is not asked (a referral
    # another provider accepted never is theirs), nor the provider chosen (the one signed in,
    # read already): 9 queries before issue 12's race, 7 after its first round, 6 after its
    # second (network and declines asked together), 4 now (the provider read with the device,
    # the race asked in one query).
    with django_assert_num_queries(SIGNED_IN + 1):
        response = browser.post(ACCEPT, decision)
    assert response.status_code == 409
    html = response.content.decode()
    assert "already been accepted by another provider" in html
    assert not shows(html, "Sam") and "Referrals found" not in html
