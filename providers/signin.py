"""Provider sign-in by a one-time link emailed to their practice address; sign-out.

The sign-in page tells no one who works here: for any address it writes one request row and
shows "check your email", the same page after the same work; the worker looks the address up
and emails a link only to an active provider (`providers.signin_links`). Opening the emailed
link (GET) shows a button; only the POST signs in and spends the link, so a mail scanner
following the link neither signs in nor spends it, and of simultaneous uses exactly one signs
in; the session lasts 30 days if they ticked "Keep me signed in on this device", else
SESSION_COOKIE_AGE, and is one of their signed-in devices (`providers.devices`). Staff use /admin/. Requests are rate-limited per address and per client address
(`providers.signin_throttle`).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from config.client_ip import client_ip
from config.durations import describe
from config.flash import flash
from config.signed_links import LinkExpired, LinkInvalid
from providers import signin_throttle
from providers.accounts import user_for
from providers.devices import KEEP_SIGNED_IN
from providers.signin_links import LinkUsed, consume, read_signin_token, request_link


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Your practice email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    keep_signed_in = forms.BooleanField(required=False)  # labelled in signin/signin.html
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


@require_http_methods(["GET", "POST"])
def signin(request):
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            if signin_throttle.allow(email, client_ip(request)):
                request_link(
                    email,
                    _safe_next(request, form.cleaned_data["next"]),
                    timezone.now(),
                    keep_signed_in=form.cleaned_data["keep_signed_in"],
                )
            return render(
                request,
                "signin/check_email.html",
                {"signin_ttl": describe(settings.SIGNIN_LINK_TTL)},
            )
        status = 400
    else:
        form = SignInForm(initial={"next": _safe_next(request, request.GET.get("next", ""))})
        status = 200
    return render(request, "signin/signin.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def signin_link(request, token):
    try:
        link = read_signin_token(token)
    except LinkExpired:
        return render(request, "signin/link_problem.html", {"expired": True}, status=410)
    except LinkUsed:
        return _used(request)
    except LinkInvalid:
        return render(request, "signin/link_problem.html", {"expired": False}, status=400)
    provider = link.provider
    next_url = _safe_next(request, request.GET.get("next", ""))
    if request.method == "GET":
        return render(request, "signin/confirm.html", {"provider": provider, "next": next_url})
    if not consume(link, timezone.now()):  # another use got there first
        return _used(request)
    if link.keep_signed_in:  # kept by login(); else the session lasts SESSION_COOKIE_AGE
        request.session.set_expiry(KEEP_SIGNED_IN)
    login(request, user_for(provider), backend="django.contrib.auth.backends.ModelBackend")
    flash(request, messages.SUCCESS, "signed_in", provider=provider)
    return redirect(next_url or "referrals:accept")


def _used(request):
    return render(request, "signin/link_problem.html", {"used": True}, status=400)


@require_http_methods(["GET", "POST"])
def signout(request):
    if request.method == "GET":
        return render(request, "signin/signout.html")
    logout(request)
    flash(request, messages.SUCCESS, "signed_out")
    return redirect("referrals:home")
