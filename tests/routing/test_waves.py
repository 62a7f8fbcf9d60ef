"""Offers that move on by themselves: a General referral goes to a wave of providers at intake,
the next wave follows 4 hours later, a provider in a wave who declines is replaced without
telling the client, the first to accept wins, and ROUTING=off keeps the plain behaviour."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from notifications.models import OutboxMessage
from referrals import services
from referrals.deadlines import run_due
from referrals.models import Offer, Referral, ReferralEvent
from tests.policy.helpers import PROVIDER, STAFF

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)
FOUR_HOURS = timedelta(hours=4)


def offered(referral) -> list[str]:
    return list(
        Offer.objects.filter(referral=referral)
        .order_by("wave", "position")
        .values_list("provider__first_name", flat=True)
    )


def test_a_general_referral_goes_to_the_first_wave_at_intake(make_referral, aetna, five, t0):
    referral = make_referral(network=aetna, now=t0)

    assert offered(referral) == ["Ana", "Ben", "Cleo"]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.next_wave_at == t0 + FOUR_HOURS
    emails = OutboxMessage.objects.filter(template="provider_referral", channel="email")
    assert sorted(emails.values_list("recipient", flat=True)) == sorted(p.email for p in five[:3])
    links = {m.recipient: m.body_text for m in emails}
    assert len({text.split("/r/")[1].split()[0] for text in links.values()}) == 3  # own links
    assert OutboxMessage.objects.filter(template="provider_referral", channel="sms").count() == 3
    reply = OutboxMessage.objects.get(template="referral_wave")
    assert reply.payload["op"] == "reply"
    assert all(p.name in reply.body_text for p in five[:3])


def test_the_next_wave_goes_at_exactly_four_hours_without_an_answer(make_referral, aetna, five, t0):
    referral = make_referral(network=aetna, now=t0)

    assert run_due(t0 + FOUR_HOURS - SECOND)["waves"] == 0
    assert offered(referral) == ["Ana", "Ben", "Cleo"]
    assert run_due(t0 + FOUR_HOURS)["waves"] == 1
    assert offered(referral) == ["Ana", "Ben", "Cleo", "Dev", "Eli"]
    assert list(Offer.objects.filter(referral=referral).values_list("wave", flat=True)) == [
        1,
        1,
        1,
        2,
        2,
    ]
    assert run_due(t0 + FOUR_HOURS)["waves"] == 0  # fired once


def test_first_to_accept_wins_and_the_others_links_say_another_provider_took_it(
    client, make_referral, aetna, five, t0
):
    referral = make_referral(network=aetna, now=t0)
    ana, ben = five[0], five[1]
    ben_email = OutboxMessage.objects.get(template="provider_referral", recipient=ben.email)
    ben_path = re.search(r"https?://[^/\s]+(/r/\S+/)", ben_email.body_text).group(1)

    services.accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + timedelta(hours=1))

    answers = dict(Offer.objects.filter(referral=referral).values_list("provider", "answer"))
    assert answers == {ana.pk: "accepted", ben.pk: "withdrawn", five[2].pk: "withdrawn"}
    referral.refresh_from_db()
    assert referral.next_wave_at is None
    accepted = ReferralEvent.objects.get(referral=referral, kind="accepted")
    assert accepted.response_seconds == 3600  # timed from the wave's offer
    response = client.get(ben_path)
    assert response.status_code == 409
    assert "another provider accepted it" in response.content.decode()
    card = OutboxMessage.objects.filter(template="referral_card", payload__op="update").last()
    assert f"accepted by {ana.name}" in card.body_text


def test_a_wave_provider_who_declines_is_replaced_and_the_client_is_not_told(
    make_referral, aetna, five, t0
):
    referral = make_referral(network=aetna, now=t0)

    services.decline_referral(
        referral.pk, five[1], reason="unavailable", actor=PROVIDER, now=t0 + timedelta(hours=1)
    )

    assert offered(referral) == ["Ana", "Ben", "Cleo", "Dev"]
    dev = Offer.objects.get(referral=referral, provider=five[3])
    assert dev.wave == 1 and dev.position == 4
    assert Offer.objects.get(referral=referral, provider=five[1]).answer == "declined"
    assert not OutboxMessage.objects.filter(template="decline_notice").exists()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.next_wave_at == t0 + FOUR_HOURS  # the wave's clock is not restarted


def test_a_wave_providers_decline_reads_their_offer_once(make_referral, aetna, five, t0):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    referral = make_referral(network=aetna, now=t0)
    ben = five[1]
    with CaptureQueriesContext(connection) as captured:
        services.decline_referral(
            referral.pk, ben, reason="unavailable", actor=PROVIDER, now=t0 + timedelta(hours=1)
        )
    table = Offer._meta.db_table
    reads = [
        q["sql"]
        for q in captured
        if q["sql"].startswith("SELECT")
        and f'FROM "{table}"' in q["sql"]
        and f'"provider_id" = {ben.pk}' in q["sql"]
    ]
    assert len(reads) == 1, reads


def test_a_provider_without_a_live_offer_still_cannot_decline_an_available_referral(
    make_referral, aetna, five, t0
):
    referral = make_referral(network=aetna, now=t0)
    with pytest.raises(services.NotHolder):
        services.decline_referral(referral.pk, five[4], reason="unavailable", actor=PROVIDER)


def test_the_decline_notice_is_never_sent_twice_within_24_hours(make_referral, aetna, five, t0):
    referral = make_referral(network=aetna, preferred=five[0], now=t0)
    services.decline_referral(referral.pk, five[0], reason="unavailable", actor=PROVIDER, now=t0)
    services.accept_referral(referral.pk, five[1], actor=PROVIDER, now=t0 + timedelta(minutes=3))
    services.decline_referral(
        referral.pk, five[1], reason="not_a_fit", actor=PROVIDER, now=t0 + timedelta(minutes=7)
    )
    assert OutboxMessage.objects.filter(template="decline_notice").count() == 1

    services.accept_referral(referral.pk, five[2], actor=PROVIDER, now=t0 + timedelta(hours=24))
    services.decline_referral(
        referral.pk, five[2], reason="not_a_fit", actor=PROVIDER, now=t0 + timedelta(hours=24)
    )
    assert OutboxMessage.objects.filter(template="decline_notice").count() == 2


def test_a_preferred_referral_declined_goes_to_a_wave_without_the_decliner(
    make_referral, aetna, five, t0
):
    referral = make_referral(network=aetna, preferred=five[0], now=t0)
    assert offered(referral) == []  # waiting for the preferred provider only
    services.decline_referral(referral.pk, five[0], reason="unavailable", actor=PROVIDER, now=t0)
    assert offered(referral) == ["Ben", "Cleo", "Dev"]
    assert OutboxMessage.objects.filter(template="decline_notice").count() == 1


def test_an_unanswered_preferred_referral_goes_to_a_wave_at_its_expiry(
    make_referral, aetna, five, t0
):
    referral = make_referral(network=aetna, preferred=five[0], now=t0)
    run_due(t0 + timedelta(hours=48))
    assert offered(referral) == ["Ben", "Cleo", "Dev"]


def test_staff_offering_to_one_provider_withdraws_the_wave(make_referral, aetna, five, t0):
    referral = make_referral(network=aetna, now=t0)
    services.offer_referral(referral.pk, five[4], actor=STAFF, now=t0 + timedelta(hours=1))
    assert set(Offer.objects.values_list("answer", flat=True)) == {"withdrawn"}
    assert run_due(t0 + FOUR_HOURS)["waves"] == 0


def test_no_eligible_provider_left_goes_to_needs_attention_and_unmet_demand(
    staff_client, make_referral, aetna, five, t0
):
    referral = make_referral(network=aetna, now=t0)
    run_due(t0 + FOUR_HOURS)  # wave 2: Dev, Eli; nobody left after them
    for provider in five:
        services.decline_referral(
            referral.pk, provider, reason="unavailable", actor=PROVIDER, now=t0 + FOUR_HOURS
        )

    referral.refresh_from_db()
    assert referral.no_provider_at == t0 + FOUR_HOURS
    assert ReferralEvent.objects.filter(referral=referral, kind="no_provider").count() == 1
    page = staff_client.get(reverse("desk:queue"))
    [uncovered] = [c for c in page.context["attention"] if c["key"] == "uncovered"]
    assert uncovered["items"] == [referral]
    from desk.analytics import unmet_demand

    assert [(u.label, u.unmet) for u in unmet_demand(Referral.objects.all())] == [("Aetna", 1)]


def test_a_network_without_providers_is_no_provider_at_intake(make_referral, cigna, five, t0):
    referral = make_referral(network=cigna, now=t0)
    referral.refresh_from_db()
    assert referral.no_provider_at == t0
    assert list(referral.events.values_list("kind", flat=True)) == ["received", "no_provider"]


def test_routing_off_keeps_the_plain_behaviour(settings, make_referral, aetna, five, t0):
    settings.ROUTING = False
    referral = make_referral(network=aetna, now=t0)
    referral.refresh_from_db()
    assert referral.next_wave_at is None
    assert not Offer.objects.exists()
    assert run_due(t0 + FOUR_HOURS)["waves"] == 0
    assert not OutboxMessage.objects.filter(template="provider_referral").exists()
    assert list(referral.events.values_list("kind", flat=True)) == ["received"]


def test_the_intake_form_and_the_api_take_what_the_client_needs(client, aetna, five):
    from providers.models import Language, Specialty

    spanish = Language.objects.create(name="Spanish")
    grief, anxiety = (Specialty.objects.create(name=n) for n in ("Grief", "Anxiety"))
    response = client.post(
        reverse("referrals:intake"),
        {
            "first_name": "Sam",
            "last_name": "Rivera",
            "email": "sam@example.org",
            "insurance": str(aetna.pk),
            "care_for": "teen",
            "modality": "video",
            "language": str(spanish.pk),
            "focus_areas": [str(grief.pk), str(anxiety.pk)],
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.care_for, referral.modality, referral.language) == ("teen", "video", spanish)
    assert set(referral.focus_areas.all()) == {grief, anxiety}


def test_the_api_schema_states_the_needs_enums(client):
    schema = client.get("/api/openapi.json").json()
    fields = schema["components"]["schemas"]["ReferralIn"]["properties"]
    assert "teen" in str(fields["care_for"]) and "either" in str(fields["modality"])
