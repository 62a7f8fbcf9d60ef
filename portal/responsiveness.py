"""How quickly a provider answers the referrals offered to them, from the audit trail.

An *offer* is a Preferred Provider referral received for a provider, or a referral staff offered
to one. It ends with the provider's answer (accept or decline: the response time), with the
48-hour expiry (counted as expired), or otherwise (staff offered it to someone else, or the
provider was made inactive), which is not the provider's doing and is left out. Offers still
waiting are left out too. The policy asks providers to respond within 12 hours.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.db.models import Q

from referrals.models import ReferralEvent

Kind = ReferralEvent.Kind
RESPOND_WITHIN = timedelta(hours=12)
_ENDS_OFFER = {Kind.ACCEPTED, Kind.DECLINED, Kind.EXPIRED, Kind.OFFERED}


@dataclass(frozen=True)
class Row:
    referral_id: int
    kind: str
    provider_id: int | None
    reason: str
    at: datetime


@dataclass(frozen=True)
class Outcome:
    provider_id: int
    offered_at: datetime
    response: timedelta | None  # None: expired


@dataclass(frozen=True)
class Summary:
    offers: int
    answered: int
    within: int
    expired: int
    median: timedelta | None

    @property
    def share_within(self) -> float | None:
        return self.within / self.offers if self.offers else None


def outcomes(rows) -> list[Outcome]:
    """Each ended offer in `rows` (sorted by referral, time, id) and how it ended."""
    found = []
    open_offer = {}  # referral_id -> (provider_id, offered_at)
    for row in rows:
        offer = open_offer.get(row.referral_id)
        if offer and row.kind in _ENDS_OFFER:
            del open_offer[row.referral_id]
            provider_id, offered_at = offer
            if row.provider_id == provider_id:
                if row.kind == Kind.EXPIRED:
                    found.append(Outcome(provider_id, offered_at, None))
                elif (
                    row.reason != ReferralEvent.Reason.PROVIDER_INACTIVE
                    and row.kind != Kind.OFFERED
                ):
                    found.append(Outcome(provider_id, offered_at, row.at - offered_at))
        if row.kind in (Kind.RECEIVED, Kind.OFFERED) and row.provider_id:
            open_offer[row.referral_id] = (row.provider_id, row.at)
    return found


def summarize(found: list[Outcome]) -> Summary:
    times = [o.response for o in found if o.response is not None]
    return Summary(
        offers=len(found),
        answered=len(times),
        within=sum(1 for t in times if t <= RESPOND_WITHIN),
        expired=len(found) - len(times),
        median=median(times) if times else None,
    )


def load_outcomes(since: datetime) -> list[Outcome]:
    """Every ended offer made since `since`, for all providers, in one query."""
    offered = ReferralEvent.objects.filter(
        Q(kind__in=[Kind.RECEIVED, Kind.OFFERED]), provider__isnull=False, at__gte=since
    ).values("referral_id")
    rows = (
        ReferralEvent.objects.filter(referral_id__in=offered)
        .order_by("referral_id", "at", "id")
        .values_list("referral_id", "kind", "provider_id", "reason", "at")
    )
    return [o for o in outcomes(Row(*r) for r in rows) if o.offered_at >= since]


def for_provider(provider_id: int, now: datetime, windows=(30, 90)) -> list[dict]:
    """For each window in days: this provider's summary and the practice's."""
    found = load_outcomes(now - timedelta(days=max(windows)))
    report = []
    for days in windows:
        since = now - timedelta(days=days)
        recent = [o for o in found if o.offered_at >= since]
        report.append(
            {
                "days": days,
                "mine": summarize([o for o in recent if o.provider_id == provider_id]),
                "practice": summarize(recent),
            }
        )
    return report
