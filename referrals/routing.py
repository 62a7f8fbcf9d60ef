"""Who gets the next wave of offers for an available referral, and why in that order.

Routing reads only: `services.route_referral` makes the offers it picks. Eligible providers are
those `eligibility` allows (active, in the client's network, may get new referrals, has not
declined this referral) and not offered this referral before. They are ordered by
1. fit to what the client asked for (language, in person/video, who the care is for, focus
   areas), most matches first;
2. fairness: fewest referrals offered to them in the last 14 days;
3. responsiveness: shortest median answer time to offers made to them (none yet: last);
then by id, so the same inputs always give the same order. Each pick keeps a short reason and
each in-network provider left out keeps why, for the desk's routing trace.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count

from providers.models import Provider
from providers.needs import Modality
from referrals.eligibility import declined_by, in_network, may_get_new_referrals
from referrals.models import Offer, Referral, ReferralEvent
from referrals.response_figures import offer_rows

FAIRNESS_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Pick:
    provider: Provider
    reason: str


@dataclass
class Wave:
    picks: list[Pick] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"provider": name, "reason": why}


def fit(referral: Referral, provider: Provider, focus: set[int]) -> tuple[int, list[str]]:
    """How many of the client's wishes this provider meets, and which."""
    met = []
    if referral.language_id and any(
        lang.pk == referral.language_id for lang in provider.languages.all()
    ):
        met.append("language")
    if referral.modality and (
        referral.modality == Modality.EITHER
        and provider.modalities
        or referral.modality in provider.modalities
    ):
        met.append("modality")
    if referral.care_for and referral.care_for in provider.populations:
        met.append("population")
    shared = focus & {s.pk for s in provider.specialties.all()}
    met.extend(["focus area"] * len(shared))
    return len(met), met


def offers_lately(provider_ids: list[int], at: datetime) -> dict[int, int]:
    """Referrals offered to each provider in the last 14 days: routing offers, plus referrals
    that named them as preferred provider or that staff offered to them."""
    since = at - FAIRNESS_WINDOW
    counts = dict(
        Offer.objects.filter(provider__in=provider_ids, offered_at__gt=since, offered_at__lte=at)
        .values("provider")
        .annotate(n=Count("pk"))
        .values_list("provider", "n")
    )
    direct = (
        ReferralEvent.objects.filter(
            provider__in=provider_ids,
            at__gt=since,
            at__lte=at,
            kind__in=[ReferralEvent.Kind.RECEIVED, ReferralEvent.Kind.OFFERED],
        )
        .values("provider")
        .annotate(n=Count("pk"))
        .values_list("provider", "n")
    )
    for pk, n in direct:
        counts[pk] = counts.get(pk, 0) + n
    return counts


def median_answers(provider_ids: list[int]) -> dict[int, float]:
    """Each provider's median time to answer an offer made to them (seconds), counted as the
    desk and the portal count it (`response_figures.offer_rows`); none for a provider without
    answers."""
    rows = offer_rows(ReferralEvent.objects.filter(provider__in=provider_ids), "provider")
    return {
        row["provider"]: row["response_median"]
        for row in rows
        if row["response_median"] is not None
    }


def _describe(met: list[str], offered: int, median: float | None) -> str:
    fit_words = f"fits {', '.join(met)}" if met else "no stated wish met"
    answer = f"median answer {median / 3600:.1f} h" if median is not None else "no answers yet"
    return f"{fit_words}; {offered} offered in 14 days; {answer}"


def next_wave(referral: Referral, at: datetime, size: int | None = None) -> Wave:
    """The next `size` (ROUTING_WAVE_SIZE) providers to offer this referral to, best first."""
    size = size or settings.ROUTING_WAVE_SIZE
    in_client_network = in_network(Provider.objects.active(), referral.insurance_network_id)
    # Offered before and not withdrawn (a withdrawn offer, taken by someone who later declined
    # after contact, may be made again).
    offered_before = set(
        referral.offers.exclude(answer=Offer.Answer.WITHDRAWN).values_list("provider_id", flat=True)
    )
    declined = set(declined_by(referral).values_list("provider_id", flat=True))
    available = set(may_get_new_referrals(at).values_list("pk", flat=True))
    wave = Wave()
    candidates = []
    for provider in in_client_network.exclude(pk__in=offered_before).prefetch_related(
        "languages", "specialties"
    ):
        if provider.pk in declined:
            wave.skipped.append({"provider": provider.name, "reason": "declined before"})
        elif provider.pk not in available:
            wave.skipped.append({"provider": provider.name, "reason": "not taking new referrals"})
        else:
            candidates.append(provider)
    ids = [p.pk for p in candidates]
    lately = offers_lately(ids, at)
    medians = median_answers(ids)
    focus = set(referral.focus_areas.values_list("pk", flat=True)) if referral.pk else set()
    ranked = []
    for provider in candidates:
        score, met = fit(referral, provider, focus)
        median = medians.get(provider.pk)
        key = (
            -score,
            lately.get(provider.pk, 0),
            median if median is not None else float("inf"),
            provider.pk,
        )
        ranked.append((key, provider, _describe(met, lately.get(provider.pk, 0), median)))
    ranked.sort(key=lambda item: item[0])
    wave.picks = [Pick(provider, reason) for _, provider, reason in ranked[:size]]
    return wave


def not_in_network_count(referral: Referral) -> int:
    """Active providers outside the client's network (the trace says how many, not who)."""
    active = Provider.objects.active()
    inside = in_network(active, referral.insurance_network_id)
    return active.exclude(pk__in=inside.values("pk")).count()
