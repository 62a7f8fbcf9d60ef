"""Responsiveness figures for the practice: how fast referrals are answered, how many expire or
are declined, per provider, insurance network, referral type and week, and where demand goes
unmet.

What each figure counts is defined once in `referrals.response_figures` (shared with the Provider
Portal) and said in words under each heading of the page (templates/figures/). This module only
groups, with as few passes over the rows as the figures allow: the counts of the whole period, of
each week, of each type and of each network are sums of one grouped query's cells (week x type x
network); their percentiles are read in order from indexes made for them (`Referral.Meta.indexes`:
one query per field for the period, types and networks, one for the weeks), and the providers'
offers and the holders' funnel a query each from their own indexes, so the page stays fast as data
grows (docs/performance.md).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import TruncWeek
from django.utils import timezone

from providers.models import InsuranceNetwork, Provider
from referrals import percentiles
from referrals import response_figures as defined
from referrals.models import Referral

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


def _row(label, key, c: dict, now, response: dict, accept: dict | None = None, figures=None) -> Row:
    """A row from its counts `c`; `figures` are `referral_figures(now)` if already built."""
    return Row(
        funnel=defined.funnel(c),
        first_session=percentiles.pick(c, "first_session"),
        label=label,
        key=key,
        received=c["received"],
        answered=c["answered"],
        accepted=c["accepted"],
        unanswered=c["unanswered"],
        **defined.referral_shares(c, now, figures),
        response=response,
        counts=c,
        accept=accept,
    )


# The breakdown columns: each referral is in one cell of week x type x network, and every count
# is a sum over cells, so one grouped query gives the counts of the whole period, of each week, of
# each type and of each network (sums of cells in Python) instead of one query per grouping
# evaluating every count on every row again.
CELL = ("kind", "insurance_network")
ROW_PERCENTILES = {"response_seconds": "response", DAYS: "first_session"}
SUMMARY_PERCENTILES = {**ROW_PERCENTILES, "accept_seconds": "accept"}


@dataclass
class Overview:
    """The whole period, and its rows per referral type, per insurance network and per week
    (Monday, display time zone; oldest first)."""

    summary: Row
    types: list[Row]
    networks: list[Row]
    weeks: list[Row]


def overview(qs: QuerySet, now: datetime, network_names: dict, start: date, end: date) -> Overview:
    """Four queries whatever the data: the counts per cell, then the percentiles of the whole
    period, of each type and of each network (`percentiles.of_parts`: one query per field), then
    those of each week. `network_names` maps a network's pk to its name; `start` and `end` are
    the period's dates in the display time zone."""
    week, name_week = _weeks(start, end)
    figures = defined.referral_figures(now)
    aggregates = {**defined.referral_counts(now), **_bucket_counts()}
    keys = list(aggregates)
    cells = list(
        qs.order_by()
        .annotate(week=week)
        .values("week", *CELL)
        .annotate(**aggregates)
        .values_list("week", *CELL, *keys)
        .order_by()
    )

    def sums(rows) -> dict:
        """The counts of `rows` (cells), added up column by column."""
        columns = zip(*(row[3:] for row in rows), strict=True)
        return dict(zip(keys, map(sum, columns), strict=True))

    by_cell, by_week = {}, {}
    for row in cells:
        by_cell.setdefault(row[1:3], []).append(row)
        by_week.setdefault(row[0], []).append(row)
    zero = dict.fromkeys(keys, 0)
    cell_counts = {cell: sums(rows) for cell, rows in by_cell.items()}
    parts = {None: (None, SUMMARY_PERCENTILES)}
    for index, column in enumerate(CELL):
        for value in sorted({cell[index] for cell in by_cell}, key=lambda v: (v is None, v)):
            parts[column, value] = ((column, value), ROW_PERCENTILES)
    found = percentiles.of_parts(qs, parts)

    def counts(name) -> dict:
        total = dict(zero)
        index = None if name is None else CELL.index(name[0])
        for cell, part in cell_counts.items():
            if index is None or cell[index] == name[1]:
                for key in keys:
                    total[key] += part[key]
        return {**total, **found[name]}

    def row(name, label) -> Row:
        c = counts(name)
        return _row(label, name[1], c, now, percentiles.pick(c, "response"), figures=figures)

    whole = counts(None)
    summary = _row(
        "",  # the whole period: the page names it
        None,
        whole,
        now,
        percentiles.pick(whole, "response"),
        percentiles.pick(whole, "accept"),
        figures,
    )
    kinds = dict(Referral.Kind.choices)
    types = [row(name, kinds.get(name[1])) for name in parts if name and name[0] == "kind"]
    networks = [
        row(name, network_names.get(name[1], "Self-pay / other"))
        for name in parts
        if name and name[0] == "insurance_network"
    ]
    weekly = percentiles.per_value(qs.annotate(week=week), "week", ROW_PERCENTILES)
    weeks = []
    for value in sorted(by_week):
        c = {**sums(by_week[value]), **weekly.get(value, {})}
        label, key = name_week(value)
        weeks.append(_row(label, key, c, now, percentiles.pick(c, "response"), figures=figures))
    return Overview(summary, types, sorted(networks, key=lambda r: -r.received), weeks)


