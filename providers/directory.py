"""The public provider page: active providers, filtered by insurance network, specialty and
language, and one profile page each with "Request this provider".

The filters are a plain GET form (works without JavaScript); with htmx the form asks again on
every change and only the results list is sent back. The list costs the same few queries however
many providers there are (prefetched relations, photos by id only).

A provider not taking new referrals (`providers.availability`) stays listed, labelled "Not
accepting new clients" or "Back on 12 January", and their profile offers no "Request this
provider".
"""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from providers.availability import availability
from providers.models import InsuranceNetwork, Language, Photo, Provider, Specialty


class DirectoryFilter(forms.Form):
    network = forms.ModelChoiceField(
        InsuranceNetwork.objects.all(),
        required=False,
        label="Insurance network",
        empty_label="Any insurance network",
    )
    specialty = forms.ModelChoiceField(
        Specialty.objects.all(), required=False, label="Specialty", empty_label="Any specialty"
    )
    language = forms.ModelChoiceField(
        Language.objects.all(), required=False, label="Language", empty_label="Any language"
    )


def listed_providers():
    """Active providers with everything the page shows, in a fixed number of queries."""
    return (
        Provider.objects.active()
        .with_availability()
        .prefetch_related("insurance_networks", "specialties", "languages")
    )


def _with_availability(providers):
    """Each provider with `.availability` set (from the annotation: no query each)."""
    for provider in providers:
        provider.availability = availability(provider)
    return providers


def _filtered(form: DirectoryFilter):
    providers = listed_providers()
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("network"):
        providers = providers.filter(insurance_networks=data["network"])
    if data.get("specialty"):
        providers = providers.filter(specialties=data["specialty"])
    if data.get("language"):
        providers = providers.filter(languages=data["language"])
    return providers


@require_GET
def directory(request):
    form = DirectoryFilter(request.GET or None)
    filtered = any(request.GET.get(name) for name in form.fields)
    context = {
        "form": form,
        "providers": _with_availability(list(_filtered(form))),
        "filtered": filtered,
    }
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "providers/_results.html" if partial else "providers/directory.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def profile(request, pk: int):
    provider = get_object_or_404(listed_providers(), pk=pk)
    _with_availability([provider])
    return render(request, "providers/profile.html", {"provider": provider})


@require_GET
def photo(request, pk: int):
    """A provider's current photo (public), or a pending one for staff and its own provider."""
    public = Provider.objects.active().filter(photo_id=pk).exists()
    if not public and not _may_see_pending(request, pk):
        raise Http404()
    image = get_object_or_404(Photo.objects.only("data"), pk=pk)
    response = HttpResponse(bytes(image.data), content_type="image/jpeg")
    # A new photo gets a new id, so a URL's image never changes.
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if public else "private, no-store"
    )
    return response


def _may_see_pending(request, pk: int) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    provider = getattr(user, "provider", None)
    return provider is not None and provider.profile_changes.filter(photo_id=pk).exists()
