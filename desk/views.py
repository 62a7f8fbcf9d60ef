"""The staff queue and one referral's timeline. Staff only (Django admin sign-in)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from desk import queue as selectors
from desk import timeline as timeline_builder
from desk.forms import DeclineForm, NoteForm, OfferForm, QueueFilterForm
from referrals.access_log import TIMELINE_VIEWS, Page, recent_views, record_views
from referrals.eligibility import offer_candidates
from referrals.models import Referral

PAGE_SIZE = 50
POLL_SECONDS = 15


@staff_member_required
def queue(request):
    now = timezone.now()
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.apply_filters(selectors.open_referrals(), filters, now).order_by(
        "created_at", "pk"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
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
        "query": request.GET.urlencode(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "desk/_queue_results.html", context)
    context["attention"] = selectors.needs_attention()
    return render(request, "desk/queue.html", context)


@staff_member_required
def timeline(request, pk):
    referral = get_object_or_404(
        Referral.objects.select_related(
            "client", "insurance_network", "preferred_provider", "offered_to", "accepted_by"
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
            "views": recent_views(referral),
            "views_shown": TIMELINE_VIEWS,
            "deadlines": selectors.deadlines(referral),
            "now": now,
            "offer_form": OfferForm(providers=offer_candidates(referral)),
            "decline_form": DeclineForm(),
            "note_form": NoteForm(),
            "holder": referral.offered_to or referral.accepted_by,
            "can_decline": referral.status in (Referral.Status.PENDING, Referral.Status.ACCEPTED),
            "can_offer": referral.status != Referral.Status.ACCEPTED,
            "can_confirm_contact": referral.status == Referral.Status.ACCEPTED
            and referral.contacted_at is None,
        },
    )
