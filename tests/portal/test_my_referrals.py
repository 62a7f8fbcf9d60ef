"""My referrals in the Provider Portal: what a provider sees, and Accept/Decline from there."""

from datetime import timedelta

import time_machine
from django.contrib.auth import get_user_model

from referrals import services
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor


def test_portal_needs_sign_in(client, db):
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith("/signin/")


def test_signed_in_non_provider_is_told_clearly(client, db):
    client.force_login(get_user_model().objects.create_user("staffer"))
    response = client.get("/portal/")
    assert response.status_code == 403
    assert "not a provider" in response.content.decode()


def test_waiting_available_and_accepted_are_listed_with_time_left(
    as_provider, make_referral, ana, ben, aetna, cigna, t0
):
    waiting = make_referral(network=aetna, preferred=ana, now=t0)
    general = make_referral(network=aetna, now=t0)
    other_network = make_referral(network=cigna, now=t0)
    for_ben = make_referral(network=aetna, preferred=ben, now=t0)
    held = make_referral(network=aetna, now=t0)
    services.accept_referral(held.pk, ana, actor=Actor("t"), now=t0)

    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        page = as_provider(ana).get("/portal/").content.decode()

    assert "Waiting for you (1)" in page and waiting.number in page
    assert "10 hours left" in page  # the 12-hour link
    assert "1 day 22 hours left" in page  # the 48-hour deadline
    assert "Available to you (1)" in page and general.number in page
    assert "Accepted by you (1)" in page and held.number in page
    assert other_network.number not in page and for_ben.number not in page


def test_my_insurance_networks_are_shown(as_provider, ana):
    page = as_provider(ana).get("/portal/").content.decode()
    assert '<h2 id="my-networks">My insurance networks</h2>' in page
    assert "<li>Aetna</li>" in page


def test_accept_from_portal_goes_through_the_service(as_provider, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    client = as_provider(ana)
    response = client.post(
        f"/portal/referrals/{referral.pk}/accept/", {"round": referral.round}, follow=True
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana
    event = referral.events.get(kind=ReferralEvent.Kind.ACCEPTED)
    assert event.actor == ana.user
    assert f"You accepted {referral.number}" in response.content.decode()


def test_decline_from_portal_records_the_reason(as_provider, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    client = as_provider(ana)
    client.post(
        f"/portal/referrals/{referral.pk}/decline/",
        {"round": referral.round, "reason": "unavailable", "note": "Full this month"},
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    event = referral.events.get(kind=ReferralEvent.Kind.DECLINED)
    assert (event.reason, event.note, event.provider) == ("unavailable", "Full this month", ana)


def test_decline_without_a_valid_reason_changes_nothing(as_provider, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    response = as_provider(ana).post(
        f"/portal/referrals/{referral.pk}/decline/",
        {"round": referral.round, "reason": "expired"},
        follow=True,
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    assert "please choose why you are declining" in response.content.decode()


def test_stale_page_shows_the_service_refusal(as_provider, make_referral, ana, ben, aetna):
    referral = make_referral(network=aetna)
    old_round = referral.round
    services.accept_referral(referral.pk, ben, actor=Actor("t"))
    response = as_provider(ana).post(
        f"/portal/referrals/{referral.pk}/accept/", {"round": old_round}, follow=True
    )
    # No longer visible to Ana (Ben holds it), but her page showed it to her: she lost the race.
    assert response.status_code == 409
    assert "already been accepted by another provider" in response.content.decode()
    referral.refresh_from_db()
    assert referral.accepted_by == ben


def test_refusal_from_the_service_is_shown_as_a_message(as_provider, make_referral, ana, aetna, t0):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    with time_machine.travel(t0 + timedelta(hours=49), tick=False):
        response = as_provider(ana).post(
            f"/portal/referrals/{referral.pk}/accept/", {"round": referral.round}, follow=True
        )
    assert "48 hours have passed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_accept_needs_post(as_provider, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    assert as_provider(ana).get(f"/portal/referrals/{referral.pk}/accept/").status_code == 405


def test_provider_confirms_contact_and_the_referral_leaves_the_staff_queue(
    as_provider, make_referral, ana, ben, aetna
):
    referral = make_referral(network=aetna, preferred=ana)
    services.accept_referral(referral.pk, ana, actor=Actor("test"))
    client = as_provider(ana)
    assert "I contacted the client" in client.get("/portal/").content.decode()
    assert client.post(f"/portal/referrals/{referral.pk}/contacted/").status_code == 302
    referral.refresh_from_db()
    assert referral.contacted_at is not None
    assert referral.events.filter(kind=ReferralEvent.Kind.CONTACTED, provider=ana).count() == 1
    # Another provider cannot mark it for them.
    other = make_referral(network=aetna, preferred=ana)
    services.accept_referral(other.pk, ana, actor=Actor("test"))
    assert as_provider(ben).post(f"/portal/referrals/{other.pk}/contacted/").status_code == 404
    other.refresh_from_db()
    assert other.contacted_at is None
