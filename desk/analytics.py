"""Responsiveness figures for the practice: how fast referrals are answered, how many expire or
are declined, per provider, insurance network, referral type and week, and where demand goes
unmet.

What each figure counts is defined once in `referrals.response_figures` (shared with the Provider
Portal) and said in words under each heading of the page (templates/figures/). This module only
groups: each figure is one aggregate query over indexed columns, so the page stays fast as data
grows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from providers.models import InsuranceNetwork, Provider
from referrals import percentiles
from referrals import response_figures as defined
from referrals.models import Referral, ReferralEvent

BUCKETS = [  # (label, upper bound in hours): each band is from its lower bound, up to but not
    # including its upper bound, as "within 12 hours" is (`response_figures.within`)
    ("Under 1 h", 1),
    ("1–3 h", 3),
    ("3–6 h", 6),
    ("6–12 h", 12),
    ("12–24 h", 24),
    ("24–48 h", 48),
    ("Over 48 h", None),
]


@dataclass
class Row:
    """One line of a breakdown table (or the whole period)."""

    label: str
    key: object
    received: int
    answered: int
    accepted: int
    unanswered: int
    within_goal: float | None
    within_day: float | None
    no_answer_48h: float | None
    expiry_rate: float | None
    declined_offer_rate: float | None
    not_a_fit_rate: float | None
    contacted_within_goal: float | None
    response: dict
    counts: dict
    accept: dict | None = None
    funnel: dict | None = None
    first_session: dict | None = None  # days from request to first session: median, p90


DAYS = defined.FIRST_SESSION_DAYS


def _row(label, key, c: dict, now, response: dict, accept: dict | None = None) -> Row:
    return Row(
        funnel=defined.funnel(c),
        first_session=percentiles.pick(c, "first_session"),
        label=label,
        key=key,
        received=c["received"],
        answered=c["answered"],
        accepted=c["accepted"],
        unanswered=c["unanswered"],
        **defined.referral_shares(c, now),
        response=response,
        counts=c,
        accept=accept,
    )


def summary(qs: QuerySet, now: datetime) -> Row:
    """The whole period in one query: counts, the distribution and both percentiles."""
    row = qs.order_by().aggregate(
        **defined.referral_counts(now),
        **_bucket_counts(),
        **percentiles.annotations("response_seconds", "response"),
        **percentiles.annotations("accept_seconds", "accept"),
        **percentiles.annotations(DAYS, "first_session"),
    )
    percentiles.fill([row], qs, None, "response_seconds", "response")
    percentiles.fill([row], qs, None, "accept_seconds", "accept")
    percentiles.fill([row], qs, None, DAYS, "first_session")
    return _row(
        "",  # the whole period: the page names it
        None,
        row,
        now,
        percentiles.pick(row, "response"),
        percentiles.pick(row, "accept"),
    )


def breakdown(qs: QuerySet, group: str, now: datetime, label) -> list[Row]:
    """Summary rows per value of `group` (e.g. "kind", "insurance_network") in one query;
    `label(key)` names each row."""
    rows = list(
        qs.order_by()
        .values(group)
        .annotate(
            **defined.referral_counts(now),
            **percentiles.annotations("response_seconds", "response"),
            **percentiles.annotations(DAYS, "first_session"),
        )
        .order_by(group)
    )
    percentiles.fill(rows, qs, group, "response_seconds", "response")
    percentiles.fill(rows, qs, group, DAYS, "first_session")
    return [_row(label(r[group]), r[group], r, now, percentiles.pick(r, "response")) for r in rows]


def by_type(qs, now):
    return breakdown(qs, "kind", now, dict(Referral.Kind.choices).get)


def by_network(qs, now):
    names = dict(InsuranceNetwork.objects.values_list("pk", "name"))
    rows = breakdown(qs, "insurance_network", now, lambda pk: names.get(pk, "Self-pay / other"))
    return sorted(rows, key=lambda r: -r.received)


def by_week(qs, now) -> list[Row]:
    """Rows per week (Monday, display time zone), oldest first."""
    weekly = qs.annotate(week=TruncWeek("created_at"))
    return breakdown(weekly, "week", now, lambda week: f"{week:%b %-d}")


def _bucket_counts() -> dict:
    """Aggregates counting first responses per band of BUCKETS, and those not answered yet."""
    aggregates, low = {}, 0
    for index, (_, high) in enumerate(BUCKETS):
        cond = Q(response_seconds__gte=low * 3600)
        if high is not None:
            cond &= Q(response_seconds__lt=high * 3600)
        aggregates[f"band_{index}"] = Count("pk", filter=cond)
        low = high or 0
    aggregates["band_none"] = Count("pk", filter=Q(response_seconds__isnull=True))
    return aggregates


def distribution(summary_row: Row) -> list[tuple[str, int]]:
    """How many referrals were first answered in each band, plus those not answered yet."""
    counts = summary_row.counts
    bands = [(label, counts[f"band_{i}"]) for i, (label, _) in enumerate(BUCKETS)]
    return bands + [("Not answered yet", counts["band_none"])]


@dataclass
class ProviderRow:
    """A provider's offers (`response_figures.offer_rows`)."""

    provider: Provider
    offers: int
    answered: int
    accepts: int
    declines: int
    expiries: int
    within_goal: float | None
    median: float | None
    p90: float | None


