"""The one-click Accept/Decline link in a provider's referral email.

Opening the link (GET) only shows the referral and two confirm buttons: mail scanners open links,
so nothing changes until the provider presses one (POST). The signed token names the referral,
the provider and the offer round; `referrals.services` acts with that round expected, so a link
that is expired, tampered with, used, or overtaken by events changes nothing and says why.
Client details are shown only while `referrals.eligibility.visible_to` lets the provider see them;
when it does not, the page says why in the service's words (`services.accept_refusal`), offers
only the Decline button if they hold a routing offer (an away provider may end the offer made to
them, though they may not accept it), and a pressed button goes to the service, which decides.
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from config.signed_links import LinkExpired, LinkInvalid
from providers.models import Provider
from referrals import services
from referrals.access_log import Page, record_views
from referrals.eligibility import accepted_by_them, holds, live_offer, visible_to
from referrals.errors import NotEligible, ReferralError
from referrals.links import read_action_token
from referrals.models import Referral
from referrals.web.accept_forms import ACCEPT, DECLINE, LinkDecisionForm


def _problem(request, problem: str, status: int, **context):
    if "referral" in context:
        context["you_accepted_it"] = accepted_by_them(context["referral"], context.get("provider"))
    return render(
        request, "referrals/link_problem.html", {"problem": problem, **context}, status=status
    )


@require_http_methods(["GET", "POST"])
def action_link(request, token):
    try:
        claim = read_action_token(token)
    except LinkExpired:
        return _problem(request, "expired", 410)
    except LinkInvalid:
        return _problem(request, "invalid", 400)
    referral = (
        Referral.objects.select_related("client", "insurance_network", "accepted_by")
        .filter(pk=claim.referral_id)
        .first()
    )
    provider = Provider.objects.filter(pk=claim.provider_id).first()
    if referral is None or provider is None:
        return _problem(request, "invalid", 400)
    context = {"referral": referral, "provider": provider}
    if referral.round != claim.round:
        return _problem(request, "used", 409, **context)  # says what changed, names no client
    form = LinkDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _act(request, form.cleaned_data, claim, context)  # the service decides, and says
    if not visible_to(provider).filter(pk=referral.pk).exists():
        # Still this round, but the provider may no longer see the client (made inactive, away,
        # out of the client's network): show no client, and say why in the service's words.
        refused = services.accept_refusal(referral, provider, timezone.now()) or NotEligible()
        if provider.is_active and live_offer(referral, provider) is not None:  # theirs to decline
            context.update(form=form, message=refused.message)
            status = 400 if form.errors else 200
            return render(request, "referrals/link_decline_only.html", context, status=status)
        return _problem(request, "refused", 409, message=refused.message, **context)
    context.update(form=form, choice=request.GET.get("choice", ACCEPT))
    record_views(provider.user, [referral], Page.EMAIL_LINK, who=f"email link: {provider.email}")
    return render(request, "referrals/link.html", context, status=400 if form.errors else 200)


def _act(request, data: dict, claim, context: dict):
    provider = context["provider"]
    actor = services.Actor(label=f"email link: {provider.email}", user=provider.user)
    try:
        if data["choice"] == DECLINE:
            referral = services.decline_referral(
                claim.referral_id,
                provider,
                reason=data["reason"],
                actor=actor,
                expected_round=claim.round,
            )
        else:
            referral = services.accept_referral(
                claim.referral_id, provider, actor=actor, expected_round=claim.round
            )
    except ReferralError as exc:
        return _problem(request, "refused", 409, message=exc.message, **context)
    # Having accepted, the holder gets the client's phone and email to contact them.
    shows_contact = holds(referral, provider)
    if shows_contact:
        record_views(
            provider.user, [referral], Page.EMAIL_LINK, who=f"email link: {provider.email}"
        )
    return render(
        request,
        "referrals/link_done.html",
        {**context, "referral": referral, "choice": data["choice"], "shows_contact": shows_contact},
    )
