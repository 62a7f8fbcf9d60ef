"""What the practice website needs to build its intake form: networks and active providers."""

from ninja import Router

from api.schemas import ErrorOut, NetworkOut, ProviderOut
from providers.models import InsuranceNetwork, Provider

router = Router(tags=["directory"])


@router.get(
    "/networks",
    response={200: list[NetworkOut], 401: ErrorOut},
    summary="Insurance networks",
)
def networks(request):
    return InsuranceNetwork.objects.order_by("name")


@router.get(
    "/providers",
    response={200: list[ProviderOut], 401: ErrorOut},
    summary="Active providers and the networks they participate in",
    description="Inactive providers are left out: they cannot be requested.",
)
def providers(request):
    active = Provider.objects.active().prefetch_related("insurance_networks")
    return [
        {
            "id": p.pk,
            "name": p.name,
            "network_ids": sorted(n.pk for n in p.insurance_networks.all()),
        }
        for p in active
    ]
