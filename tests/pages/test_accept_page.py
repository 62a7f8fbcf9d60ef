"""The Accept Referral page, in the practice's words, through Django's test client."""

import pytest
from django.test import Client

from referrals import services
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor
from tests.pages.conftest import outbox

URL = "/accept/"


def _decision(referral, provider, status="accept", reason="", round_=None):
    return {
        "referral": referral.pk,
        "round": referral.round if round_ is None else round_,
        "status": status,
        "reason": reason,
        "provider": provider.pk,
    }


def test_signed_out_visitors_are_sent_to_sign_in(db):
    response = Client().get(f"{URL}?referral=1")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/accept/%3Freferral%3D1"


def test_search_by_first_and_last_name_ignores_case_and_spaces(
    as_provider, ana, make_referral, aetna
):
    referral = make_referral(network=aetna)
    page = as_provider(ana).post(URL, {"first_name": "  sAM ", "last_name": "rivera"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Referrals found: 1" in html
    assert referral.number in html and "General referral" in html and "Aetna" in html
    assert "Received</dt><dd><time" in html
    for words in ("First name", "Last name", "Referral status", "Provider"):
        assert words in html
    assert '<option value="accept" selected>Accept</option>' in html
    assert '<option value="decline">Decline</option>' in html
    assert ">Accept Referral</span>" in html


def test_search_finds_nothing_for_another_name(as_provider, ana, make_referral):
    make_referral()
    html = as_provider(ana).post(URL, {"first_name": "Sam", "last_name": "Other"}).content.decode()
    assert "Referrals found: 0" in html


def test_empty_search_asks_for_a_name(as_provider, ana):
    html = as_provider(ana).post(URL, {"first_name": "", "last_name": " "}).content.decode()
    assert "Enter the client" in html


def test_slack_link_opens_the_page_on_that_referral(as_provider, ana, make_referral):
    from referrals.notify import accept_page_url

    referral = make_referral(preferred=ana)
    path = accept_page_url(referral).split("8000", 1)[-1]
    html = as_provider(ana).get(path).content.decode()
    assert referral.number in html and "Sam Rivera" in html


def test_provider_requested_lists_only_the_signed_in_provider(as_provider, ana, ben, make_referral):
    make_referral()
    html = as_provider(ana).post(URL, {"last_name": "Rivera"}).content.decode()
    assert "Ana Lee" in html and "Ben Okafor" not in html


def test_provider_accepts_and_sees_success(as_provider, ana, make_referral, aetna):
    referral = make_referral(network=aetna)
    client = as_provider(ana)
    response = client.post(URL, _decision(referral, ana))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana
    event = referral.events.get(kind=ReferralEvent.Kind.ACCEPTED)
    assert event.actor == ana.user and event.actor_label == "ana.lee@example.com"
    html = client.get(response["Location"]).content.decode()
    assert f"Referral {referral.number} accepted for Ana Lee" in html
    assert "+12019870001" in html  # the holder now sees how to reach the client
    assert len(outbox("referral_accepted", "slack")) == 1


def test_preferred_provider_declines_as_unavailable(as_provider, ana, make_referral):
    referral = make_referral(preferred=ana)
    response = as_provider(ana).post(
        URL, _decision(referral, ana, "decline", ReferralEvent.Reason.UNAVAILABLE), follow=True
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.events.get(kind="declined").reason == "unavailable"
    assert "declined for Ana Lee" in response.content.decode()
    assert len(outbox("decline_notice")) == 1


def test_holder_declines_after_contact_not_a_fit(as_provider, ana, make_referral):
    referral = make_referral()
    referral = services.accept_referral(referral.pk, ana, actor=Actor("t"))
    client = as_provider(ana)
    client.post(URL, _decision(referral, ana, "decline", ReferralEvent.Reason.NOT_A_FIT))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.events.get(kind="declined").reason == "not_a_fit"


def test_declining_needs_a_reason(as_provider, ana, make_referral):
    referral = make_referral(preferred=ana)
    response = as_provider(ana).post(URL, _decision(referral, ana, "decline", ""))
    assert response.status_code == 400
    assert "Choose why you are declining" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_provider_cannot_act_for_another_provider(as_provider, ana, ben, make_referral):
    referral = make_referral()
    response = as_provider(ana).post(URL, _decision(referral, ben))
    assert response.status_code == 403
    assert "only for yourself (Ana Lee)" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert not referral.events.filter(kind="accepted").exists()


def test_staff_act_for_any_provider(as_staff, ben, make_referral, staff_user):
    referral = make_referral()
    response = as_staff.post(URL, _decision(referral, ben))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.accepted_by == ben
    assert referral.events.get(kind="accepted").actor == staff_user


def test_staff_accepting_for_a_provider_away_are_told_they_are_away(as_staff, ben, make_referral):
    from django.utils import timezone

    from providers.services import set_availability

    referral = make_referral()  # open to every provider
    today = timezone.localdate()
    set_availability(ben, actor=Actor("t"), away_from=today, away_until=today)
    response = as_staff.post(URL, _decision(referral, ben))
    assert response.status_code == 409
    page = response.content.decode()
    assert "not taking new referrals now (Away, back on" in page
    assert "insurance network" not in page
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE


def test_staff_see_every_provider_in_provider_requested(as_staff, ana, ben, make_referral):
    make_referral()
    html = as_staff.post(URL, {"last_name": "Rivera"}).content.decode()
    assert "Ana Lee" in html and "Ben Okafor" in html


def test_second_provider_is_told_it_was_already_accepted(as_provider, ana, ben, make_referral):
    referral = make_referral()
    page_seen_by_ben = referral.round
    services.accept_referral(referral.pk, ana, actor=Actor("t"))
    response = as_provider(ben).post(URL, _decision(referral, ben, round_=page_seen_by_ben))
    assert response.status_code == 409
    assert "already been accepted by another provider" in response.content.decode()
    referral.refresh_from_db()
    assert referral.accepted_by == ana


def test_a_refused_click_answers_with_the_refusal_and_a_link_to_the_search_only(
    as_provider, ana, ben, make_referral
):
    referral = make_referral()
    services.accept_referral(referral.pk, ana, actor=Actor("t"))
    response = as_provider(ben).post(URL, _decision(referral, ben, round_=referral.round))
    html = response.content.decode()
    assert response.status_code == 409
    assert "already been accepted by another provider" in html
    assert f'<a href="{URL}">Search for the client</a>' in html
    assert "<input" not in html.split('<main id="main">')[1]  # no form to build: a link to it


def test_provider_cannot_accept_a_referral_waiting_for_someone_else(
    as_provider, ana, ben, make_referral
):
    referral = make_referral(preferred=ana)
    response = as_provider(ben).post(URL, _decision(referral, ben))
    assert response.status_code == 409
    assert "No such referral." in response.content.decode()  # not his to see
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_a_stale_page_changes_nothing(as_provider, ana, make_referral):
    referral = make_referral(preferred=ana)
    response = as_provider(ana).post(URL, _decision(referral, ana, round_=referral.round - 1))
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


@pytest.mark.parametrize(
    "change",
    [
        {"referral": "abc"},
        {"referral": "999999999"},
        {"referral": "9" * 40},
        {"round": "x"},
        {"status": "delete"},
        {"provider": "9" * 40},
        {"provider": "nope"},
        {"reason": "bored", "status": "decline"},
        {"status": "x" * 100_000},
    ],
)
def test_junk_posts_are_refused_without_a_crash(as_provider, ana, make_referral, change):
    referral = make_referral(preferred=ana)
    response = as_provider(ana).post(URL, {**_decision(referral, ana), **change})
    assert response.status_code in (400, 409)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_signed_in_user_who_is_no_provider_is_refused(db):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.create_user("someone"))
    assert client.get(URL).status_code == 403


def test_a_closed_referral_shows_its_outcome_and_cannot_be_accepted(
    as_staff, ben, make_referral, staff_user
):
    from referrals.notify import accept_page_url

    referral = make_referral()
    services.close_referral(
        referral.pk, "referred_out", actor=Actor("intake", is_staff=True), note="Clinic"
    )
    referral.refresh_from_db()

    html = as_staff.get(accept_page_url(referral).split("8000", 1)[-1]).content.decode()
    response = as_staff.post(URL, _decision(referral, ben))

    assert "Closed: referred outside the practice" in html
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED and referral.accepted_by is None


def test_client_phone_is_shown_in_national_format_as_a_tap_to_call_link(
    as_provider, as_staff, ana, aetna, make_referral
):
    referral = make_referral(network=aetna, preferred=ana)
    services.accept_referral(referral.pk, ana, actor=Actor("provider"))
    link = '<a href="tel:+12019870001">(201) 987-0001</a>'
    assert link in as_provider(ana).get(f"{URL}?referral={referral.pk}").content.decode()
    assert link in as_provider(ana).get("/portal/").content.decode()
    assert link in as_staff.get(f"/desk/referrals/{referral.pk}/").content.decode()
