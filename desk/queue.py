"""Selectors for the staff queue: which referrals are open, their deadlines, filters with counts,
and what needs attention. Reads only; every change goes through `referrals.services`."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from notifications.models import OutboxMessage
from providers.models import Provider
from referrals.models import Referral

Status = Referral.Status

# An accepted referral stays on the desk until its holder confirms they contacted the client.
OPEN = Q(status__in=[Status.PENDING, Status.AVAILABLE]) | Q(
    status=Status.ACCEPTED, contacted_at__isnull=True
)

AGE_BANDS = {
    "lt12": ("Under 12 hours", 0, 12),
    "12to24": ("12 to 24 hours", 12, 24),
    "24to48": ("24 to 48 hours", 24, 48),
    "gt48": ("Over 48 hours", 48, None),
}

URGENT_WITHIN = timedelta(hours=2)
SOON_WITHIN = timedelta(hours=6)


@dataclass(frozen=True)
class Deadline:
    label: str
    at: datetime

    def urgency(self, now: datetime) -> str:
        left = self.at - now
        if left <= URGENT_WITHIN:
            return "urgent"
        if left <= SOON_WITHIN:
            return "soon"
        return "calm"


def deadlines(referral: Referral) -> list[Deadline]:
    """The clocks running on a referral, soonest first."""
    found = []
    if referral.link_expires_at:
        found.append(Deadline("link expires", referral.link_expires_at))
    if referral.remind_at:
        found.append(Deadline("24-hour reminder", referral.remind_at))
    if referral.expires_at:
        found.append(Deadline("declined automatically", referral.expires_at))
    return sorted(found, key=lambda d: d.at)


def next_deadline(clocks: list[Deadline], now: datetime) -> Deadline | None:
    """The first of `deadlines(referral)` still ahead."""
    return next((d for d in clocks if d.at > now), None)


def open_referrals() -> QuerySet[Referral]:
    return Referral.objects.filter(OPEN).select_related(
        "client", "insurance_network", "preferred_provider", "offered_to", "accepted_by"
    )


def apply_filters(qs: QuerySet[Referral], filters: dict, now: datetime, skip: str = ""):
    """Narrow the queue by the cleaned filter form; `skip` leaves one filter out (for counts)."""
    if filters.get("status") and skip != "status":
        qs = qs.filter(status=filters["status"])
    if filters.get("kind") and skip != "kind":
        qs = qs.filter(kind=filters["kind"])
    network = filters.get("network")
    if network and skip != "network":
        qs = (
            qs.filter(insurance_network__isnull=True)
            if network == "self"
            else qs.filter(insurance_network_id=network)
        )
    provider = filters.get("provider")
    if provider and skip != "provider":
        qs = qs.filter(
            Q(preferred_provider_id=provider)
            | Q(offered_to_id=provider)
            | Q(accepted_by_id=provider)
        )
    age = filters.get("age")
    if age and skip != "age":
        _, low, high = AGE_BANDS[age]
        qs = qs.filter(created_at__lte=now - timedelta(hours=low))
        if high is not None:
            qs = qs.filter(created_at__gt=now - timedelta(hours=high))
    for word in (filters.get("q") or "").split():
        qs = qs.filter(Q(client__first_name__icontains=word) | Q(client__last_name__icontains=word))
    return qs


def facet_counts(filters: dict, now: datetime) -> dict[str, dict[str, int]]:
    """How many open referrals each status, type and age option would show, other filters kept."""
    status_qs = apply_filters(Referral.objects.filter(OPEN), filters, now, skip="status")
    kind_qs = apply_filters(Referral.objects.filter(OPEN), filters, now, skip="kind")
    age_qs = apply_filters(Referral.objects.filter(OPEN), filters, now, skip="age")
    ages = {}
    for key, (_, low, high) in AGE_BANDS.items():
        cond = Q(created_at__lte=now - timedelta(hours=low))
        if high is not None:
            cond &= Q(created_at__gt=now - timedelta(hours=high))
        ages[key] = Count("pk", filter=cond)
    return {
        "status": status_qs.aggregate(
            all=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in Status.values}
        ),
        "kind": kind_qs.aggregate(
            all=Count("pk"), **{k: Count("pk", filter=Q(kind=k)) for k in Referral.Kind.values}
        ),
        "age": age_qs.aggregate(all=Count("pk"), **ages),
    }


def needs_attention(limit: int = 10) -> dict:
    """Expired and awaiting a staff decision (offer again, or close with an outcome), clients who
    asked again while their referral is open, messages that failed, networks with no active
    provider."""
    expired = Referral.objects.filter(attention_since__isnull=False).exclude(status=Status.CLOSED)
    asked_again = Referral.objects.filter(OPEN, asked_again_at__isnull=False)
    failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
    active_in_network = Provider.objects.active().filter(
        insurance_networks=OuterRef("insurance_network_id")
    )
    uncovered = Referral.objects.filter(
        status__in=Referral.OPEN_FOR_ACCEPTANCE, insurance_network__isnull=False
    ).filter(~Exists(active_in_network))
    return {
        "expired_count": expired.count(),
        "expired": list(
            expired.select_related("insurance_network", "attention_owner").order_by(
                "attention_since", "pk"
            )[:limit]
        ),
        "asked_again_count": asked_again.count(),
        "asked_again": list(
            asked_again.select_related("insurance_network").order_by("-asked_again_at")[:limit]
        ),
        "failed_count": failed.count(),
        "failed": list(failed.select_related("referral").order_by("-created_at")[:limit]),
        "uncovered_count": uncovered.count(),
        "uncovered": list(
            uncovered.select_related("insurance_network").order_by("created_at")[:limit]
        ),
    }
