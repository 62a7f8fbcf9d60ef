"""Staff confirm a code from an authenticator app after their password (TOTP, django-otp).

Staff see every client's health information, so a password alone is not enough when
STAFF_2FA_REQUIRED is on (the default unless DEBUG=true). After the admin sign-in, the middleware
sends a staff member who has not yet given a code this session to one page: it enrols an
authenticator app the first time (QR code and secret, then a code to confirm it) and asks for a
code every time after. Wrong codes are throttled by django-otp.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice


def _exempt_paths():
    return {
        reverse("desk:second_factor"),
        reverse("admin:logout"),
        reverse("providers:signout"),
    }


class StaffSecondFactorMiddleware:
    """Staff without a verified code this session reach nothing but the code page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_2FA_REQUIRED and _needs_code(request):
            return redirect_to_login(request.get_full_path(), reverse("desk:second_factor"))
        return self.get_response(request)


def _needs_code(request) -> bool:
    user = request.user
    return (
        user.is_authenticated
        and user.is_staff
        and not user.is_verified()
        and request.path not in _exempt_paths()
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="6-digit code from your authenticator app",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 8}
        ),
    )


@require_http_methods(["GET", "POST"])
def second_factor(request):
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    next_url = _safe_next(request)
    if user.is_verified():
        return redirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        if verify_token(user, device.persistent_id, code) is not None:
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(next_url)
        form.add_error(
            "code", "That code is not right. Check the time on your phone and try the newest code."
        )
    context = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=4, title="QR code for your authenticator app"
        )
        context["secret"] = b32encode(device.bin_key).decode()
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/second_factor.html", context, status=status)


def _safe_next(request) -> str:
    value = request.POST.get("next") or request.GET.get("next", "")
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("desk:queue")
