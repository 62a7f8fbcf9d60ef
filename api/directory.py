"""What the practice website needs to build its intake form: networks and active providers
(with whether each takes new referrals now)."""

from ninja import Router

from api.schemas import ErrorOut, NetworkOut, ProviderOut
from providers.availability import availability
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
    summary="Active providers, the networks they participate in, and whether they take new clients",
    description="Inactive providers are left out: they cannot be requested. A provider who is "
    "not accepting new clients, away or at their weekly limit is listed with "
    "`taking_new_referrals: false` and cannot be the preferred provider until that changes.",
)
def providers(request):
    active = Provider.objects.active().with_availability().prefetch_related("insurance_networks")
    answers = [(p, availability(p)) for p in active]
    return [
        {
            "id": p.pk,
            "name": p.name,
            "network_ids": sorted(n.pk for n in p.insurance_networks.all()),
            "taking_new_referrals": answer.ok,
            "availability": answer.label,
            "back_on": answer.back_on,
        }
        for p, answer in answers
    ]
