"""Provider sign-in by a one-time link emailed to their practice address; sign-out.

The sign-in page answers the same whether or not the address belongs to a provider, so it never
tells anyone who works here. Opening the emailed link (GET) shows a button; only the POST signs
in, so a mail scanner following the link neither signs in nor spends it. Staff use /admin/.
Sign-in emails are rate-limited per address and per client IP (`providers.signin_throttle`).
"""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from config.client_ip import client_ip
from config.durations import describe
from config.flash import flash
from notifications.outbox import Channel, queue_message
from providers import signin_throttle
from providers.accounts import user_for
from providers.models import Provider
from providers.signin_links import LinkExpired, LinkInvalid, make_signin_url, read_signin_token


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Your practice email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
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
                _send_link(email, _safe_next(request, form.cleaned_data["next"]))
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


def _send_link(email: str, next_url: str) -> None:
    provider = Provider.objects.active().filter(email__iexact=email).first()
    if provider is None:
        return
    url = make_signin_url(provider)
    if next_url:
        url += "?" + urlencode({"next": next_url})
    queue_message(
        key=f"signin:{provider.pk}:{uuid.uuid4().hex}",
        template="provider_signin",
        channel=Channel.EMAIL,
        recipient=provider.email,
        context={
            "provider": provider,
            "signin_url": url,
            "signin_ttl": describe(settings.SIGNIN_LINK_TTL),
        },
        now=timezone.now(),
    )


@require_http_methods(["GET", "POST"])
def signin_link(request, token):
    try:
        provider = read_signin_token(token)
    except LinkExpired:
        return render(request, "signin/link_problem.html", {"expired": True}, status=410)
    except LinkInvalid:
        return render(request, "signin/link_problem.html", {"expired": False}, status=400)
    next_url = _safe_next(request, request.GET.get("next", ""))
    if request.method == "GET":
        return render(request, "signin/confirm.html", {"provider": provider, "next": next_url})
    login(request, user_for(provider), backend="django.contrib.auth.backends.ModelBackend")
    flash(request, messages.SUCCESS, "signed_in", provider=provider)
    return redirect(next_url or "referrals:accept")


@require_http_methods(["GET", "POST"])
def signout(request):
    if request.method == "GET":
        return render(request, "signin/signout.html")
    logout(request)
    flash(request, messages.SUCCESS, "signed_out")
    return redirect("referrals:home")
