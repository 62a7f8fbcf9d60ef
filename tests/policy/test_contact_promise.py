"""The 12-hour contact promise: a provider who accepted and has not confirmed contact within
CONTACT_WITHIN is nudged by email and SMS, once; and the client's 24-hour Reminder goes to every
client not yet contacted 24 hours after their request, accepted or not, once."""

from datetime import timedelta

from referrals.deadlines import run_due
from referrals.models import Referral, ReferralEvent
from referrals.services import accept_referral, confirm_contact, decline_referral, nudge_contact
from tests.policy.helpers import PROVIDER, STAFF, queued

SECOND = timedelta(seconds=1)
H = timedelta(hours=1)
CLIENT_EMAIL = "sam.rivera@example.org"


def _accepted(make_referral, ana, aetna, t0, after=2 * H):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    accept_referral(referral.pk, ana, actor=PROVIDER, now=t0 + after)
    return referral


def test_accepting_starts_the_contact_clock(make_referral, ana, aetna, t0, settings):
    referral = _accepted(make_referral, ana, aetna, t0)
    referral.refresh_from_db()
    assert settings.CONTACT_WITHIN == 12 * H
    assert referral.contact_due_at == t0 + 2 * H + 12 * H


def test_no_nudge_one_second_before_contact_within(make_referral, ana, aetna, t0, run_worker):
    referral = _accepted(make_referral, ana, aetna, t0)

    run_worker(t0 + 14 * H - SECOND)

    assert not referral.events.filter(kind=ReferralEvent.Kind.NUDGED).exists()
    assert not referral.messages.filter(template="provider_contact_nudge").exists()


def test_the_holder_is_nudged_by_email_and_sms_at_exactly_contact_within(
    make_referral, ana, aetna, t0, run_worker
):
    referral = _accepted(make_referral, ana, aetna, t0)

    run_worker(t0 + 14 * H)

    event = referral.events.get(kind=ReferralEvent.Kind.NUDGED)
    assert (event.at, event.actor_label, event.provider) == (t0 + 14 * H, "worker", ana)
    assert queued(event=event) == [
        ("email", "provider_contact_nudge", ana.email),
        ("sms", "provider_contact_nudge", ana.phone),
    ]
    email = event.messages.get(channel="email")
    assert "Sam Rivera" in email.body_text and "(201) 987-0001" in email.body_text
    assert "/portal/" in email.body_text
    sms = event.messages.get(channel="sms").body_text
    assert referral.number in sms
    for detail in ("Sam", "Rivera", "sam.rivera", "+12019870001", "9870001"):
        assert detail not in sms
    referral.refresh_from_db()
    assert referral.contact_due_at is None


def test_a_holder_without_a_mobile_number_is_nudged_by_email_only(
    make_referral, provider_factory, aetna, t0
):
    cy = provider_factory("Cy", "Noor", phone="", networks=[aetna])
    referral = make_referral(network=aetna, now=t0)
    accept_referral(referral.pk, cy, actor=PROVIDER, now=t0)

    assert nudge_contact(referral.pk, now=t0 + 12 * H)

    assert queued(template="provider_contact_nudge") == [
        ("email", "provider_contact_nudge", cy.email)
    ]


def test_the_nudge_is_never_sent_twice(make_referral, ana, aetna, t0):
    referral = _accepted(make_referral, ana, aetna, t0)

    assert run_due(t0 + 14 * H)["nudged"] == 1
    assert run_due(t0 + 14 * H + SECOND)["nudged"] == 0
    assert not nudge_contact(referral.pk, now=t0 + 30 * H)

    assert referral.events.filter(kind=ReferralEvent.Kind.NUDGED).count() == 1
    assert referral.messages.filter(template="provider_contact_nudge").count() == 2


