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

from django.db.models import Count, Q

from referrals import response_figures
from referrals.models import Referral, ReferralEvent


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


def _contact_counts(since: datetime, now: datetime, provider_id: int | None) -> dict:
    """ "Contacted within 12 hours" (`response_figures.contact_figure`) over referrals first
    accepted since `since`: the practice's and, with `provider_id`, the ones that provider was
    first to accept. One query. Each value is (met, counted)."""
    figure = response_figures.contact_figure(now)
    counted = figure.base & Q(first_accepted_at__gte=since)
    mine = Q(first_accepted_by_id=provider_id)
    row = Referral.objects.aggregate(
        practice_met=Count("pk", filter=counted & figure.met),
        practice=Count("pk", filter=counted),
        mine_met=Count("pk", filter=counted & figure.met & mine),
        mine=Count("pk", filter=counted & mine),
    )
    return {
        "practice": (row["practice_met"], row["practice"]),
        "mine": (row["mine_met"], row["mine"]),
    }


def contact_share(since: datetime, now: datetime, provider_id: int | None = None) -> tuple:
    """(contacted within 12 hours, counted) for one provider's first accepts, or the practice's."""
    return _contact_counts(since, now, provider_id)["mine" if provider_id else "practice"]


def for_provider(provider_id: int, now: datetime, windows=(30, 90)) -> list[dict]:
    """For each window in days: this provider's summary and the practice's, and the share of
    clients contacted within 12 hours of accepting (theirs and the practice's)."""
    report = []
    for days in windows:
        since = now - timedelta(days=days)
        contacts = _contact_counts(since, now, provider_id)
        report.append(
            {
                "days": days,
                "mine": summary(since, provider_id),
                "practice": summary(since),
                "my_contacts": contacts["mine"],
                "practice_contacts": contacts["practice"],
            }
        )
    return report
