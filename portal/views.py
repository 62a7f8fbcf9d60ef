"""The Provider Portal: a signed-in provider's referrals, networks, responsiveness, profile and
availability.

Only an active provider gets in, checked afresh on every request (`acting_provider`). Every
referral is looked up among those the provider may see (`visible_to`), so an id changed in a URL
answers 404 like one that does not exist; an accept that lost the race to another provider says
so (409). Every change goes through `referrals.services` or `providers.services`.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.durations import short
from config.flash import flash
from portal import responsiveness
from portal.forms import CloseForm, ContactAttemptForm, DeclineForm, ProfileForm
from providers import services as provider_services
from providers.availability import availability as availability_now
from providers.forms import AvailabilityForm
from providers.models import Language, ProfileChange, Specialty
from referrals import services
from referrals.access_log import Page, record_views
from referrals.eligibility import (
    CONTACT_ATTEMPTS_BEFORE_UNREACHABLE,
    acting_provider,
    closing_outcomes,
    held_by,
    lost_race,
    visible_to,
)
from referrals.errors import AlreadyAccepted, ReferralError
from referrals.models import Referral, ReferralEvent
from referrals.outcome import flash_outcome


def provider_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        provider = acting_provider(request.user)
        if provider is None:
            return render(request, "portal/not_a_provider.html", status=403)
        return view(request, provider, *args, **kwargs)

    return wrapper


@provider_required
def home(request, provider):
    now = timezone.now()
    mine = (
        visible_to(provider)
        .select_related("client", "insurance_network")
        .annotate(
            attempts=Count("events", filter=Q(events__kind=ReferralEvent.Kind.CONTACT_ATTEMPT))
        )
    )
    waiting, available, accepted = [], [], []
    for referral in mine.order_by("created_at"):
        if referral.status == Referral.Status.PENDING:
            referral.link_until = referral.link_expires_at
            waiting.append(referral)
        elif referral.status == Referral.Status.AVAILABLE:
            available.append(referral)
        else:
            referral.outcomes = closing_outcomes(
                referral, provider, staff=False, attempts=referral.attempts
            )
            accepted.append(referral)
    accepted.sort(key=lambda r: r.accepted_at, reverse=True)
    record_views(request.user, [*waiting, *available, *accepted], Page.PORTAL)
    report = [
        {
            "days": window["days"],
            "mine": window["mine"],
            "practice": window["practice"],
            "my_median": short(_seconds(window["mine"].median)),
            "practice_median": short(_seconds(window["practice"].median)),
            "my_contacts": window["my_contacts"],
            "practice_contacts": window["practice_contacts"],
        }
        for window in responsiveness.for_provider(provider.pk, now)
    ]
    return render(
        request,
        "portal/home.html",
        {
            "provider": provider,
            "now": now,
            "waiting": waiting,
            "available": available,
            "accepted": accepted,
            "networks": provider.insurance_networks.all(),
            "report": report,
            "decline_form": DeclineForm(),
            "attempts_needed": CONTACT_ATTEMPTS_BEFORE_UNREACHABLE,
            "today": timezone.localdate(),
        },
    )


def _seconds(delta):
    return delta.total_seconds() if delta is not None else None


def _visible_referral(provider, pk):
    return get_object_or_404(visible_to(provider), pk=pk)


def _expected_round(request):
    try:
        return int(request.POST.get("round", ""))
    except ValueError:
        return None


@require_POST
@provider_required
def accept(request, provider, pk):
    seen_round = _expected_round(request)
    referral = visible_to(provider).filter(pk=pk).first()
    if referral is None:
        if lost_race(provider, pk, seen_round):
            return _lost_race(request)
        raise Http404
    try:
        services.accept_referral(
            referral.pk,
            provider,
            actor=services.Actor.for_user(request.user),
            expected_round=seen_round,
        )
    except AlreadyAccepted:
        return _lost_race(request)
    except ReferralError as error:
        flash(request, messages.ERROR, "refused", number=referral.number, reason=error.message)
    else:
        flash(request, messages.SUCCESS, "you_accepted", referral=referral)
    return redirect("portal:home")


def _lost_race(request):
    return render(request, "portal/already_accepted.html", status=409)


@require_POST
@provider_required
def decline(request, provider, pk):
    referral = _visible_referral(provider, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        flash(request, messages.ERROR, "decline_reason_missing", referral=referral)
        return redirect("portal:home")
    flash_outcome(
        request,
        lambda: services.decline_referral(
            referral.pk,
            provider,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            actor=services.Actor.for_user(request.user),
            expected_round=form.cleaned_data["round"],
        ),
        "you_declined",
        number=referral.number,
        referral=referral,
    )
    return redirect("portal:home")


@require_POST
@provider_required
def contacted(request, provider, pk):
    """I contacted the client: the referral leaves the intake staff's queue."""
    referral = _visible_referral(provider, pk)
    flash_outcome(
        request,
        lambda: services.confirm_contact(
            referral.pk, provider, actor=services.Actor.for_user(request.user)
        ),
        "you_contacted",
        number=referral.number,
        referral=referral,
    )
    return redirect("portal:home")


