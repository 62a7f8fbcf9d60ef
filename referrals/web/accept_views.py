"""The Accept Referral page: find the client, then accept or decline for a provider.

It shows client names, so only signed-in people reach it, and each sees only the referrals
`referrals.eligibility.visible_referrals` allows: by number, by name, or after acting, any other
referral answers as one that does not exist. Names are searched by POST, never in a URL. A
provider acts only for themselves; staff act for anyone. Every change is made by
`referrals.services`, which also refuses what the policy does not allow; the page shows that
refusal and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_http_methods

from config.flash import flash
from providers.models import Provider
from referrals import eligibility, services
from referrals.access_log import Page, record_views
from referrals.eligibility import acting_provider, lost_race, visible_referrals, visible_to
from referrals.errors import AlreadyAccepted, NotFound, ReferralError
from referrals.models import Referral
from referrals.numbers import parse_referral_number
from referrals.web.accept_forms import ACCEPT, ClientSearchForm, DecisionForm

MAX_RESULTS = 25


class Viewer:
    """Who is looking: staff (see and act for anyone) or one active provider (sees only the
    referrals `visible_referrals` allows, acts only for themselves)."""

    def __init__(self, user):
        self.user = user
        self.is_staff = bool(user.is_staff)
        self.provider = acting_provider(user)  # also the page header's `user.provider`
        self._choices = None

    @cached_property
    def referrals(self):
        """Built when first asked (a refused click may never ask): the provider just read is the
        one `visible_referrals` would read again."""
        return visible_referrals(self.user) if self.is_staff else visible_to(self.provider)

    def providers(self):
        if self.is_staff:
            return Provider.objects.all()
        return Provider.objects.filter(pk=self.provider.pk)

    def provider_choices(self):
        """The "Provider Requested" options, read once for all the result cards."""
        if self._choices is None:
            field = DecisionForm(providers=self.providers()).fields["provider"]
            self._choices = list(field.choices)
        return self._choices

    def may_act_for(self, provider: Provider) -> bool:
        return eligibility.may_act_for(self.provider, provider, staff=self.is_staff)

    def holds_or_staff(self, referral: Referral) -> bool:
        return eligibility.holder_or_staff(referral, self.provider, staff=self.is_staff)


def _with_details(referrals, limit=MAX_RESULTS) -> list[Referral]:
    return list(
        referrals.select_related(
            "client", "insurance_network", "preferred_provider", "offered_to", "accepted_by"
        ).order_by("-created_at")[:limit]
    )


def _results(request, search: ClientSearchForm, viewer: Viewer):
    if search.is_bound and search.is_valid():
        return _with_details(search.matches(viewer.referrals))
    referral_id = parse_referral_number(request.GET.get("referral", ""))
    if referral_id is not None:
        return _with_details(viewer.referrals.filter(pk=referral_id))
    return []


def _is_search(request) -> bool:
    """Client names are searched by POST only, so they never appear in a URL."""
    return request.method == "POST" and (
        "first_name" in request.POST or "last_name" in request.POST
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept_page(request):
    viewer = Viewer(request.user)
    if not viewer.is_staff and viewer.provider is None:
        return render(request, "referrals/accept_not_provider.html", status=403)
    bound_form, status = None, 200
    searching = _is_search(request)
    if request.method == "POST" and not searching:
        bound_form, status = _decide(request, viewer)
        if status == 302:
            return redirect(f"{reverse('referrals:accept')}?referral={bound_form.referral_id}")
        if status == 409:
            # Refused (lost a race, not eligible, changed meanwhile): say why and offer the search,
            # without rebuilding the page's results for every refused click.
            return _refused(request, bound_form)
    search = ClientSearchForm(request.POST if searching else None)
    results = _results(request, search, viewer)
    if bound_form is not None and bound_form.referral_id not in {r.pk for r in results}:
        results += _with_details(viewer.referrals.filter(pk=bound_form.referral_id))
    cards, placed = [], False
    for referral in results:
        # Everything shown can be acted on: staff act on any, a provider sees only what they may
        # take or hold.
        card = {"referral": referral, "shows_contact": viewer.holds_or_staff(referral)}
        if bound_form is not None and bound_form.referral_id == referral.pk:
            placed = True
            card["form"] = bound_form
            bound_form.fields["provider"].queryset = viewer.providers()
            if referral.kind != Referral.Kind.PREFERRED:
                bound_form.fields["provider"].label = "Provider"
        card.setdefault("form", _blank_form(referral, viewer))
        cards.append(card)
    record_views(request.user, [card["referral"] for card in cards], Page.ACCEPT)
    context = {
        "search": search,
        "cards": cards,
        "viewer": viewer,
        "searched": searching or "referral" in request.GET or bound_form is not None,
        "unplaced_errors": [message for errors in bound_form.errors.values() for message in errors]
        if bound_form is not None and not placed
        else [],
    }
    return render(request, "referrals/accept.html", context, status=status)


def _refused(request, form: DecisionForm):
    """The refusal and a link to the search, no more: most refused clicks are the providers who
    lost a race, each answered while the others wait."""
    refusal = " ".join(m for ms in form.errors.values() for m in ms)
    return render(request, "referrals/accept_refused.html", {"refusal": refusal}, status=409)


def _blank_form(referral: Referral, viewer: Viewer) -> DecisionForm:
    initial = {"referral": referral.pk, "round": referral.round, "status": ACCEPT}
    if viewer.is_staff:
        initial["provider"] = referral.offered_to_id or referral.accepted_by_id
    else:
        initial["provider"] = viewer.provider.pk
        if eligibility.accepted_by_them(referral, viewer.provider):
            initial["status"] = "decline"
    form = DecisionForm(
        initial=initial,
        providers=viewer.providers(),
        referral_id=referral.pk,
        preferred=referral.kind == Referral.Kind.PREFERRED,
    )
    form.fields["provider"].choices = viewer.provider_choices()
    return form


def _decide(request, viewer: Viewer):
    """Act on the POSTed decision: returns the form and 302 when done, or the status of its error."""
    referral_id = parse_referral_number(request.POST.get("referral", ""))
    form = DecisionForm(
        request.POST,
        providers=Provider.objects.all(),
        referral_id=referral_id,
        signed_in=viewer.provider,
    )
    form.referral_id = referral_id
    if not form.is_valid():
        return form, 400
    data = form.cleaned_data
    provider = data["provider"]
    if not viewer.may_act_for(provider):
        form.add_error(
            "provider",
            f"You can accept or decline referrals only for yourself ({viewer.provider.name}).",
        )
        return form, 403
    accepting = data["status"] == ACCEPT
    if not viewer.is_staff:
        # The race is asked first: it is what most refused clicks are (every eligible provider may
        # press Accept at once), and its answer needs nothing else.
        if lost_race(viewer.provider, data["referral"], data["round"]):
            form.add_error(None, AlreadyAccepted.message)
            return form, 409
        # Not theirs: answered as for a number that does not exist. An accept asks only once
        # refused (`_refusal`): accepting succeeds only for a referral they may see (the service
        # checks, under the row's lock, what seeing it would), so the winner does not ask.
        if not accepting and not viewer.referrals.filter(pk=data["referral"]).exists():
            form.add_error(None, NotFound.message)
            return form, 409
    actor = services.Actor.for_user(request.user)
    try:
        if accepting:
            referral = services.accept_referral(
                data["referral"], provider, actor=actor, expected_round=data["round"]
            )
            done = "referral_accepted"
        else:
            referral = services.decline_referral(
                data["referral"],
                provider,
                reason=data["reason"],
                actor=actor,
                expected_round=data["round"],
            )
            done = "referral_declined"
    except ReferralError as exc:
        form.add_error(None, _refusal(viewer, data, exc) if accepting else exc.message)
        return form, 409
    flash(request, messages.SUCCESS, done, referral=referral, provider=provider)
    return form, 302


def _refusal(viewer: Viewer, data: dict, refused: ReferralError) -> str:
    """What a provider whose accept was refused is told, asked after the service refused: that
    another provider accepted it first (they pressed Accept while the winner's was being made),
    that there is no such referral (not one they may see), or the service's reason."""
    if viewer.is_staff:
        return refused.message
    if lost_race(viewer.provider, data["referral"], data["round"]):
        return AlreadyAccepted.message
    if not viewer.referrals.filter(pk=data["referral"]).exists():
        return NotFound.message
    return refused.message
