"""Staff actions on one referral go through the services and land in the timeline; refused
actions say why and change nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from notifications.models import OutboxMessage
from referrals import services
from referrals.models import Referral, ReferralEvent
from tests.portal.conftest import give_user

Kind = ReferralEvent.Kind


def flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_offer_to_a_provider_sends_what_a_preferred_provider_gets(
    staff_client, make_referral, ana, aetna
):
    referral = make_referral(network=aetna)
    response = staff_client.post(reverse("desk:offer", args=[referral.pk]), {"provider": ana.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING and referral.offered_to == ana
    event = referral.events.get(kind=Kind.OFFERED)
    assert event.actor_label == "intake"
    sent = set(OutboxMessage.objects.filter(event=event).values_list("channel", "template"))
    assert ("email", "provider_referral") in sent and ("sms", "provider_referral") in sent
    assert any(channel == "slack" for channel, _ in sent)


def test_offer_to_a_provider_outside_the_network_is_refused(
    staff_client, make_referral, aetna, cigna, provider_factory
):
    outsider = provider_factory("Cy", "Cigna", networks=[cigna])
    referral = make_referral(network=aetna)
    before = ReferralEvent.objects.count()
    response = staff_client.post(
        reverse("desk:offer", args=[referral.pk]), {"provider": outsider.pk}
    )
    assert "Choose one of the providers listed." in flashes(response)
    assert ReferralEvent.objects.count() == before
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.AVAILABLE


def test_decline_for_the_provider_it_waits_for(staff_client, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    page = staff_client.get(reverse("desk:timeline", args=[referral.pk])).content.decode()
    assert "Decline for Ana Lee" in page
    response = staff_client.post(
        reverse("desk:decline", args=[referral.pk]),
        {"reason": "unavailable", "note": "On leave", "round": referral.round},
    )
    assert any("Declined for Ana Lee" in m for m in flashes(response))
    event = ReferralEvent.objects.get(referral=referral, kind=Kind.DECLINED)
    assert (event.provider, event.reason, event.note) == (ana, "unavailable", "On leave")
    assert OutboxMessage.objects.filter(event=event, template="decline_notice").exists()


def test_decline_from_a_stale_page_is_refused(staff_client, make_referral, ana, ben, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    stale_round = referral.round
    services.decline_referral(referral.pk, ana, reason="unavailable", actor=services.Actor("t"))
    services.accept_referral(referral.pk, ben, actor=services.Actor("t"))
    response = staff_client.post(
        reverse("desk:decline", args=[referral.pk]),
        {"reason": "not_a_fit", "round": stale_round},
    )
    assert flashes(response) and "Declined" not in flashes(response)[0]
    assert Referral.objects.get(pk=referral.pk).accepted_by == ben


def test_an_available_referral_cannot_be_declined(staff_client, make_referral, aetna):
    referral = make_referral(network=aetna)
    response = staff_client.post(
        reverse("desk:decline", args=[referral.pk]), {"reason": "unavailable"}
    )
    assert flashes(response) == ["Nobody holds this referral; there is nothing to decline."]
    assert not ReferralEvent.objects.filter(kind=Kind.DECLINED).exists()


def test_bad_decline_reason_is_refused(staff_client, make_referral, ana, aetna):
    referral = make_referral(network=aetna, preferred=ana)
    response = staff_client.post(reverse("desk:decline", args=[referral.pk]), {"reason": "expired"})
    assert flashes(response)
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.PENDING


def test_notes_land_in_the_timeline_and_empty_notes_do_not(staff_client, make_referral, aetna):
    referral = make_referral(network=aetna)
    staff_client.post(reverse("desk:note", args=[referral.pk]), {"note": "   "})
    staff_client.post(reverse("desk:note", args=[referral.pk]), {"note": "Called the insurer"})
    notes = list(referral.events.filter(kind=Kind.NOTE).values_list("note", flat=True))
    assert notes == ["Called the insurer"]
    page = staff_client.get(reverse("desk:timeline", args=[referral.pk])).content.decode()
    assert "Called the insurer" in page


def test_mark_contacted(staff_client, make_referral, ana, aetna):
    referral = make_referral(network=aetna)
    services.accept_referral(referral.pk, ana, actor=services.Actor("t"))
    staff_client.post(reverse("desk:contacted", args=[referral.pk]))
    assert Referral.objects.get(pk=referral.pk).contacted_at is not None
    assert referral.events.filter(kind=Kind.CONTACTED).count() == 1


def test_actions_need_post_and_staff(client, staff_client, make_referral, aetna):
    referral = make_referral(network=aetna)
    assert staff_client.get(reverse("desk:note", args=[referral.pk])).status_code == 405
    assert staff_client.post(reverse("desk:note", args=[999999]), {"note": "x"}).status_code == 404
    client.logout()
    response = client.post(reverse("desk:note", args=[referral.pk]), {"note": "x"})
    assert response.status_code == 302 and not referral.events.filter(kind=Kind.NOTE).exists()


@pytest.mark.usefixtures("routing_off")
def test_timeline_shows_every_step_with_messages_and_time_between(
    staff_client, make_referral, ana, ben, aetna, t0
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    services.decline_referral(
        referral.pk,
        ana,
        reason="unavailable",
        actor=services.Actor("ana"),
        now=t0 + timedelta(hours=2),
    )
    services.accept_referral(
        referral.pk, ben, actor=services.Actor("ben"), now=t0 + timedelta(hours=5, minutes=12)
    )
    failed = OutboxMessage.objects.filter(referral=referral, channel="sms").first()
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status="failed", attempts=1, last_error="Twilio refused: 21211"
    )
    with time_machine.travel(t0 + timedelta(hours=6), tick=False):
        response = staff_client.get(reverse("desk:timeline", args=[referral.pk]))
    steps = response.context["steps"]
    assert [s.event.kind for s in steps] == [Kind.RECEIVED, Kind.DECLINED, Kind.ACCEPTED]
    assert steps[1].since_previous == 2 * 3600
    page = response.content.decode()
    assert "declined 2 h after it was sent" in page
    # Ben took it once it was open to everyone: no offer to time, only the gap since the decline.
    assert "3 h 12 min after the previous step" in page
    assert "accepted 3 h 12 min after it was sent" not in page
    assert "failed after 1 attempt: Twilio refused: 21211" in page
    assert "Text message to +12012230001" in page  # Ana's SMS, named for people, not code
    assert "Slack post to #referrals" in page and "Slack reply in the referral" in page
    assert "Email “" in page
    assert "Sam Rivera" in page  # staff see who the client is


def test_timeline_of_unknown_referral_is_404(staff_client, db):
    assert staff_client.get(reverse("desk:timeline", args=[424242])).status_code == 404


def test_staff_close_with_an_outcome_and_a_note_from_the_timeline(
    staff_client, make_referral, aetna
):
    referral = make_referral(network=aetna)
    url = reverse("desk:close", args=[referral.pk])

    response = staff_client.post(url, {"outcome": "referred_out", "note": "To the clinic"})

    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("closed", "referred_out")
    assert "Closed: referred outside the practice." in flashes(response)[0]
    page = staff_client.get(reverse("desk:timeline", args=[referral.pk])).content.decode()
    assert 'data-outcome="referred_out"' in page and "Close with an outcome" not in page


def test_closing_without_a_note_or_with_a_made_up_outcome_changes_nothing(
    staff_client, make_referral, aetna
):
    referral = make_referral(network=aetna)
    url = reverse("desk:close", args=[referral.pk])
    for data in (
        {"outcome": "withdrew", "note": "  "},
        {"outcome": "duplicate", "note": "same"},
        {"outcome": "vanished", "note": "x"},
        {"outcome": "first_session", "note": "booked"},  # no date
    ):
        response = staff_client.post(url, data)
        assert response.status_code == 302 and flashes(response)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert not referral.events.filter(kind=Kind.CLOSED).exists()


def test_staff_merge_a_referral_into_another_by_its_number(staff_client, make_referral, aetna):
    kept = make_referral(network=aetna)
    duplicate = make_referral(network=aetna)

    response = staff_client.post(
        reverse("desk:merge", args=[duplicate.pk]), {"into": f"r-{kept.pk}"}
    )

    duplicate.refresh_from_db()
    assert (duplicate.outcome, duplicate.merged_into_id) == ("duplicate", kept.pk)
    assert f"merged into {kept.number}" in flashes(response)[0]
    page = staff_client.get(reverse("desk:timeline", args=[duplicate.pk])).content.decode()
    assert f'href="{reverse("desk:timeline", args=[kept.pk])}"' in page


def test_a_merge_into_nothing_says_why(staff_client, make_referral, aetna):
    referral = make_referral(network=aetna)
    for into in ("R-999999", "soon", str(referral.pk)):
        response = staff_client.post(reverse("desk:merge", args=[referral.pk]), {"into": into})
        assert flashes(response)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE


def test_a_provider_cannot_close_or_merge_from_the_desk(client, make_referral, ana, aetna):
    client.force_login(give_user(ana))
    kept = make_referral(network=aetna, preferred=ana)
    other = make_referral(network=aetna)
    closing = client.post(
        reverse("desk:close", args=[kept.pk]), {"outcome": "withdrew", "note": "by a provider"}
    )
    merging = client.post(reverse("desk:merge", args=[other.pk]), {"into": kept.number})
    assert closing.status_code == merging.status_code == 302
    assert "login" in closing["Location"] and "login" in merging["Location"]  # staff sign-in
    for referral in (kept, other):
        referral.refresh_from_db()
        assert referral.status != Referral.Status.CLOSED and referral.merged_into_id is None
    assert not ReferralEvent.objects.filter(kind=Kind.CLOSED).exists()
