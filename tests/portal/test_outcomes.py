"""A provider ends the referrals they hold from the Provider Portal: first session scheduled,
client withdrew, or could not be reached after recorded attempts. Anyone else's is a 404."""

from datetime import timedelta

import pytest

from referrals import services
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor

HOUR = timedelta(hours=1)


@pytest.fixture
def held(make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, now=t0)
    services.accept_referral(referral.pk, ana, actor=Actor("ana"), now=t0 + HOUR)
    return referral


def test_the_holder_records_the_first_session_date(as_provider, held, ana, t0):
    client = as_provider(ana)
    page = client.get("/portal/").content.decode()
    assert "Record first session" in page and "Client withdrew" in page

    response = client.post(
        f"/portal/referrals/{held.pk}/close/",
        {"outcome": "first_session", "first_session_on": "2026-12-09"},
        follow=True,
    )

    held.refresh_from_db()
    assert (held.status, held.outcome, str(held.first_session_on)) == (
        "closed",
        "first_session",
        "2026-12-09",
    )
    assert f"{held.number} closed: first session scheduled" in response.content.decode()
    assert held.number not in client.get("/portal/").content.decode()  # it left the list


def test_a_first_session_without_a_date_is_refused_in_the_services_words(as_provider, held, ana):
    response = as_provider(ana).post(
        f"/portal/referrals/{held.pk}/close/", {"outcome": "first_session"}, follow=True
    )
    assert f"{held.number}: Give the date of the first session." in response.content.decode()
    held.refresh_from_db()
    assert held.status == Referral.Status.ACCEPTED


def test_too_few_attempts_is_refused_in_the_services_words(as_provider, held, ana):
    response = as_provider(ana).post(
        f"/portal/referrals/{held.pk}/close/", {"outcome": "unreachable"}, follow=True
    )
    said = "Record at least 2 attempts to reach the client first (0 so far)."
    assert said in response.content.decode()


def test_could_not_reach_the_client_comes_after_two_recorded_attempts(as_provider, held, ana):
    client = as_provider(ana)
    url = f"/portal/referrals/{held.pk}/close/"
    assert "possible after 2 recorded attempts" in client.get("/portal/").content.decode()

    client.post(url, {"outcome": "unreachable"})
    held.refresh_from_db()
    assert held.status == Referral.Status.ACCEPTED  # refused: no attempts yet

    for note in ("Voicemail", "No answer"):
        client.post(f"/portal/referrals/{held.pk}/attempt/", {"note": note})
    assert "Could not reach the client</button>" in client.get("/portal/").content.decode()
    client.post(url, {"outcome": "unreachable"})

    held.refresh_from_db()
    assert held.outcome == "unreachable"
    assert list(
        held.events.filter(kind=ReferralEvent.Kind.CONTACT_ATTEMPT).values_list("note", flat=True)
    ) == ["Voicemail", "No answer"]


def test_could_not_be_reached_is_a_closing_outcome_only_after_the_recorded_attempts(held, ana):
    from referrals.eligibility import CONTACT_ATTEMPTS_BEFORE_UNREACHABLE, closing_outcomes

    held.refresh_from_db()
    unreachable = Referral.Outcome.UNREACHABLE
    enough = CONTACT_ATTEMPTS_BEFORE_UNREACHABLE
    assert unreachable not in closing_outcomes(held, ana, staff=False, attempts=enough - 1)
    assert unreachable in closing_outcomes(held, ana, staff=False, attempts=enough)
    assert unreachable not in closing_outcomes(held, None, staff=True, attempts=0)


def test_the_holder_may_not_close_with_a_staff_outcome(as_provider, held, ana):
    as_provider(ana).post(
        f"/portal/referrals/{held.pk}/close/", {"outcome": "referred_out", "note": "x"}
    )
    held.refresh_from_db()
    assert held.status == Referral.Status.ACCEPTED


def test_a_referral_the_provider_does_not_hold_answers_404_like_one_that_does_not_exist(
    as_provider, held, make_referral, ben, aetna
):
    available = make_referral(network=aetna)  # visible to Ben, but not his
    client = as_provider(ben)
    for pk in (held.pk, available.pk, 999999):
        for path, data in (("close", {"outcome": "withdrew"}), ("attempt", {"note": "x"})):
            assert client.post(f"/portal/referrals/{pk}/{path}/", data).status_code == 404
    assert not ReferralEvent.objects.filter(kind__in=["closed", "contact_attempt"]).exists()