def by_provider(qs: QuerySet, since: datetime) -> list[ProviderRow]:
    """Per provider, the offers that ended on the referrals in `qs`, all received after `since`
    (so their events are too: that bound lets the database use the (kind, at) index)."""
    events = ReferralEvent.objects.filter(at__gte=since, referral__in=qs.order_by().values("pk"))
    rows = {row["provider"]: row for row in defined.offer_rows(events, "provider")}
    providers = Provider.objects.in_bulk(rows)
    result = [
        ProviderRow(
            provider=providers[pk],
            offers=row["offers"],
            answered=row["answered"],
            accepts=row["accepts"],
            declines=row["declines"],
            expiries=row["expired"],
            within_goal=row["within_share"],
            median=row["response_median"],
            p90=row["response_p90"],
        )
        for pk, row in rows.items()
    ]
    return sorted(result, key=lambda r: (r.median is None, r.median or 0, r.provider.name))


@dataclass
class HolderRow:
    """The funnel from a provider's accept on: the referrals they hold now or held when it
    closed, contacted, with a first session scheduled, and the days from request to it."""

    label: str
    funnel: dict
    first_session: dict


def funnel_by_provider(qs: QuerySet) -> list[HolderRow]:
    """One query (and, on SQLite, one more for the percentiles)."""
    held = qs.order_by().filter(accepted_by__isnull=False)
    rows = list(
        held.values("accepted_by", "accepted_by__first_name", "accepted_by__last_name").annotate(
            **defined.funnel_counts(), **percentiles.annotations(DAYS, "first_session")
        )
    )
    percentiles.fill(rows, held, "accepted_by", DAYS, "first_session")
    result = [
        HolderRow(
            label=f"{row['accepted_by__first_name']} {row['accepted_by__last_name']}",
            funnel=defined.funnel(row),
            first_session=percentiles.pick(row, "first_session"),
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: r.label)


@dataclass
class UnmetRow:
    label: str
    unmet: int
    active_providers: int


def unmet_demand(qs: QuerySet) -> list[UnmetRow]:
    """Per network: referrals nobody holds now (not accepted: open to everyone, or offered by
    staff to a provider who has not answered) after at least one decline or expiry, or for
    which routing found no eligible provider left."""
    unmet = (
        qs.order_by()
        .awaiting_answer()
        .filter(Q(expired_at__isnull=False) | Q(declines__gt=0) | Q(no_provider_at__isnull=False))
        .values("insurance_network")
        .annotate(n=Count("pk"))
    )
    names = dict(InsuranceNetwork.objects.values_list("pk", "name"))
    active = dict(
        InsuranceNetwork.objects.annotate(
            n=Count("providers", filter=Q(providers__status=Provider.Status.ACTIVE))
        ).values_list("pk", "n")
    )
    all_active = Provider.objects.active().count()
    rows = [
        UnmetRow(
            label=names.get(row["insurance_network"], "Self-pay / other"),
            unmet=row["n"],
            active_providers=active.get(row["insurance_network"], 0)
            if row["insurance_network"]
            else all_active,
        )
        for row in unmet
    ]
    return sorted(rows, key=lambda r: -r.unmet)
