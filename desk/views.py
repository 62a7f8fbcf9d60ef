"""The staff queue and one referral's timeline. Staff only (Django admin sign-in).

The queue's filters travel in the URL so a view can be bookmarked, except the client's name: it is
sent by POST only (the filter form, the pager and the live refresh all post it), so a name never
reaches the address bar, browser history, a Referer header or the access log.
"""

import json
from urllib.parse import urlencode

from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from desk import attention
from desk import queue as selectors
from desk import timeline as timeline_builder
from desk.forms import (
    CloseForm,
    DeclineForm,
    NoteForm,
    QueueFilterForm,
    staff_members,
)
from providers.availability import availability
from referrals import eligibility
from referrals.access_log import TIMELINE_VIEWS, Page, recent_views, record_views
from referrals.eligibility import offer_choices
from referrals.models import Referral

PAGE_SIZE = 50
POLL_SECONDS = 15


NAME_FILTER = "q"  # the client's name: never in a URL


@staff_member_required
@require_http_methods(["GET", "POST"])
def queue(request):
    now = timezone.now()
    if request.method == "POST":
        data = request.POST
    else:
        data = request.GET.copy()
        data.pop(NAME_FILTER, None)  # a name in a URL is not searched, so none is put there
    form = QueueFilterForm(data or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = (
        selectors.apply_filters(selectors.open_referrals(), filters, now)
        .annotate(next_deadline_at=selectors.next_deadline_at(now))
        .order_by("next_deadline_at", "created_at", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(data.get("page"))
    carried = {name: data[name] for name in form.fields if data.get(name)}
    in_url = urlencode({k: v for k, v in carried.items() if k != NAME_FILTER})
    for referral in page:
        referral.deadlines = selectors.deadlines(referral)
        referral.next_deadline = selectors.next_deadline(referral.deadlines, now)
        referral.urgency = referral.next_deadline.urgency(now) if referral.next_deadline else ""
    context = {
        "form": form,
        "page": page,
        "now": now,
        "counts": selectors.facet_counts(filters, now),
        "poll_seconds": POLL_SECONDS,
        "carried": carried,
        "refresh": json.dumps({**carried, "page": page.number}),
        "chips": _chip_urls(carried),
    }
    if not request.headers.get("HX-Request"):
        context["attention"] = attention.needs_attention(now)
        context["staff_users"] = staff_members()
        return render(request, "desk/queue.html", context)
    response = render(request, "desk/_queue_results.html", context)
    if request.headers.get("HX-Trigger") == "queue-filters":
        # The address bar follows the filters, without the name.
        response["HX-Push-Url"] = reverse("desk:queue") + (f"?{in_url}" if in_url else "")
    return response


CHIP_FACETS = {
    "status": ["", *Referral.Status.values],
    "kind": ["", *Referral.Kind.values],
    "age": ["", *selectors.AGE_BANDS],
}


def _chip_urls(carried: dict) -> dict[str, dict[str, dict]]:
    """Each count chip is a link to the queue with that one filter changed ("all" clears it), the
    other filters kept, and whether it is the filter in force; like every link on the page, it
    never carries the client's name."""
    base = reverse("desk:queue")
    urls = {}
    for facet, values in CHIP_FACETS.items():
        others = {k: v for k, v in carried.items() if k not in (NAME_FILTER, facet, "page")}
        urls[facet] = {}
        for value in values:
            query = urlencode({**others, facet: value} if value else others)
            urls[facet][value or "all"] = {
                "url": base + (f"?{query}" if query else ""),
                "current": carried.get(facet, "") == value,
            }
    return urls


@staff_member_required
def timeline(request, pk):
    referral = get_object_or_404(
        Referral.objects.select_related(
            "client",
            "insurance_network",
            "preferred_provider",
            "offered_to",
            "accepted_by",
            "merged_into",
            "attention_owner",
        ),
        pk=pk,
    )
    now = timezone.now()
    record_views(request.user, [referral], Page.TIMELINE)
    return render(
        request,
        "desk/timeline.html",
        {
            "referral": referral,
            "steps": timeline_builder.build(referral),
            "routing": timeline_builder.routing_trace(referral),
            "views": recent_views(referral),
            "views_shown": TIMELINE_VIEWS,
            "deadlines": selectors.deadlines(referral),
            "now": now,
            "offer_options": _offer_options(referral, now),
            "decline_form": DeclineForm(),
            "note_form": NoteForm(),
            "holder": eligibility.holder_of(referral),
            "can_decline": eligibility.staff_may_decline(referral),
            "can_offer": eligibility.staff_may_offer(referral),
            "can_close": bool(eligibility.closing_outcomes(referral, None, staff=True)),
            "close_form": CloseForm(),
            "can_confirm_contact": eligibility.contact_unconfirmed(referral),
        },
    )


def _offer_options(referral, now):
    """Who staff may offer it to, and, disabled with the reason, who is in its network but not
    taking new referrals (away, not accepting, at the weekly limit). One query."""
    providers = offer_choices(referral).with_availability(now)
    return [(provider, availability(provider, now)) for provider in providers]
