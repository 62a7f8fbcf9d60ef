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

from desk import queue as selectors
from desk import timeline as timeline_builder
from desk.forms import CloseForm, DeclineForm, MergeForm, NoteForm, OfferForm, QueueFilterForm
from referrals.access_log import TIMELINE_VIEWS, Page, recent_views, record_views
from referrals.eligibility import offer_candidates
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
    rows = selectors.apply_filters(selectors.open_referrals(), filters, now).order_by(
        "created_at", "pk"
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
    }
    if not request.headers.get("HX-Request"):
        context["attention"] = selectors.needs_attention()
        return render(request, "desk/queue.html", context)
    response = render(request, "desk/_queue_results.html", context)
    if request.headers.get("HX-Trigger") == "queue-filters":
        # The address bar follows the filters, without the name.
        response["HX-Push-Url"] = reverse("desk:queue") + (f"?{in_url}" if in_url else "")
    return response


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
    closed = referral.status == Referral.Status.CLOSED
    now = timezone.now()
    record_views(request.user, [referral], Page.TIMELINE)
    return render(
        request,
        "desk/timeline.html",
        {
            "referral": referral,
            "steps": timeline_builder.build(referral),
            "views": recent_views(referral),
            "views_shown": TIMELINE_VIEWS,
            "deadlines": selectors.deadlines(referral),
            "now": now,
            "offer_form": OfferForm(providers=offer_candidates(referral)),
            "decline_form": DeclineForm(),
            "note_form": NoteForm(),
            "holder": referral.offered_to or referral.accepted_by,
            "can_decline": referral.status in (Referral.Status.PENDING, Referral.Status.ACCEPTED),
            "can_offer": referral.status not in (Referral.Status.ACCEPTED, Referral.Status.CLOSED),
            "can_close": not closed,
            "close_form": CloseForm(),
            "merge_form": MergeForm(),
            "can_confirm_contact": referral.status == Referral.Status.ACCEPTED
            and referral.contacted_at is None,
        },
    )
