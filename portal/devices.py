"""My devices: where the provider is signed in, and signing any of those devices out.

Every sign-out is a POST. A device is looked up among the provider's own, so another's id
answers 404 like one that does not exist. The rules live in `providers.devices`.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.flash import flash
from portal.views import provider_required
from providers import devices


@provider_required
def device_list(request, provider):
    return render(
        request,
        "portal/devices.html",
        {
            "provider": provider,
            "devices": list(devices.signed_in_devices(request.user)),
            "this_device": request.device,
        },
    )


@require_POST
@provider_required
def sign_out_device(request, provider, pk):
    if pk == request.device.pk:  # this device: signing out here
        logout(request)
        flash(request, messages.SUCCESS, "signed_out")
        return redirect("referrals:home")
    if not devices.sign_out_device(request.user, pk):
        raise Http404()
    flash(request, messages.SUCCESS, "device_signed_out")
    return redirect("portal:devices")


@require_POST
@provider_required
def sign_out_others(request, provider):
    ended = devices.sign_out_others(request.user, keep=request.device)
    flash(request, messages.SUCCESS, "devices_signed_out_others", ended=ended)
    return redirect("portal:devices")
