"""May this provider get new referrals now, and if not, why: the one place that answers it.

A provider gets no new referral (no offer, no @-mention, cannot be chosen as preferred provider)
while any of these holds at the instant asked about:

- they are inactive;
- they are not accepting new clients;
- they are away: the day in the practice's time zone (DISPLAY_TIME_ZONE) is between `away_from`
  and `away_until`, both included; they are back the day after `away_until`;
- they are at their weekly limit: `weekly_limit` referrals were already offered to them in the
  7 days before that instant.

"Offered" means put in front of this one provider: a Preferred Provider Referral naming them
(its RECEIVED event) and a staff offer (OFFERED), counted from the audit trail
(`referrals.ReferralEvent`, through the reverse relation so this app imports nothing above it).
Accepting an available referral is not an offer and does not count. The window is half-open,
[at - 7 days, at): the offer being made at `at` itself is not yet counted, so the offer that
reaches the limit is still made (and mentioned), and the next one is refused.

A provider who already holds or was offered a referral keeps it: this decides only new ones.

Use `Provider.objects.taking_new_referrals(at)` to filter (one query, usable as a subquery), and
`availability(provider, at)` for the reason on a page; on a list, annotate first with
`Provider.objects.with_availability(at)` so the reasons cost no more queries.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.plain_text import render_plain

WINDOW = timedelta(days=7)
# ReferralEvent kinds whose `provider` is the one provider a referral was offered to. Offers in
# routing waves are counted from their own rows (`_offers_before`).
OFFER_KINDS = ("received", "offered")
RECENT = "recent_offers"  # the annotation `with_availability` adds


class Reason:
    INACTIVE = "inactive"
    NOT_ACCEPTING = "not_accepting"
    AWAY = "away"
    AT_LIMIT = "at_limit"


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str = ""  # one of Reason, "" when ok
    back_on: date | None = None  # when away: the first day back

    @property
    def label(self) -> str:
        """What clients read ("Not accepting new clients", "Back on 12 January"); "" when ok."""
        return _label("providers/availability_public.txt", self)

    @property
    def staff_label(self) -> str:
        """The same with the reason in staff's words (e.g. at the weekly limit)."""
        return _label("providers/availability_staff.txt", self)


def _label(template: str, availability: Availability) -> str:
    if availability.ok:
        return ""
    return " ".join(render_plain(template, {"availability": availability}).split())


def practice_day(at: datetime) -> date:
    """The calendar day at `at` in the practice's time zone (DISPLAY_TIME_ZONE)."""
    return timezone.localdate(at)


def _at(at: datetime | None) -> datetime:
    return at or timezone.now()


def _offers_before(queryset: QuerySet, at: datetime):
    """Per provider row: how many referrals were offered to them in the 7 days before `at`: as
    the one provider (events of OFFER_KINDS) or in a routing wave (their `offers` rows)."""
    event = queryset.model._meta.get_field("referral_events").related_model
    offer = queryset.model._meta.get_field("offers").related_model
    single = (
        event.objects.filter(
            provider=OuterRef("pk"), kind__in=OFFER_KINDS, at__gte=at - WINDOW, at__lt=at
        )
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    in_waves = (
        offer.objects.filter(
            provider=OuterRef("pk"), offered_at__gte=at - WINDOW, offered_at__lt=at
        )
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(single, output_field=IntegerField()), 0) + Coalesce(
        Subquery(in_waves, output_field=IntegerField()), 0
    )


def taking_new_referrals(queryset: QuerySet, at: datetime | None = None) -> QuerySet:
    at = _at(at)
    day = practice_day(at)
    return (
        queryset.filter(status="active", accepting_new_clients=True)
        .exclude(away_from__lte=day, away_until__gte=day)
        .filter(Q(weekly_limit__isnull=True) | Q(weekly_limit__gt=_offers_before(queryset, at)))
    )


def annotate_recent_offers(queryset: QuerySet, at: datetime | None = None) -> QuerySet:
    at = _at(at)
    return queryset.annotate(**{RECENT: _offers_before(queryset, at)})


def availability(provider, at: datetime | None = None) -> Availability:
    """Whether `provider` may get a new referral at `at`, and if not, why. The same rule as
    `taking_new_referrals`; uses the `with_availability` annotation when present (made for the
    same instant), else asks the database once, and only when a weekly limit is set."""
    at = _at(at)
    if provider.status != "active":
        return Availability(False, Reason.INACTIVE)
    if not provider.accepting_new_clients:
        return Availability(False, Reason.NOT_ACCEPTING)
    day = practice_day(at)
    if _away(provider, day):
        return Availability(False, Reason.AWAY, provider.away_until + timedelta(days=1))
    if provider.weekly_limit is not None and _recent_offers(provider, at) >= provider.weekly_limit:
        return Availability(False, Reason.AT_LIMIT)
    return Availability(True)


def _away(provider, day: date) -> bool:
    return bool(provider.away_from and provider.away_until) and (
        provider.away_from <= day <= provider.away_until
    )


def _recent_offers(provider, at: datetime) -> int:
    if hasattr(provider, RECENT):  # annotated by with_availability for this request's instant
        return getattr(provider, RECENT)
    manager = type(provider)._default_manager
    row = annotate_recent_offers(manager.filter(pk=provider.pk), at).values(RECENT).first()
    return row[RECENT] if row else 0
