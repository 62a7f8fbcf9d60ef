"""What each response figure counts, written once. The staff desk's analytics (page and CSV) and
the Provider Portal's "My responsiveness" count with these definitions only; the words under each
figure (templates/figures/) say the same thing in the practice's language.

Referral figures count referrals received in a period, from the columns the services fill in as
things happen (`response_seconds`, `expired_at`, `declined_offers`, ...). Offer figures count the
ends of offers made to one provider, from the audit events (`ReferralEvent.response_seconds`).

The funnel (received → accepted → contacted → first session scheduled) and the days from request
to first session are referral figures too, from the columns the services fill in when a referral
is accepted, contacted and closed (`accept_seconds`, `contacted_at`, `outcome`,
`first_session_days`).

Every line is strict: "within 12 hours" means in less than 12:00:00, the way a referral expires
at exactly 48:00:00 (`services._refuse_if_expired`), so an answer at 12:00:00 is late, and the
response-time chart puts it in "12–24 h".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils.functional import cached_property

from referrals import percentiles
from referrals.models import Referral, ReferralEvent

DAY = timedelta(hours=24)


def within(field: str, limit: timedelta) -> Q:
    """`field` (seconds) is less than `limit`."""
    return Q(**{f"{field}__lt": int(limit.total_seconds())})


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Count(models.Count):
    """COUNT, which every backend already returns as an int: without Django's int() of each value
    read (the analytics page reads some 50,000 for two years of weeks x types x networks)."""

    @cached_property
    def convert_value(self):
        return self._convert_value_noop


# Referral figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A share of referrals: those matching `met` among those matching `base` (None: all
    received). `key` names it in code, `column` in the CSV."""

    key: str
    column: str
    base: Q | None
    met: Q


def referral_figures(now: datetime) -> list[Figure]:
    """Referral figures as of `now`; a time limit is counted over referrals received at least
    that long ago, so a referral still inside it is not counted either way."""
    answer_by = settings.REFERRAL_EXPIRE_AFTER  # the policy's 48 hours

    def received(ago: timedelta) -> Q:
        return Q(created_at__lte=now - ago)

    return [
        # Answered within 12 h / 24 h: a provider's first accept or decline came in less time.
        Figure(
            "within_goal",
            "within_12h",
            received(settings.RESPOND_WITHIN),
            within("response_seconds", settings.RESPOND_WITHIN),
        ),
        Figure("within_day", "within_24h", received(DAY), within("response_seconds", DAY)),
        # No answer within 48 hours of being received: no provider answered in that time.
        Figure(
            "no_answer_48h",
            "no_answer_in_48h",
            received(answer_by),
            Q(response_seconds__isnull=True)
            | Q(response_seconds__gte=int(answer_by.total_seconds())),
        ),
        # Declined automatically at least once, in any round (also after a decline or an offer).
        Figure("expiry_rate", "expired", received(answer_by), Q(expired_at__isnull=False)),
        # A provider declined an offer made to them (not available) at least once.
        Figure("declined_offer_rate", "declined_an_offer", None, Q(declined_offers__gt=0)),
        # The holder declined after accepting (not a fit after contact) at least once.
        Figure(
            "not_a_fit_rate", "not_a_fit_after_contact", None, Q(declined_after_accepting__gt=0)
        ),
        contact_figure(now),
    ]


def contact_figure(now: datetime) -> Figure:
    """Contacted within 12 hours: among referrals a provider first accepted at least 12 hours
    ago, those whose client was confirmed contacted less than 12 hours after that first accept
    (by whoever held it then). The policy's "respond to referred clients within 12 hours", from
    the provider's side; the nudge at `CONTACT_WITHIN` serves the same promise."""
    return Figure(
        "contacted_within_goal",
        "contacted_within_12h",
        Q(first_accepted_at__lte=now - settings.RESPOND_WITHIN),
        within("contact_seconds", settings.RESPOND_WITHIN),
    )


def unanswered(now: datetime) -> Q:
    """Received over 48 hours ago and no provider has answered yet: beside the percentiles of
    time to first response, which can only count referrals that were answered."""
    return Q(created_at__lte=now - settings.REFERRAL_EXPIRE_AFTER, response_seconds__isnull=True)


# The funnel: each step among the referrals of the step before. A duplicate merged into another
# referral is left out: the person is counted once, under the referral it joined.
FUNNEL_BASE = ~Q(outcome=Referral.Outcome.DUPLICATE)
FUNNEL_STEPS = {
    "received": Q(),
    # a provider accepted it at least once
    "accepted": Q(accept_seconds__isnull=False),
    # the provider who holds it (or held it when it closed) confirmed they contacted the client
    "contacted": Q(contacted_at__isnull=False),
    # closed by the holder (or staff) with the date of the first session
    "first_session": Q(outcome=Referral.Outcome.FIRST_SESSION),
}
FIRST_SESSION_DAYS = "first_session_days"  # the median and 90th percentile are over these


