"""The client's status page, opened from the link in every client email: no sign-in.

Who may see it is `referrals.eligibility.status_link_problem`: the holder of the current signed
link, while the request is open and for 30 days after it closes, unless staff revoked it. Any
other link (tampered, revoked, expired, or for no referral) gets one kind page with the
practice's phone, 404 or 410, never the referral. The page shows the client's first name only,
and each view is recorded in the access log.

The three actions (withdraw, best times to reach them, "no one has contacted me yet") are POSTs
with CSRF, throttled per client address (STATUS_ACTION_RATE_LIMIT); each calls one service in
`referrals.services`, and bad input or a refusal changes nothing and says why.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from client_status.forms import BestTimesForm, WithdrawForm
from client_status.progress import page_context, referral_for_page
from config.client_ip import client_ip
from config.signed_links import LinkExpired, LinkInvalid
from referrals import services
from referrals.access_log import Page, record_views
from referrals.eligibility import status_link_problem
from referrals.links import read_status_token
from referrals.outcome import flash_outcome
from throttles.counters import over

WHO = "client status link"
GONE = {"revoked", "expired"}  # the link once worked: 410; anything else 404


def _referral(token: str):
    """(referral, "") for a link that works now, or (None, why not)."""
    try:
        claim = read_status_token(token)
    except (LinkInvalid, LinkExpired):
        return None, "invalid"
    referral = referral_for_page(claim.referral_id)
    problem = status_link_problem(referral, claim.version, timezone.now())
    return (None, problem) if problem else (referral, "")


def _problem(request, problem: str):
    status = 410 if problem in GONE else 404
    return render(request, "client_status/link_problem.html", {"problem": problem}, status=status)


@require_GET
def status_page(request, token):
    referral, problem = _referral(token)
    if problem:
        return _problem(request, problem)
    record_views(None, [referral], Page.STATUS_PAGE, who=WHO)
    return _render(request, token, referral)


def _render(request, token, referral, status=200, **forms):
    context = {
        **page_context(referral, timezone.now()),
        "token": token,
        "times_form": forms.get("times_form") or BestTimesForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
    }
    return render(request, "client_status/page.html", context, status=status)


def _action(view):
    """A status page action: throttled, and only through a link that works now."""

    @require_POST
    def wrapped(request, token):
        if over("status-action", client_ip(request), settings.STATUS_ACTION_RATE_LIMIT):
            return render(request, "client_status/limited.html", status=429)
        referral, problem = _referral(token)
        if problem:
            return _problem(request, problem)
        return view(request, token, referral)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_action
def withdraw(request, token, referral):
    """ "I no longer need this": the referral closes with the outcome "client withdrew"."""
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render(request, token, referral, status=400, withdraw_form=form)
    flash_outcome(
        request,
        lambda: services.close_referral(
            referral.pk, services.Outcome.WITHDREW, actor=services.CLIENT, by_client=True
        ),
        "status_withdrawn",
    )
    return redirect("client_status:page", token=token)


@_action
def best_times(request, token, referral):
    """The best times to reach the client, for the provider who holds it and the desk."""
    form = BestTimesForm(request.POST)
    if not form.is_valid():
        return _render(request, token, referral, status=400, times_form=form)
    flash_outcome(
        request,
        lambda: services.give_best_times(referral.pk, form.cleaned_data["best_times"]),
        "status_best_times",
    )
    return redirect("client_status:page", token=token)


@_action
def not_contacted(request, token, referral):
    """ "No one has contacted me yet": the desk sees it at once under Needs attention."""
    flash_outcome(
        request, lambda: services.report_not_contacted(referral.pk), "status_not_contacted"
    )
    return redirect("client_status:page", token=token)
