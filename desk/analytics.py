"""Responsiveness figures for the practice: how fast referrals are answered, how many expire or
are declined, per provider, insurance network, referral type and week, and where demand goes
unmet.

Definitions (shown on the page too):
- time to first response: received -> the first accept or decline by a provider
  (`Referral.response_seconds`); time to accept: received -> the first accept (`accept_seconds`).
- answered within 12 h / 24 h: among referrals received at least 12 h / 24 h ago, the share whose
  first response came within that time (the policy asks providers to respond within 12 hours).
- expiry rate: among referrals received at least 48 h ago, the share declined automatically at
  least once. Decline rate: the share declined by a provider at least once.
- per provider: every accept or decline that answered an offer made to that provider, timed
  from the offer (`ReferralEvent.response_seconds`); expiries count offers left unanswered. The
  Provider Portal's "My responsiveness" reads the same events (`portal.responsiveness`).
- unmet demand: referrals nobody holds now that expired or were declined, per network.

Each figure is one aggregate query over indexed columns, so the page stays fast as data grows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from providers.models import InsuranceNetwork, Provider
from referrals import percentiles
from referrals.models import Referral, ReferralEvent

GOAL = timedelta(hours=12)  # "Respond to referred clients within 12 hours"
DAY = timedelta(hours=24)

BUCKETS = [  # (label, upper bound in hours); the distribution of time to first response
    ("Under 1 h", 1),
    ("1–3 h", 3),
    ("3–6 h", 6),
    ("6–12 h", 12),
    ("12–24 h", 24),
    ("24–48 h", 48),
    ("Over 48 h", None),
]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _counts(now: datetime) -> dict:
    """The conditional counts every summary row needs, as aggregate expressions."""
    goal, day = GOAL.total_seconds(), DAY.total_seconds()
    old_goal = Q(created_at__lte=now - GOAL)
    old_day = Q(created_at__lte=now - DAY)
    old_expiry = Q(created_at__lte=now - settings.REFERRAL_EXPIRE_AFTER)
    return {
        "received": Count("pk"),
        "answered": Count("pk", filter=Q(response_seconds__isnull=False)),
        "accepted": Count("pk", filter=Q(accept_seconds__isnull=False)),
        "goal_base": Count("pk", filter=old_goal),
        "goal_met": Count("pk", filter=old_goal & Q(response_seconds__lte=goal)),
        "day_base": Count("pk", filter=old_day),
        "day_met": Count("pk", filter=old_day & Q(response_seconds__lte=day)),
        "expiry_base": Count("pk", filter=old_expiry),
        "expired": Count("pk", filter=old_expiry & Q(expired_at__isnull=False)),
        "declined": Count("pk", filter=Q(declines__gt=0)),
    }


@dataclass
class Row:
    """One line of a breakdown table (or the whole period)."""

    label: str
    key: object
    received: int
    answered: int
    accepted: int
    within_goal: float | None
    within_day: float | None
    expiry_rate: float | None
    decline_rate: float | None
    response: dict
    counts: dict
    accept: dict | None = None


def _row(label, key, c: dict, response: dict, accept: dict | None = None) -> Row:
    return Row(
        label=label,
        key=key,
        received=c["received"],
        answered=c["answered"],
        accepted=c["accepted"],
        within_goal=_share(c["goal_met"], c["goal_base"]),
        within_day=_share(c["day_met"], c["day_base"]),
        expiry_rate=_share(c["expired"], c["expiry_base"]),
        decline_rate=_share(c["declined"], c["received"]),
        response=response,
        counts=c,
        accept=accept,
    )


def summary(qs: QuerySet, now: datetime) -> Row:
    """The whole period in one query: counts, the distribution and both percentiles."""
    row = qs.order_by().aggregate(
        **_counts(now),
        **_bucket_counts(),
        **percentiles.annotations("response_seconds", "response"),
        **percentiles.annotations("accept_seconds", "accept"),
    )
    percentiles.fill([row], qs, None, "response_seconds", "response")
    percentiles.fill([row], qs, None, "accept_seconds", "accept")
    return _row(
        "",  # the whole period: the page names it
        None,
        row,
        percentiles.pick(row, "response"),
        percentiles.pick(row, "accept"),
    )


def breakdown(qs: QuerySet, group: str, now: datetime, label) -> list[Row]:
    """Summary rows per value of `group` (e.g. "kind", "insurance_network") in one query;
    `label(key)` names each row."""
    rows = list(
        qs.order_by()
        .values(group)
        .annotate(**_counts(now), **percentiles.annotations("response_seconds", "response"))
        .order_by(group)
    )
    percentiles.fill(rows, qs, group, "response_seconds", "response")
    return [_row(label(r[group]), r[group], r, percentiles.pick(r, "response")) for r in rows]


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
    provider: Provider
    answers: int
    accepts: int
    declines: int
    expiries: int
    within_goal: float | None
    median: float | None
    p90: float | None


def by_provider(qs: QuerySet, since: datetime) -> list[ProviderRow]:
    """Per provider, answers and expiries on the referrals in `qs`, all received after `since`
    (so their events are too: that bound lets the database use the (kind, at) index)."""
    in_period = qs.order_by().values("pk")
    answers = ReferralEvent.objects.filter(
        at__gte=since,
        referral__in=in_period,
        kind__in=[ReferralEvent.Kind.ACCEPTED, ReferralEvent.Kind.DECLINED],
        response_seconds__isnull=False,
        provider__isnull=False,
    )
    rows = list(
        answers.order_by()
        .values("provider")
        .annotate(
            answers=Count("pk"),
            accepts=Count("pk", filter=Q(kind=ReferralEvent.Kind.ACCEPTED)),
            declines=Count("pk", filter=Q(kind=ReferralEvent.Kind.DECLINED)),
            met=Count("pk", filter=Q(response_seconds__lte=GOAL.total_seconds())),
            **percentiles.annotations("response_seconds", "response"),
        )
    )
    percentiles.fill(rows, answers, "provider", "response_seconds", "response")
    counts = {row["provider"]: row for row in rows}
    expiries = dict(
        ReferralEvent.objects.filter(
            at__gte=since,
            referral__in=in_period,
            kind=ReferralEvent.Kind.EXPIRED,
            provider__isnull=False,
        )
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values_list("provider", "n")
    )
    providers = Provider.objects.in_bulk(set(counts) | set(expiries))
    result = []
    for pk, provider in providers.items():
        c = counts.get(pk, {"answers": 0, "accepts": 0, "declines": 0, "met": 0})
        result.append(
            ProviderRow(
                provider=provider,
                answers=c["answers"],
                accepts=c["accepts"],
                declines=c["declines"],
                expiries=expiries.get(pk, 0),
                within_goal=_share(c["met"], c["answers"]),
                median=c.get("response_median"),
                p90=c.get("response_p90"),
            )
        )
    return sorted(result, key=lambda r: (r.median is None, r.median or 0, r.provider.name))


@dataclass
class UnmetRow:
    label: str
    unmet: int
    active_providers: int


def unmet_demand(qs: QuerySet) -> list[UnmetRow]:
    """Per network: referrals nobody holds now that expired or were declined by a provider."""
    unmet = (
        qs.order_by()
        .filter(status=Referral.Status.AVAILABLE)
        .filter(Q(expired_at__isnull=False) | Q(declines__gt=0))
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
