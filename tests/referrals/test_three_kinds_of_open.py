""" "Open" meant three things; each now has its own name, asked of `Referral.objects`:
awaiting an answer (pending or available), not closed, and on the desk (awaiting an answer, or
accepted with contact not yet confirmed). Holding a live offer is `eligibility.live_offer`."""

from referrals import services
from referrals.models import Referral

ACT = services.Actor("t")


def numbers(queryset) -> set[str]:
    return {referral.number for referral in queryset}


def test_each_kind_of_open_names_its_own_referrals(make_referral, ana, aetna, t0):
    pending = make_referral(network=aetna, preferred=ana, now=t0)
    available = make_referral(network=aetna, now=t0)
    accepted = make_referral(network=aetna, now=t0)
    services.accept_referral(accepted.pk, ana, actor=ACT, now=t0)
    contacted = make_referral(network=aetna, now=t0)
    services.accept_referral(contacted.pk, ana, actor=ACT, now=t0)
    services.confirm_contact(contacted.pk, ana, actor=ACT, now=t0)
    closed = make_referral(network=aetna, now=t0)
    services.close_referral(
        closed.pk,
        "referred_out",
        actor=services.Actor("staff", is_staff=True),
        note="moved",
        now=t0,
    )

    awaiting = {pending.number, available.number}
    assert numbers(Referral.objects.awaiting_answer()) == awaiting
    assert numbers(Referral.objects.on_the_desk()) == awaiting | {accepted.number}
    assert numbers(Referral.objects.not_closed()) == awaiting | {accepted.number, contacted.number}
    assert closed.number not in numbers(Referral.objects.not_closed())
    assert [r.awaiting_answer for r in (pending, available)] == [True, True]
    assert Referral.objects.get(pk=accepted.pk).awaiting_answer is False
