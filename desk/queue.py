"""Selectors for the staff queue: which referrals are open, their deadlines (the next one first),
and filters with counts. Reads only; every change goes through `referrals.services`. What needs
attention is `desk.attention`."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import Least

from config.display import urgency
from referrals.models import Referral

Status = Referral.Status


AGE_BANDS = {
    "lt12": ("Under 12 hours", 0, 12),
    "12to24": ("12 to 24 hours", 12, 24),
    "24to48": ("24 to 48 hours", 24, 48),
    "gt48": ("Over 48 hours", 48, None),
}


@dataclass(frozen=True)
class Deadline:
    label: str
    at: datetime

    def urgency(self, now: datetime) -> str:
        return urgency(self.at, now)


def deadlines(referral: Referral) -> list[Deadline]:
    """The clocks running on a referral, soonest first."""
    found = []
    if referral.link_expires_at:
        found.append(Deadline("link expires", referral.link_expires_at))
    # The provider's and the client's 24-hour reminders usually fall together: shown once.
    for at in sorted({d for d in (referral.remind_at, referral.client_remind_at) if d}):
        found.append(Deadline("24-hour reminder", at))
    if referral.expires_at:
        found.append(Deadline("declined automatically", referral.expires_at))
    if referral.contact_due_at:
        found.append(Deadline("contact to be confirmed", referral.contact_due_at))
    return sorted(found, key=lambda d: d.at)


NEVER = datetime(9999, 12, 31, tzinfo=UTC)  # sorts after every real deadline


def next_deadline_at(now: datetime) -> Least:
    """In SQL, the first of `deadlines(referral)` still ahead of `now` (NEVER when none is), so
    the queue is ordered by it in the database and pages stay right. Each clock is taken only
    while ahead: the earliest ahead, as `next_deadline` picks it in Python."""
    link_ttl = settings.REFERRAL_LINK_TTL
    link_expires = Case(
        When(
            status=Status.PENDING,
            link_sent_at__gt=now - link_ttl,
            then=F("link_sent_at") + Value(link_ttl),
        ),
        default=Value(NEVER),
        output_field=DateTimeField(),
    )

    def ahead(column: str) -> Case:
        return Case(
            When(**{f"{column}__gt": now}, then=F(column)),
            default=Value(NEVER),
            output_field=DateTimeField(),
        )

    return Least(
        link_expires,
        ahead("remind_at"),
        ahead("client_remind_at"),
        ahead("expires_at"),
        ahead("contact_due_at"),
    )


def next_deadline(clocks: list[Deadline], now: datetime) -> Deadline | None:
    """The first of `deadlines(referral)` still ahead."""
    return next((d for d in clocks if d.at > now), None)


def open_referrals() -> QuerySet[Referral]:
    return Referral.objects.on_the_desk().select_related(
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
    status_qs = apply_filters(Referral.objects.on_the_desk(), filters, now, skip="status")
    kind_qs = apply_filters(Referral.objects.on_the_desk(), filters, now, skip="kind")
    age_qs = apply_filters(Referral.objects.on_the_desk(), filters, now, skip="age")
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