def test_no_nudge_once_contact_is_confirmed(make_referral, ana, aetna, t0, run_worker):
    referral = _accepted(make_referral, ana, aetna, t0)
    confirm_contact(referral.pk, ana, actor=PROVIDER, now=t0 + 13 * H)

    run_worker(t0 + 20 * H)

    referral.refresh_from_db()
    assert referral.contact_due_at is None
    assert not referral.events.filter(kind=ReferralEvent.Kind.NUDGED).exists()
    assert not nudge_contact(referral.pk, now=t0 + 20 * H)


def test_no_nudge_after_the_holder_declines(make_referral, ana, aetna, t0, run_worker):
    referral = _accepted(make_referral, ana, aetna, t0)
    decline_referral(referral.pk, ana, reason="unavailable", actor=PROVIDER, now=t0 + 3 * H)

    run_worker(t0 + 20 * H)

    referral.refresh_from_db()
    assert referral.contact_due_at is None and referral.status == Referral.Status.AVAILABLE
    assert not referral.events.filter(kind=ReferralEvent.Kind.NUDGED).exists()


def test_contact_within_is_a_setting(make_referral, ana, aetna, t0, settings):
    settings.CONTACT_WITHIN = 4 * H
    referral = _accepted(make_referral, ana, aetna, t0)

    assert not nudge_contact(referral.pk, now=t0 + 6 * H - SECOND)
    assert nudge_contact(referral.pk, now=t0 + 6 * H)


# The client's 24-hour Reminder ---------------------------------------------------------------


def test_an_accepted_client_not_yet_contacted_gets_the_24_hour_reminder(
    make_referral, ana, aetna, t0, run_worker
):
    ana.office_phone = "+12125550111"
    ana.save(update_fields=["office_phone"])
    referral = _accepted(make_referral, ana, aetna, t0)

    run_worker(t0 + 24 * H - SECOND)
    assert not referral.messages.filter(template="client_reminder").exists()
    run_worker(t0 + 24 * H)

    event = referral.events.get(kind=ReferralEvent.Kind.REMINDED)
    # Only the client: the provider's Referral Reminder is for a referral not yet accepted.
    assert queued(event=event) == [("email", "client_reminder", CLIENT_EMAIL)]
    assert "(212) 555-0111" in event.messages.get().body_text  # the preferred provider's office
    run_worker(t0 + 30 * H)
    assert referral.messages.filter(template="client_reminder").count() == 1


def test_a_contacted_client_gets_no_24_hour_reminder(make_referral, ana, aetna, t0, run_worker):
    referral = _accepted(make_referral, ana, aetna, t0)
    confirm_contact(referral.pk, ana, actor=PROVIDER, now=t0 + 3 * H)

    run_worker(t0 + 30 * H)

    assert not referral.events.filter(kind=ReferralEvent.Kind.REMINDED).exists()
    assert not referral.messages.filter(template="client_reminder").exists()


def test_a_client_whose_provider_declined_early_is_still_reminded_at_24_hours(
    make_referral, ana, aetna, t0, run_worker
):
    referral = make_referral(network=aetna, preferred=ana, now=t0)
    decline_referral(referral.pk, ana, reason="unavailable", actor=PROVIDER, now=t0 + H)

    run_worker(t0 + 24 * H)

    event = referral.events.get(kind=ReferralEvent.Kind.REMINDED)
    assert queued(event=event) == [("email", "client_reminder", CLIENT_EMAIL)]


def test_the_client_is_reminded_once_even_after_a_staff_offer(
    make_referral, ana, ben, aetna, t0, run_worker
):
    from referrals.services import offer_referral

    referral = make_referral(network=aetna, now=t0)
    run_worker(t0 + 24 * H)
    offer_referral(referral.pk, ben, actor=STAFF, now=t0 + 25 * H)
    run_worker(t0 + 49 * H)

    assert referral.messages.filter(template="client_reminder").count() == 1
    assert referral.messages.filter(template="provider_reminder", recipient=ben.email).count() == 1