def funnel_counts() -> dict:
    """Aggregates `funnel_<step>` for each step of FUNNEL_STEPS."""
    # Counted over `created_at` (never null), not the primary key: the holders' funnel reads
    # these from an index alone (`referral_held`), which has no primary key.
    return {
        f"funnel_{step}": Count("created_at", filter=FUNNEL_BASE & condition)
        for step, condition in FUNNEL_STEPS.items()
    }


def funnel(counts: dict) -> dict:
    """The funnel's counts, and each step's share of the step before (`<step>_share`)."""
    steps = list(FUNNEL_STEPS)
    result = {step: counts[f"funnel_{step}"] for step in steps}
    for before, step in zip(steps, steps[1:], strict=False):
        result[f"{step}_share"] = share(result[step], result[before])
    return result


def referral_counts(now: datetime) -> dict:
    """Aggregates for every referral figure: `<key>_base` and `<key>_met` per figure, the plain
    counts and the funnel's."""
    counts = {
        **funnel_counts(),
        "received": Count("pk"),
        "answered": Count("pk", filter=Q(response_seconds__isnull=False)),
        "accepted": Count("pk", filter=Q(accept_seconds__isnull=False)),
        "unanswered": Count("pk", filter=unanswered(now)),
    }
    for figure in referral_figures(now):
        met = figure.met if figure.base is None else figure.base & figure.met
        counts[f"{figure.key}_base"] = Count("pk", filter=figure.base)
        counts[f"{figure.key}_met"] = Count("pk", filter=met)
    return counts


def referral_shares(counts: dict, now: datetime, figures: list[Figure] | None = None) -> dict:
    """Each figure's share, from the counts of `referral_counts`; `figures` are
    `referral_figures(now)` when the caller already has them (many rows, one `now`)."""
    return {
        f.key: share(counts[f"{f.key}_met"], counts[f"{f.key}_base"])
        for f in figures or referral_figures(now)
    }


def referral_flags(now: datetime) -> dict:
    """Per referral, for the CSV, one column per figure: "yes" or "no", or "" while it is not
    counted yet (received less than 12, 24 or 48 hours ago)."""
    flags = {}
    for figure in referral_figures(now):
        whole = figure.base if figure.base is not None else Q(pk__isnull=False)
        flags[figure.column] = Case(
            When(whole & figure.met, then=Value("yes")),
            When(whole, then=Value("no")),
            default=Value(""),
            output_field=CharField(),
        )
    return flags


# Offer figures ---------------------------------------------------------------------------------

Kind = ReferralEvent.Kind
# A provider's answer to an offer made to them: the services time it from when it reached them.
ANSWER = Q(kind__in=[Kind.ACCEPTED, Kind.DECLINED], response_seconds__isnull=False)
# An offer left unanswered for 48 hours: the expiry names the provider it waited for.
EXPIRY = Q(kind=Kind.EXPIRED)


def offer_counts() -> dict:
    """Per provider: offers ended (answered or expired); answered, accepted, declined and expired
    among them; answered within 12 hours. (A referral accepted while open to everyone answered no
    offer and is not counted.)"""
    # Counted over `kind` (never null), not the primary key: the page reads these from an index
    # alone (`event_offer_ended`), which has no primary key.
    return {
        "offers": Count("kind", filter=ANSWER | EXPIRY),
        "answered": Count("kind", filter=ANSWER),
        "accepts": Count("kind", filter=ANSWER & Q(kind=Kind.ACCEPTED)),
        "declines": Count("kind", filter=ANSWER & Q(kind=Kind.DECLINED)),
        "expired": Count("kind", filter=EXPIRY),
        "within": Count(
            "kind", filter=ANSWER & within("response_seconds", settings.RESPOND_WITHIN)
        ),
    }


def offer_rows(events: QuerySet, group: str | None = None) -> list[dict]:
    """The offer figures over `events` (audit events already narrowed to a period), one row per
    value of `group` (e.g. "provider"), or one row for all. "within_share" is answered within
    12 hours among offers: an expiry, the worst answer, counts against it. Median and 90th
    percentile ("response_median", "response_p90") are over answers."""
    ended = events.filter(ANSWER | EXPIRY, provider__isnull=False).order_by()
    aggregates = {**offer_counts(), **percentiles.annotations("response_seconds", "response")}
    if group is None:
        rows = [ended.aggregate(**aggregates)]
    else:
        rows = list(ended.values(group).annotate(**aggregates))
    percentiles.fill(rows, ended, group, "response_seconds", "response")
    for row in rows:
        row["within_share"] = share(row["within"], row["offers"])
    return rows
