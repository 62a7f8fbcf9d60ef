"""What the status page shows, read in as few queries as the page can: the referral with its
client and holder, and how long providers usually take to answer (the practice's own median,
`referrals.response_figures.offer_rows`, cached so the page does not count every visit)."""

from datetime import datetime, timedelta

from django.core.cache import cache

from config.durations import roughly
from providers.contact import phone_for_clients
from referrals.eligibility import may_report_not_contacted
from referrals.models import Referral, ReferralEvent
from referrals.response_figures import offer_rows

FIGURES_OVER = timedelta(days=90)  # the answers the typical time is taken from
CACHE_KEY = "client_status:typical_answer_seconds"
CACHE_FOR = 3600


def referral_for_page(referral_id: int) -> Referral | None:
    """The referral with what the page shows of it, in one query."""
    return (
        Referral.objects.select_related("client", "accepted_by", "insurance_network")
        .filter(pk=referral_id)
        .first()
    )


def typical_answer(now: datetime) -> timedelta | None:
    """The median time providers took to answer an offer made to them, over the last 90 days
    (None without answers), cached for an hour."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        events = ReferralEvent.objects.filter(at__gte=now - FIGURES_OVER, at__lte=now)
        median = offer_rows(events)[0]["response_median"]
        cached = {"seconds": median}
        cache.set(CACHE_KEY, cached, CACHE_FOR)
    seconds = cached["seconds"]
    return None if seconds is None else timedelta(seconds=seconds)


def stage(referral: Referral) -> str:
    """Where the request stands, in the page's words: received (and waiting for a provider),
    accepted, contacted, or closed."""
    if referral.status == Referral.Status.CLOSED:
        return "closed"
    if referral.status == Referral.Status.ACCEPTED:
        return "contacted" if referral.contacted_at else "accepted"
    return "waiting"


def page_context(referral: Referral, now: datetime) -> dict:
    holder = referral.accepted_by if referral.status == Referral.Status.ACCEPTED else None
    current = stage(referral)
    typical = typical_answer(now) if current == "waiting" else None
    return {
        "referral": referral,
        "first_name": referral.client.first_name,
        "stage": current,
        "holder": holder,
        "holder_phone": phone_for_clients(holder) if holder else "",
        "typical_answer": roughly(typical) if typical else "",
        "may_report_not_contacted": may_report_not_contacted(referral, now),
        "is_open": current != "closed",
    }