def _weeks(start: date, end: date):
    """(an expression naming each referral's week, Monday in the display time zone; a function
    turning its value into the week's (label, Monday)) for referrals received from `start` to
    `end` (dates in the display time zone)."""
    if not percentiles.in_database():
        return TruncWeek("created_at"), lambda week: (f"{week:%b %-d}", week)
    # The same weeks as TruncWeek, found by a binary search among the Mondays' instants instead
    # of converting each referral's time to the display time zone (a third of the query's time
    # with 100,000 referrals).
    zone = timezone.get_current_timezone()
    monday = start - timedelta(days=start.weekday())
    mondays = [
        datetime.combine(monday + timedelta(weeks=i), time.min, zone)
        for i in range((end - monday).days // 7 + 2)
    ]
    week = Func(
        F("created_at"), Value(mondays), function="width_bucket", output_field=IntegerField()
    )
    return week, lambda i: (f"{mondays[i - 1]:%b %-d}", mondays[i - 1])


def _network_names() -> dict:
    return dict(InsuranceNetwork.objects.values_list("pk", "name"))


def _bucket_counts() -> dict:
    """Aggregates counting first responses per band of BUCKETS, and those not answered yet."""
    aggregates, low = {}, 0
    for index, (_, high) in enumerate(BUCKETS):
        cond = Q(response_seconds__gte=low * 3600)
        if high is not None:
            cond &= Q(response_seconds__lt=high * 3600)
        aggregates[f"band_{index}"] = defined.Count("pk", filter=cond)
        low = high or 0
    aggregates["band_none"] = defined.Count("pk", filter=Q(response_seconds__isnull=True))
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


def by_provider(events: QuerySet, providers: dict) -> list[ProviderRow]:
    """Per provider, the offers that ended among `events` (those of the referrals received in
    the period). `providers` maps a pk to its Provider."""
    rows = {row["provider"]: row for row in defined.offer_rows(events, "provider")}
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


def funnel_by_provider(qs: QuerySet, providers: dict) -> list[HolderRow]:
    """Two queries: the counts per holder, then the days to first session of the referrals that
    have them (few: no sort of every held referral). `providers` maps a pk to its Provider."""
    held = qs.order_by().filter(accepted_by__isnull=False)
    rows = held.values("accepted_by").annotate(**defined.funnel_counts()).order_by()
    days = percentiles.per_value(held, "accepted_by", {DAYS: "first_session"})
    result = [
        HolderRow(
            label=providers[row["accepted_by"]].name,
            funnel=defined.funnel(row),
            first_session=percentiles.pick(days.get(row["accepted_by"], {}), "first_session"),
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: r.label)


@dataclass
class UnmetRow:
    label: str
    unmet: int
    active_providers: int


def unmet_demand(qs: QuerySet, network_names: dict | None = None) -> list[UnmetRow]:
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
    names = network_names if network_names is not None else _network_names()
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
