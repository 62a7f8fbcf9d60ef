"""The Accept Referral page's words, and what a provider sees right after accepting.

The submit button says what it will do ("Accept Referral" / "Decline Referral", following the
status chosen; without :has support it keeps the user guide's "Accept Referral"); "Provider
Requested" appears only on Preferred Provider referrals. After accepting (email link, portal,
Accept Referral page) the page gives the client's phone and email as tel: and mailto: links and
the practice's 12-hour contact goal, and only to the provider who accepted (or staff).
"""

from datetime import timedelta

import time_machine
from django.conf import settings

from referrals import services
from referrals.links import make_action_url
from referrals.services import Actor
from tests.portal.conftest import give_user

URL = "/accept/"
TEL = '<a href="tel:+12019870001">'
MAILTO = '<a href="mailto:sam.rivera@example.org">'
GOAL = "within 12 hours"


def _decision(referral, provider, status="accept", reason=""):
    return {
        "referral": referral.pk,
        "round": referral.round,
        "status": status,
        "reason": reason,
        "provider": provider.pk,
    }


def test_the_button_says_accept_or_decline_referral(as_provider, ana, make_referral, aetna):
    make_referral(network=aetna)
    html = as_provider(ana).post(URL, {"last_name": "Rivera"}).content.decode()
    assert (
        '<button type="submit"><span class="when-accept">Accept Referral</span>'
        '<span class="when-decline">Decline Referral</span></button>'
    ) in html


def test_provider_requested_is_shown_only_on_preferred_provider_referrals(
    as_provider, ana, make_referral, aetna
):
    client = as_provider(ana)
    general = make_referral(network=aetna)
    html = client.get(f"{URL}?referral={general.pk}").content.decode()
    assert "Provider Requested" not in html and ">Provider</label>" in html
    preferred = make_referral(network=aetna, preferred=ana)
    html = client.get(f"{URL}?referral={preferred.pk}").content.decode()
    assert "Provider Requested" in html


def test_after_accepting_on_the_accept_page_the_client_can_be_called_or_emailed(
    as_provider, ana, make_referral, aetna
):
    referral = make_referral(network=aetna)
    client = as_provider(ana)
    response = client.post(URL, _decision(referral, ana))
    html = client.get(response["Location"]).content.decode()
    assert TEL in html and MAILTO in html and GOAL in html


def test_another_provider_searching_sees_no_contact_links(
    as_provider, ana, ben, make_referral, aetna
):
    referral = make_referral(network=aetna)
    services.accept_referral(referral.pk, ana, actor=Actor("t"))
    html = as_provider(ben).post(URL, {"last_name": "Rivera"}).content.decode()
    assert TEL not in html and MAILTO not in html


def test_a_provider_offered_but_not_yet_accepting_sees_no_contact_links(
    as_provider, ana, make_referral, aetna
):
    referral = make_referral(network=aetna, preferred=ana)  # waiting for Ana's answer
    html = as_provider(ana).get(f"{URL}?referral={referral.pk}").content.decode()
    assert referral.number in html  # the card is there, to accept or decline
    assert TEL not in html and MAILTO not in html


def test_after_accepting_by_the_email_link_the_client_can_be_called_or_emailed(
    client, make_referral, ana, t0
):
    with time_machine.travel(t0, tick=False):
        referral = make_referral(preferred=ana, now=t0)
        path = make_action_url(referral, ana).removeprefix(settings.SITE_URL)
        html = client.post(path, {"choice": "accept"}).content.decode()
    assert TEL in html and MAILTO in html and GOAL in html


def test_declining_by_the_email_link_shows_no_contact_details(client, make_referral, ana, t0):
    with time_machine.travel(t0, tick=False):
        referral = make_referral(preferred=ana, now=t0)
        path = make_action_url(referral, ana).removeprefix(settings.SITE_URL)
        html = client.post(path, {"choice": "decline", "reason": "unavailable"}).content.decode()
    assert TEL not in html and MAILTO not in html and "Rivera" not in html


def test_after_accepting_in_the_portal_the_client_can_be_called_or_emailed(
    client, make_referral, ana, aetna, t0
):
    referral = make_referral(network=aetna, now=t0)
    services.accept_referral(referral.pk, ana, actor=Actor("t"), now=t0)
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        client.force_login(give_user(ana))
        html = client.get("/portal/").content.decode()
    assert TEL in html and MAILTO in html and GOAL in html
