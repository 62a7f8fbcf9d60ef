"""The client's pages: the home page, the intake form, and what happens next.

Thin: `IntakeForm` checks the input, `services.create_referral` makes the referral and queues
the messages. The thanks page finds the new referral through the session, never through the
URL, so nobody can read another client's request by guessing a number.

When the same person asks again while their referral is open (same email or phone), no new
referral is made (`services.record_repeat_request`), and the thanks page reads as it does for a
new request, built from what was just submitted and never from the details on file: typing
someone's phone number does not show their name, email or request.

Submissions are limited per client address (INTAKE_RATE_LIMIT, `throttles.counters`); past the
limit the client gets a page saying so, with the practice's phone. A bot that fills the form's
hidden trap field is answered exactly like a person (the redirect, then a generic thanks), but
nothing is made and nothing is sent.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from config.client_ip import client_ip
from providers.models import InsuranceNetwork, Provider
from referrals import services
from referrals.errors import InactiveProvider, OutOfNetwork, ProviderUnavailable
from referrals.models import Client, Referral
from referrals.web.intake_forms import PICK_PROVIDER, IntakeForm
from throttles.counters import over

SESSION_KEY = "intake_referral_id"
AS_SUBMITTED = "intake_as_submitted"  # only for a repeat request: what this browser sent


def home(request):
    return render(
        request,
        "pages/home.html",
        {"networks": InsuranceNetwork.objects.values_list("name", flat=True)},
    )


@require_http_methods(["GET", "POST"])
def intake(request):
    if request.method == "POST":
        if over("intake-form", client_ip(request), settings.INTAKE_RATE_LIMIT):
            return render(request, "referrals/intake_limited.html", status=429)
        form = IntakeForm(request.POST)
        if form.caught_bot():
            request.session[SESSION_KEY] = None  # the thanks page says thanks, and nothing more
            return redirect("referrals:intake_done")
        if form.is_valid():
            referral = _create(form)
            if referral is not None:
                request.session[SESSION_KEY] = referral.pk
                request.session[AS_SUBMITTED] = (
                    _as_submitted(form) if getattr(referral, "asked_again", False) else None
                )
                return redirect("referrals:intake_done")
        status = 400
    else:
        initial = {"preferred_provider": request.GET.get("provider", "")[:20]}
        live = request.headers.get("HX-Request") == "true"  # an insurance or provider was chosen
        if live:
            initial = {k: request.GET.get(k, "")[:20] for k in ("insurance", "preferred_provider")}
        form = IntakeForm(initial=initial, marks_for=request.GET if live else None)
        status = 200
    return render(request, "referrals/intake.html", {"form": form}, status=status)


def _create(form: IntakeForm) -> Referral | None:
    """The referral, or None with the form told why in the service's words (the provider is
    outside the network, or changed since the form's check)."""
    try:
        return services.create_referral(
            client=form.client_details(),
            insurance_network=form.cleaned_data["insurance"],
            preferred_provider=form.cleaned_data["preferred_provider"],
            actor=services.Actor("intake form"),
            source="web",
            needs=form.needs(),
            out_of_network_confirmed=form.cleaned_data["pay_out_of_network"],
        )
    except (InactiveProvider, ProviderUnavailable) as exc:
        form.add_error("preferred_provider", exc.message)
    except OutOfNetwork as exc:  # outside the chosen network, and the box not ticked
        form.add_error("pay_out_of_network", exc.message)
    except Provider.DoesNotExist:
        form.add_error("preferred_provider", PICK_PROVIDER)
    return None


def _as_submitted(form: IntakeForm) -> dict:
    data = form.cleaned_data
    return {
        "client": form.client_details().__dict__,
        "network": data["insurance"].pk if data["insurance"] else None,
        "provider": data["preferred_provider"].pk if data["preferred_provider"] else None,
    }


def _from_submission(pk: int, submitted: dict) -> Referral:
    """An unsaved referral showing the open one's number and only what was just submitted."""
    return Referral(
        pk=pk,
        client=Client(**submitted["client"]),
        insurance_network=InsuranceNetwork.objects.filter(pk=submitted["network"]).first(),
        preferred_provider=Provider.objects.filter(pk=submitted["provider"]).first(),
    )


def intake_done(request):
    submitted = request.session.pop(AS_SUBMITTED, None)
    referral = (
        Referral.objects.select_related("client", "preferred_provider", "insurance_network")
        .filter(pk=request.session.get(SESSION_KEY))
        .first()
    )
    if referral is not None and submitted:
        referral = _from_submission(referral.pk, submitted)
    if referral is None:
        if SESSION_KEY in request.session:  # a dropped bot, or a referral removed since
            return render(request, "referrals/intake_received.html")
        return redirect("referrals:intake")
    response = render(request, "referrals/intake_done.html", {"referral": referral})
    # Shown once: the session no longer leads to the client's name and email afterwards.
    del request.session[SESSION_KEY]
    return response
