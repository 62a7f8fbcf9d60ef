"""How quickly providers answer the referrals offered to them, for "My responsiveness".

An *offer* is a Preferred Provider referral received for a provider, or a referral staff offered
to one. It ends when the provider answers (accepts or declines; timed from when it reached them)
or when it expires on them. Offers that ended otherwise (staff moved it on, the provider was made
inactive), offers still waiting and referrals open to everyone are left out. A window counts the
offers that ended in it. The figures are defined once in `referrals.response_figures`, which the
staff desk's per-provider analytics use too.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from referrals import response_figures
from referrals.models import ReferralEvent


@dataclass(frozen=True)
class Summary:
    offers: int
    answered: int
    within: int
    expired: int
    share_within: float | None
    median: timedelta | None


def summary(since: datetime, provider_id: int | None = None) -> Summary:
    """Offers that ended since `since`: one provider's, or the whole practice's."""
    events = ReferralEvent.objects.filter(at__gte=since)
    if provider_id is not None:
        events = events.filter(provider_id=provider_id)
    (row,) = response_figures.offer_rows(events)
    median = row["response_median"]
    return Summary(
        offers=row["offers"],
        answered=row["answered"],
        within=row["within"],
        expired=row["expired"],
        share_within=row["within_share"],
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
