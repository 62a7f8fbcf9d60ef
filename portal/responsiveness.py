"""How quickly providers answer the referrals offered to them, for "My responsiveness".

An *offer* is a Preferred Provider referral received for a provider, or a referral staff offered
to one. `referrals.services` writes, on the audit event of each answer to an offer (accept or
decline), how long the provider took (`response_seconds`); an expiry names the provider it was
waiting for. Offers that ended otherwise (staff moved it on, the provider was made inactive) and
offers still waiting are not the provider's doing and are left out; so are referrals open to
everyone. The staff desk's per-provider figures use the same events (`desk.analytics`).
A window counts the offers that ended in it. The policy asks for an answer within 12 hours.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q

from referrals import percentiles
from referrals.models import ReferralEvent

Kind = ReferralEvent.Kind
RESPOND_WITHIN = timedelta(hours=12)


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


def summary(since: datetime, provider_id: int | None = None) -> Summary:
    """Offers that ended since `since`: one provider's, or the whole practice's."""
    events = ReferralEvent.objects.filter(at__gte=since, provider__isnull=False)
    if provider_id is not None:
        events = events.filter(provider_id=provider_id)
    answers = events.filter(kind__in=[Kind.ACCEPTED, Kind.DECLINED], response_seconds__isnull=False)
    row = answers.order_by().aggregate(
        answered=Count("pk"),
        within=Count("pk", filter=Q(response_seconds__lte=RESPOND_WITHIN.total_seconds())),
        **percentiles.annotations("response_seconds", "response"),
    )
    percentiles.fill([row], answers, None, "response_seconds", "response")
    expired = events.filter(kind=Kind.EXPIRED).count()
    median = row["response_median"]
    return Summary(
        offers=row["answered"] + expired,
        answered=row["answered"],
        within=row["within"],
        expired=expired,
        median=timedelta(seconds=median) if median is not None else None,
    )


def for_provider(provider_id: int, now: datetime, windows=(30, 90)) -> list[dict]:
    """For each window in days: this provider's summary and the practice's."""
    report = []
    for days in windows:
        since = now - timedelta(days=days)
        report.append(
            {
                "days": days,
                "mine": summary(since, provider_id),
                "practice": summary(since),
            }
        )
    return report
