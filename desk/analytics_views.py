"""The analytics page and its CSV export, for any filter. Staff only."""

import csv
from datetime import UTC, datetime, time, timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from config.csv_cells import write_cell
from config.durations import short
from desk import analytics as figures
from desk import charts
from desk.forms import AnalyticsFilterForm, period
from providers.models import InsuranceNetwork, Provider
from referrals import response_figures as defined
from referrals.models import Referral, ReferralEvent


def _filtered(request):
    """(form, referrals in the chosen period/type/network, their events, start, end); a bad
    filter falls back to defaults and the form shows why. The events are picked by the received
    time they carry, reading the referrals only for a type or network."""
    form = AnalyticsFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    start, end = period(data)
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    chosen = {}  # the referral columns the type and network narrow
    if data.get("kind"):
        chosen["kind"] = data["kind"]
    if data.get("network") == "self":
        chosen["insurance_network__isnull"] = True
    elif data.get("network"):
        chosen["insurance_network_id"] = data["network"]
    qs = Referral.objects.filter(created_at__gte=since, created_at__lt=until, **chosen)
    events = ReferralEvent.objects.filter(
        received_at__gte=since,
        received_at__lt=until,
        **{f"referral__{column}": value for column, value in chosen.items()},
    )
    return form, qs, events, start, end


def _room_to_sort() -> None:
    """Inside a transaction on PostgreSQL: let this page's percentile sorts (a few MB for 100,000
    referrals) run in memory instead of spilling to disk, and let the planner count an index page
    as cheap as the heap's it replaces (both in memory), so the percentiles read their values in
    order from the analytics indexes (`Referral.Meta.indexes`) rather than scanning and sorting
    the table; the settings end with the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '32MB'; SET LOCAL random_page_cost = 1.1")


@staff_member_required
@transaction.atomic
def analytics(request):
    _room_to_sort()
    now = timezone.now()
    form, qs, events, start, end = _filtered(request)
    names = dict(InsuranceNetwork.objects.values_list("pk", "name"))
    everyone = Provider.objects.in_bulk()
    overview = figures.overview(qs, now, names, start, end)
    summary = overview.summary
    weeks = overview.weeks
    providers = figures.by_provider(events, everyone)
    distribution = figures.distribution(summary)
    return render(
        request,
        "desk/analytics.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "summary": summary,
            "weeks": weeks,
            "types": overview.types,
            "networks": overview.networks,
            "providers": providers,
            "distribution": distribution,
            "unmet": figures.unmet_demand(qs, names),
            "holders": figures.funnel_by_provider(qs, everyone),
            "query": request.GET.urlencode(),
            "distribution_chart": charts.horizontal(distribution),
            "weekly_chart": charts.weekly(
                [(w.label, w.received, w.counts["within_goal_met"]) for w in weeks]
            ),
            "provider_chart": charts.horizontal(
                [(p.provider.name, p.median) for p in providers], fmt=short
            ),
        },
    )


EXPORT_COLUMNS = [
    "referral",
    "received_at_utc",
    "type",
    "insurance_network",
    "preferred_provider",
    "status",
    "accepted_by",
    "first_response_at_utc",
    "response_seconds",
    "accept_seconds",
    "declines",
    "declined_offers",
    "declined_after_accepting",
    "contacted_at_utc",
    "outcome",
    "closed_at_utc",
    "first_session_on",
    "first_session_days",
]  # then one column per referral figure (`response_figures.referral_flags`)


class _Echo:
    def write(self, value):
        return value


def _iso(value):
    return value.astimezone(UTC).isoformat() if value else ""


def _export_rows(qs, now):
    writer = csv.writer(_Echo())
    flags = defined.referral_flags(now)
    yield writer.writerow([*EXPORT_COLUMNS, *flags])
    rows = (
        qs.select_related("insurance_network", "preferred_provider", "accepted_by")
        .annotate(**{f"figure_{column}": flag for column, flag in flags.items()})
        .order_by("created_at", "pk")
    )
    for r in rows.iterator(chunk_size=2000):
        row = [
            r.number,
            _iso(r.created_at),
            r.kind,
            r.network_label,
            r.preferred_provider.name if r.preferred_provider else "",
            r.status,
            r.accepted_by.name if r.accepted_by else "",
            _iso(r.first_response_at),
            "" if r.response_seconds is None else r.response_seconds,
            "" if r.accept_seconds is None else r.accept_seconds,
            r.declines,
            r.declined_offers,
            r.declined_after_accepting,
            _iso(r.contacted_at),
            r.outcome,
            _iso(r.closed_at),
            r.first_session_on.isoformat() if r.first_session_on else "",
            "" if r.first_session_days is None else r.first_session_days,
            *(getattr(r, f"figure_{column}") for column in flags),
        ]
        yield writer.writerow([write_cell(value) for value in row])


@staff_member_required
def export_csv(request):
    """The rows behind the figures, one per referral, with no client names or contact details."""
    _, qs, _, start, end = _filtered(request)
    rows = _export_rows(qs, timezone.now())
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="referrals-{start}-to-{end}.csv"'
    return response
