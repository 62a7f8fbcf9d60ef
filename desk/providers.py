"""The desk's view of providers' availability: who takes new referrals now and why not, and a
staff form to change it (the same form and service as the Provider Portal, so the change is in
the provider's history under the staff member's name); signing a provider out everywhere."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from config.actors import Actor
from config.flash import flash
from providers import devices, services
from providers.availability import availability
from providers.forms import AvailabilityForm
from providers.models import Provider

HISTORY_SHOWN = 10


@staff_member_required
def providers(request):
    now = timezone.now()
    rows = [(p, availability(p, now)) for p in Provider.objects.active().with_availability(now)]
    return render(request, "desk/providers.html", {"rows": rows})


@staff_member_required
@require_http_methods(["GET", "POST"])
def provider_availability(request, pk):
    provider = get_object_or_404(Provider.objects.active(), pk=pk)
    form = AvailabilityForm.for_provider(provider, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = services.set_availability(
            provider, actor=Actor.for_user(request.user), **form.values()
        )
        flash(request, messages.SUCCESS, "availability_saved", changed=changed)
        return redirect("desk:providers")
    return render(
        request,
        "desk/provider_availability.html",
        {
            "provider": provider,
            "form": form,
            "history": provider.availability_changes.all()[:HISTORY_SHOWN],
        },
        status=400 if form.is_bound else 200,
    )


@staff_member_required
@require_POST
def sign_out_everywhere(request, pk):
    """Sign a provider out on every device (a lost phone, a shared computer)."""
    provider = get_object_or_404(Provider.objects.filter(user__isnull=False), pk=pk)
    ended = devices.sign_out_everywhere(provider.user, Actor.for_user(request.user))
    flash(request, messages.SUCCESS, "signed_out_everywhere", provider=provider, ended=ended)
    return redirect("desk:providers")
