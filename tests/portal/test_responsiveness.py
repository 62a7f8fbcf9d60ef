"""The responsiveness figures, on hand-computed audit trails."""

from datetime import UTC, datetime, timedelta

from portal.responsiveness import Row, for_provider, outcomes, summarize
from referrals import services
from referrals.services import Actor

T = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
ANA, BEN = 1, 2


def rows(*items):
    return [Row(r, kind, p, reason, T + hours * H) for r, kind, p, reason, hours in items]


def test_answers_expiries_and_left_out_offers():
    trail = rows(
        (1, "received", ANA, "", 0),
        (1, "accepted", ANA, "", 2),  # answered in 2 h
        (2, "received", ANA, "", 0),
        (2, "reminded", None, "", 24),
        (2, "declined", ANA, "unavailable", 30),  # answered in 30 h
        (3, "received", ANA, "", 0),
        (3, "expired", ANA, "expired", 48),  # expired
        (4, "received", ANA, "", 0),
        (4, "offered", BEN, "", 1),  # staff moved it on: not Ana's doing, left out
        (4, "accepted", BEN, "", 5),  # Ben answered 4 h after his offer
        (5, "received", ANA, "", 0),
        (5, "declined", ANA, "provider_inactive", 3),  # made inactive: left out
        (6, "received", None, "", 0),  # a General referral: nobody's offer
        (6, "accepted", ANA, "", 1),
        (7, "received", ANA, "", 0),  # still waiting: left out
    )
    found = outcomes(trail)
    ana = summarize([o for o in found if o.provider_id == ANA])
    assert (ana.offers, ana.answered, ana.within, ana.expired) == (3, 2, 1, 1)
    assert ana.median == 16 * H  # median of 2 h and 30 h
    assert ana.share_within == 1 / 3
    ben = summarize([o for o in found if o.provider_id == BEN])
    assert (ben.offers, ben.median) == (1, 4 * H)
    practice = summarize(found)
    assert practice.median == 4 * H  # 2 h, 4 h, 30 h


def test_no_offers_means_no_figures():
    empty = summarize([])
    assert empty.median is None and empty.share_within is None and empty.offers == 0


def test_windows_count_offers_made_in_them(make_referral, ana, ben, aetna, t0):
    old = make_referral(network=aetna, preferred=ana, now=t0 - timedelta(days=60))
    services.accept_referral(old.pk, ana, actor=Actor("t"), now=t0 - timedelta(days=60) + 6 * H)
    new = make_referral(network=aetna, preferred=ana, now=t0 - timedelta(days=2))
    services.accept_referral(new.pk, ana, actor=Actor("t"), now=t0 - timedelta(days=2) + H)
    bens = make_referral(network=aetna, preferred=ben, now=t0 - timedelta(days=3))
    services.decline_referral(
        bens.pk, ben, reason="unavailable", actor=Actor("t"), now=t0 - timedelta(days=3) + 3 * H
    )

    last30, last90 = for_provider(ana.pk, t0)

    assert last30["days"] == 30 and last30["mine"].offers == 1 and last30["mine"].median == H
    assert last30["practice"].median == 2 * H  # 1 h and 3 h
    assert last90["mine"].offers == 2 and last90["mine"].median == 3.5 * H
    assert last90["practice"].median == 3 * H  # 1 h, 3 h, 6 h
