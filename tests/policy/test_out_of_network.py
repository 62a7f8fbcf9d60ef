"""Insurance that matches: a client who names a preferred provider outside their insurance
network must confirm they may pay out of pocket; the referral remembers it (out of network), and
the provider's email says so. In network and self-pay need no confirmation."""

import pytest

from notifications.models import OutboxMessage
from referrals.errors import OutOfNetwork
from referrals.models import Referral
from referrals.services import Actor, create_referral
from tests.conftest import CLIENT


def _make(network, preferred, **kw):
    return create_referral(
        client=CLIENT,
        insurance_network=network,
        preferred_provider=preferred,
        actor=Actor("test"),
        **kw,
    )


def test_out_of_network_preferred_provider_is_refused_without_confirmation(ana, cigna):
    with pytest.raises(OutOfNetwork):
        _make(cigna, ana)  # Ana participates in Aetna only
    assert Referral.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_confirmed_out_of_network_referral_is_marked_and_the_provider_is_told(ana, cigna):
    referral = _make(cigna, ana, out_of_network_confirmed=True)
    assert referral.out_of_network is True
    email = OutboxMessage.objects.get(template="provider_referral", channel="email")
    assert "Out of network" in email.body_text
    assert "may pay out of pocket" in email.body_text


def test_in_network_and_self_pay_referrals_are_not_out_of_network(ana, aetna, cigna):
    assert _make(aetna, ana).out_of_network is False
    OutboxMessage.objects.all().delete()
    other = CLIENT.__class__(**{**CLIENT.__dict__, "email": "x@example.org", "phone": ""})
    referral = create_referral(
        client=other, insurance_network=None, preferred_provider=ana, actor=Actor("test")
    )
    assert referral.out_of_network is False
    email = OutboxMessage.objects.get(template="provider_referral", channel="email")
    assert "Out of network" not in email.body_text


def test_the_desk_shows_out_of_network_on_such_referrals(client, django_user_model, ana, cigna):
    referral = _make(cigna, ana, out_of_network_confirmed=True)
    client.force_login(django_user_model.objects.create_user("intake", is_staff=True))
    queue = client.get("/desk/").content.decode()
    timeline = client.get(f"/desk/referrals/{referral.pk}/").content.decode()
    assert "out of network" in queue and "out of network" in timeline