def _as_provider(user) -> services.Actor:
    """The portal acts as the provider, even for a user who is also staff."""
    return services.Actor(label=user.get_username(), user=user, is_staff=False)


@require_POST
@provider_required
def close(request, provider, pk):
    """First session scheduled, client withdrew, or could not be reached: only for a referral
    this provider holds; any other answers 404, as if it did not exist."""
    referral = get_object_or_404(held_by(provider), pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                flash(request, messages.ERROR, "refused", number=referral.number, reason=error)
        return redirect("portal:home")
    data = form.cleaned_data
    flash_outcome(
        request,
        lambda: services.close_referral(
            referral.pk,
            data["outcome"],
            actor=_as_provider(request.user),
            provider=provider,
            note=data["note"],
            first_session_on=data["first_session_on"],
        ),
        "you_closed",
        number=referral.number,
        referral=referral,
        outcome=Referral.Outcome(data["outcome"]).label,
    )
    return redirect("portal:home")


@require_POST
@provider_required
def contact_attempt(request, provider, pk):
    """I tried to reach the client and could not: recorded, so it may close as unreachable."""
    referral = get_object_or_404(held_by(provider), pk=pk)
    form = ContactAttemptForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    flash_outcome(
        request,
        lambda: services.record_contact_attempt(
            referral.pk, provider, actor=_as_provider(request.user), note=note
        ),
        "attempt_recorded",
        number=referral.number,
        referral=referral,
        attempts=referral.events.filter(kind=ReferralEvent.Kind.CONTACT_ATTEMPT).count() + 1,
    )
    return redirect("portal:home")


@provider_required
def profile(request, provider):
    pending = provider.profile_changes.filter(status=ProfileChange.Status.PENDING).first()
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            if data["phone"] != provider.phone:
                provider_services.set_phone(provider, data["phone"])
            if data["office_phone"] != provider.office_phone:
                provider_services.set_office_phone(provider, data["office_phone"])
            if data["slack_user_id"] != provider.slack_user_id:
                provider_services.set_slack_user_id(provider, data["slack_user_id"])
            change = provider_services.propose_profile_change(
                provider,
                bio=data["bio"],
                specialties=data["specialties"],
                languages=data["languages"],
                photo=data["photo"],
            )
            flash(request, messages.SUCCESS, "profile_saved", pending_approval=change is not None)
            return redirect("portal:profile")
    else:
        form = ProfileForm(initial=_initial(provider, pending))
    return render(
        request,
        "portal/profile.html",
        {"provider": provider, "form": form, "pending": pending, **_pending_view(pending)},
    )


def _initial(provider, pending):
    proposed = pending.proposed if pending else {}
    return {
        "phone": provider.phone,
        "office_phone": provider.office_phone,
        "slack_user_id": provider.slack_user_id,
        "bio": proposed.get("bio", provider.bio),
        "specialties": proposed.get("specialties", provider.specialties.all()),
        "languages": proposed.get("languages", provider.languages.all()),
    }


def _pending_view(pending):
    """What a pending change proposes, in words."""
    if pending is None:
        return {}
    proposed = pending.proposed
    return {
        "pending_bio": proposed.get("bio"),
        "pending_specialties": Specialty.objects.filter(pk__in=proposed["specialties"])
        if "specialties" in proposed
        else None,
        "pending_languages": Language.objects.filter(pk__in=proposed["languages"])
        if "languages" in proposed
        else None,
    }


HISTORY_SHOWN = 10


@provider_required
def availability(request, provider):
    """My availability: accepting new clients, away dates, weekly limit (history kept)."""
    if request.method == "POST":
        form = AvailabilityForm.for_provider(provider, request.POST)
        if form.is_valid():
            changed = provider_services.set_availability(
                provider, actor=services.Actor.for_user(request.user), **form.values()
            )
            flash(request, messages.SUCCESS, "availability_saved", changed=changed)
            return redirect("portal:availability")
        status = 400
    else:
        form, status = AvailabilityForm.for_provider(provider), 200
    return render(
        request,
        "portal/availability.html",
        {
            "provider": provider,
            "form": form,
            "now": availability_now(provider),
            "history": provider.availability_changes.all()[:HISTORY_SHOWN],
        },
        status=status,
    )
