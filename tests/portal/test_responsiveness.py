"""The responsiveness figures, on hand-computed audit trails made through the services."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from portal.responsiveness import for_provider, summary
from referrals import services
from referrals.models import ReferralEvent
from referrals.services import Actor

T = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
ACT = Actor("t")


@pytest.mark.usefixtures("routing_off")
def test_answers_expiries_and_left_out_offers(make_referral, ana, ben, aetna):
    r1 = make_referral(network=aetna, preferred=ana, now=T)
    services.accept_referral(r1.pk, ana, actor=ACT, now=T + 2 * H)  # answered in 2 h
    r2 = make_referral(network=aetna, preferred=ana, now=T)
    services.decline_referral(r2.pk, ana, reason="unavailable", actor=ACT, now=T + 30 * H)
    r3 = make_referral(network=aetna, preferred=ana, now=T)
    services.expire_referral(r3.pk, now=T + 48 * H)  # expired on Ana
    r4 = make_referral(network=aetna, preferred=ana, now=T)
    services.offer_referral(r4.pk, ben, actor=ACT, now=T + H)  # staff moved it on: left out
    services.accept_referral(r4.pk, ben, actor=ACT, now=T + 5 * H)  # Ben: 4 h after his offer
    r5 = make_referral(network=aetna, preferred=ana, now=T)
    services.decline_referral(  # made inactive: not Ana's answer, left out
        r5.pk, ana, reason=ReferralEvent.Reason.PROVIDER_INACTIVE, actor=ACT, now=T + 3 * H
    )
    r6 = make_referral(network=aetna, now=T)  # a General referral: nobody's offer
    services.accept_referral(r6.pk, ana, actor=ACT, now=T + H)
    make_referral(network=aetna, preferred=ana, now=T)  # still waiting: left out

    mine = summary(T, ana.pk)
    assert (mine.offers, mine.answered, mine.within, mine.expired) == (3, 2, 1, 1)
    assert mine.median == 16 * H  # median of 2 h and 30 h
    assert mine.share_within == 1 / 3
    bens = summary(T, ben.pk)
    assert (bens.offers, bens.median) == (1, 4 * H)
    assert summary(T).median == 4 * H  # 2 h, 4 h, 30 h


def test_no_offers_means_no_figures(db):
    empty = summary(T)
    assert empty.median is None and empty.share_within is None and empty.offers == 0


def test_windows_count_offers_that_ended_in_them(make_referral, ana, ben, aetna, t0):
    old = make_referral(network=aetna, preferred=ana, now=t0 - timedelta(days=60))
    services.accept_referral(old.pk, ana, actor=ACT, now=t0 - timedelta(days=60) + 6 * H)
    new = make_referral(network=aetna, preferred=ana, now=t0 - timedelta(days=2))
    services.accept_referral(new.pk, ana, actor=ACT, now=t0 - timedelta(days=2) + H)
    bens = make_referral(network=aetna, preferred=ben, now=t0 - timedelta(days=3))
    services.decline_referral(
        bens.pk, ben, reason="unavailable", actor=ACT, now=t0 - timedelta(days=3) + 3 * H
    )

    last30, last90 = for_provider(ana.pk, t0)

    assert last30["days"] == 30 and last30["mine"].offers == 1 and last30["mine"].median == H
    assert last30["practice"].median == 2 * H  # 1 h and 3 h
    assert last90["mine"].offers == 2 and last90["mine"].median == 3.5 * H
    assert last90["practice"].median == 3 * H  # 1 h, 3 h, 6 h


def test_an_answer_at_exactly_12_hours_is_not_within_12_hours(make_referral, ana, aetna):
    on_time = make_referral(network=aetna, preferred=ana, now=T)
    services.accept_referral(on_time.pk, ana, actor=ACT, now=T + 12 * H - timedelta(seconds=1))
    late = make_referral(network=aetna, preferred=ana, now=T)
    services.accept_referral(late.pk, ana, actor=ACT, now=T + 12 * H)

    mine = summary(T, ana.pk)
    assert (mine.offers, mine.within, mine.share_within) == (2, 1, 1 / 2)


def test_an_expiry_then_a_staff_offer_accepted_counts_for_each_provider_once(
    make_referral, ana, ben, aetna
):
    r = make_referral(network=aetna, preferred=ana, now=T)
    services.expire_referral(r.pk, now=T + 48 * H)  # Ana's offer ended unanswered
    services.offer_referral(r.pk, ben, actor=ACT, now=T + 50 * H)
    services.accept_referral(r.pk, ben, actor=ACT, now=T + 51 * H)  # Ben: 1 h after his offer

    anas, bens = summary(T, ana.pk), summary(T, ben.pk)
    assert (anas.offers, anas.answered, anas.expired, anas.share_within) == (1, 0, 1, 0.0)
    assert (bens.offers, bens.answered, bens.share_within, bens.median) == (1, 1, 1.0, H)


@pytest.mark.usefixtures("routing_off")
def test_a_decline_after_contact_then_an_expiry_is_nobodys_unanswered_offer(
    make_referral, ana, aetna
):
    r = make_referral(network=aetna, now=T)  # open to everyone: not an offer
    services.accept_referral(r.pk, ana, actor=ACT, now=T + H)
    services.confirm_contact(r.pk, ana, actor=ACT, now=T + 2 * H)
    services.decline_referral(r.pk, ana, reason="not_a_fit", actor=ACT, now=T + 3 * H)
    services.expire_referral(r.pk, now=T + 51 * H)

    assert summary(T, ana.pk).offers == 0 and summary(T).expired == 0


def test_my_responsiveness_says_how_it_is_counted_in_the_desks_words(ana, as_provider):
    page = as_provider(ana).get(reverse("portal:home")).content.decode()
    section = page.split('id="my-responsiveness"', 1)[1].split("</section>", 1)[0]
    words = render_to_string("figures/offers.html").strip()
    assert words and words in section  # tests/desk/test_analytics.py checks the desk shows it


def test_the_portal_shows_the_share_of_my_clients_contacted_within_12_hours(
    as_provider, make_referral, ana, aetna, t0
):
    quick = make_referral(network=aetna, now=t0 - timedelta(days=3))
    services.accept_referral(quick.pk, ana, actor=ACT, now=t0 - timedelta(days=3))
    services.confirm_contact(quick.pk, ana, actor=ACT, now=t0 - timedelta(days=3) + H)
    slow = make_referral(network=aetna, now=t0 - timedelta(days=3))
    services.accept_referral(slow.pk, ana, actor=ACT, now=t0 - timedelta(days=3))

    import time_machine

    with time_machine.travel(t0, tick=False):
        page = as_provider(ana).get(reverse("portal:home")).content.decode()

    row = page.split("Clients contacted within 12 hours of accepting", 1)[1].split("</tr>", 1)[0]
    assert "50% (1 of 2)" in row
    assert render_to_string("figures/contacted.html").strip() in page
