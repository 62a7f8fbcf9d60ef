"""Staff actions on one referral: offer to a provider, decline with a reason, add a note, confirm
contact, give it to a staff member (needs attention), close with an outcome, merge into another referral
of the same person, revoke the client's status page links. Each is a POST that calls `referrals.services` and lands in the timeline; a refused
action shows why and changes nothing."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from config.flash import flash
from desk.forms import AssignForm, CloseForm, DeclineForm, MergeForm, NoteForm, OfferForm
from referrals import eligibility, services
from referrals.eligibility import offer_candidates
from referrals.models import Referral
from referrals.outcome import flash_outcome


def _back(pk):
    return redirect("desk:timeline", pk=pk)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(request, messages.ERROR, "refused", reason=error)


def _run(request, pk, action, done: str, **context):
    flash_outcome(request, action, done, **context)
    return _back(pk)


@staff_member_required
@require_POST
def offer(request, pk):
    referral = get_object_or_404(Referral, pk=pk)
    form = OfferForm(request.POST, providers=offer_candidates(referral))
    if not form.is_valid():
        _form_errors(request, form)
        return _back(pk)
    provider = form.cleaned_data["provider"]
    return _run(
        request,
        pk,
        lambda: services.offer_referral(
            pk,
            provider,
            actor=services.Actor.for_user(request.user),
            note=form.cleaned_data["note"],
        ),
        "referral_offered",
        provider=provider,
    )


@staff_member_required
@require_POST
def decline(request, pk):
    referral = get_object_or_404(Referral, pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(pk)
    holder = eligibility.holder_of(referral)  # None: the service refuses
    return _run(
        request,
        pk,
        lambda: services.decline_referral(
            pk,
            holder,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            actor=services.Actor.for_user(request.user),
            expected_round=_round(request, referral),
        ),
        "referral_declined_for_holder",
        holder=holder,
    )


@staff_member_required
@require_POST
def note(request, pk):
    get_object_or_404(Referral, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(pk)
    return _run(
        request,
        pk,
        lambda: services.add_note(
            pk, form.cleaned_data["note"], actor=services.Actor.for_user(request.user)
        ),
        "note_added",
    )


@staff_member_required
@require_POST
def contacted(request, pk):
    get_object_or_404(Referral, pk=pk)
    return _run(
        request,
        pk,
        lambda: services.confirm_contact(pk, None, actor=services.Actor.for_user(request.user)),
        "marked_contacted",
    )


@staff_member_required
@require_POST
def assign(request, pk):
    """Give a referral that needs attention to a staff member (or take it back): back to the
    queue, where "Needs attention" shows who has it."""
    referral = get_object_or_404(Referral, pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("desk:queue")
    assignee = form.cleaned_data["assignee"]
    flash_outcome(
        request,
        lambda: services.assign_attention(
            pk, assignee, actor=services.Actor.for_user(request.user)
        ),
        "attention_assigned",
        number=referral.number,
        referral=referral,
        assignee=assignee,
    )
    return redirect("desk:queue")


def _round(request, referral) -> int:
    """The round the staff member saw: a decline aimed at a round that has moved on is refused."""
    try:
        return int(request.POST.get("round", referral.round))
    except ValueError:
        return -1


@staff_member_required
@require_POST
def close(request, pk):
    get_object_or_404(Referral, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(pk)
    data = form.cleaned_data
    return _run(
        request,
        pk,
        lambda: services.close_referral(
            pk,
            data["outcome"],
            actor=services.Actor.for_user(request.user),
            note=data["note"],
            first_session_on=data["first_session_on"],
        ),
        "referral_closed",
        outcome=Referral.Outcome(data["outcome"]).label,
    )


@staff_member_required
@require_POST
def merge(request, pk):
    referral = get_object_or_404(Referral, pk=pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(pk)
    into = form.cleaned_data["into"]
    return _run(
        request,
        pk,
        lambda: services.merge_referrals(
            pk, into, actor=services.Actor.for_user(request.user), note=form.cleaned_data["note"]
        ),
        "referrals_merged",
        number=referral.number,
        into=Referral(pk=into).number,
    )


@staff_member_required
@require_POST
def revoke_status_links(request, pk):
    get_object_or_404(Referral, pk=pk)
    return _run(
        request,
        pk,
        lambda: services.revoke_status_links(pk, actor=services.Actor.for_user(request.user)),
        "status_links_revoked",
    )
