"""The one-click Accept/Decline link in the provider's email: GET shows, only POST acts."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings

from referrals import services
from referrals.links import make_action_url
from referrals.models import Referral, ReferralEvent
from referrals.services import Actor
from tests.names import shows
from tests.pages.conftest import outbox


def _path(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


@pytest.fixture
def offer(make_referral, ana, t0):
    """A Preferred Provider referral for Ana made at t0, and the link in her email."""
    with time_machine.travel(t0, tick=False):
        referral = make_referral(preferred=ana, now=t0)
        return referral, _path(make_action_url(referral, ana))


def test_the_email_carries_this_link(offer):
    referral, path = offer
    [email] = outbox("provider_referral")
    assert settings.SITE_URL + path in email.body_text


def test_opening_the_link_shows_the_referral_and_changes_nothing(client, offer, t0):
    referral, path = offer
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        response = client.get(path + "?choice=accept")
    html = response.content.decode()
    assert response.status_code == 200
    assert referral.number in html and "Sam" in html and not shows(html, "Rivera")
    assert "Preferred Provider referral" in html and "Self-pay / other" in html
    assert ">Accept referral</button>" in html and ">Decline referral</button>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING and referral.events.count() == 1


def test_pressing_accept_accepts_for_the_provider_in_the_link(client, offer, ana, t0):
    referral, path = offer
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        response = client.post(path, {"choice": "accept"})
    assert response.status_code == 200
    assert f"You accepted referral {referral.number}" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.accepted_by == ana
    assert referral.events.get(kind="accepted").actor_label == "email link: ana.lee@example.com"


def test_pressing_decline_declines_with_the_reason(client, offer, t0):
    referral, path = offer
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        client.post(path, {"choice": "decline", "reason": "unavailable"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    assert referral.events.get(kind="declined").reason == ReferralEvent.Reason.UNAVAILABLE


def test_post_needs_the_csrf_token(offer, t0):
    from django.test import Client

    referral, path = offer
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        response = Client(enforce_csrf_checks=True).post(path, {"choice": "accept"})
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_link_works_until_12_hours_and_expires_after(client, offer, t0):
    referral, path = offer
    ttl = settings.REFERRAL_LINK_TTL
    assert ttl == timedelta(hours=12)
    with time_machine.travel(t0 + ttl - timedelta(seconds=1), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(t0 + ttl + timedelta(seconds=1), tick=False):
        expired_get = client.get(path)
        expired_post = client.post(path, {"choice": "accept"})
    assert expired_get.status_code == 410 and expired_post.status_code == 410
    html = expired_post.content.decode()
    assert "This link has expired" in html and f'href="/accept/?referral={referral.pk}"' not in html
    assert 'href="/accept/"' in html
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


@pytest.mark.parametrize("mangle", [lambda p: p[:-3] + "xx/", lambda p: "/r/garbage/"])
def test_tampered_link_is_refused_and_changes_nothing(client, offer, t0, mangle):
    referral, path = offer
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        response = client.post(mangle(path), {"choice": "accept"})
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_link_for_another_referral_or_provider_does_not_verify(client, offer, ben, t0):
    from django.core import signing

    from referrals.links import SALT

    referral, path = offer
    forged = signing.dumps({"r": referral.pk, "p": ben.pk, "n": referral.round}, salt="other")
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        assert client.post(f"/r/{forged}/", {"choice": "accept"}).status_code == 400
        unknown = signing.TimestampSigner(salt=SALT).sign_object({"r": 999, "p": ben.pk, "n": 1})
        assert client.get(f"/r/{unknown}/").status_code == 400


def test_used_link_says_so_and_changes_nothing(client, offer, ana, t0):
    referral, path = offer
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        client.post(path, {"choice": "accept"})
        again = client.post(path, {"choice": "decline", "reason": "unavailable"})
    assert again.status_code == 409
    assert "already been used" in again.content.decode()
    assert "you accepted it" in again.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.events.filter(kind="declined").count() == 0


def test_link_after_the_round_moved_on_changes_nothing(client, offer, ana, ben, t0):
    referral, path = offer
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        services.decline_referral(referral.pk, ana, reason="unavailable", actor=Actor("t"))
        response = client.post(path, {"choice": "accept"})
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE and referral.accepted_by is None


def test_refusal_by_the_policy_is_shown_not_a_crash(client, offer, ana, t0):
    from providers.models import Provider

    referral, path = offer
    Provider.objects.filter(pk=ana.pk).update(status=Provider.Status.INACTIVE)
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        response = client.post(path, {"choice": "accept"})
    assert response.status_code == 409
    assert "inactive" in response.content.decode()


@pytest.mark.parametrize(
    "data", [{}, {"choice": "maybe"}, {"choice": "decline"}, {"choice": "decline", "reason": "x"}]
)
def test_junk_posts_change_nothing(client, offer, t0, data):
    referral, path = offer
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        response = client.post(path, data)
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


@pytest.fixture
def wave_offer_to_away_ben(make_referral, ana, ben, aetna, t0):
    """A General referral offered to Ana and Ben in a routing wave; Ben then goes away for the
    day. The link in Ben's email is still of this round, and his offer is still open."""
    from providers.availability import practice_day
    from providers.models import Provider

    with time_machine.travel(t0, tick=False):
        referral = make_referral(network=aetna, now=t0)
    assert set(referral.offers.live().values_list("provider", flat=True)) == {ana.pk, ben.pk}
    day = practice_day(t0 + timedelta(hours=1))
    Provider.objects.filter(pk=ben.pk).update(away_from=day, away_until=day)
    with time_machine.travel(t0, tick=False):
        return referral, _path(make_action_url(referral, ben))


AWAY_REFUSAL = "This provider is not taking new referrals now (Away, back on 2 December)"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_away_provider_with_an_open_routing_offer_is_told_the_services_refusal(
    client, wave_offer_to_away_ben, t0, method
):
    """The service's ProviderUnavailable words (away, back on ...), not a "not eligible" of the
    page's own; the client's name is not shown."""
    referral, path = wave_offer_to_away_ben
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        if method == "get":
            response = client.get(path + "?choice=accept")
        else:
            response = client.post(path, {"choice": "accept"})
    html = response.content.decode()
    assert response.status_code == (200 if method == "get" else 409)  # GET: may still decline
    assert AWAY_REFUSAL in html
    assert "cannot take this referral" not in html and not shows(html, "Sam")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE and referral.accepted_by is None


def test_an_away_provider_may_still_decline_their_open_routing_offer_from_the_link(
    client, wave_offer_to_away_ben, ben, t0
):
    """The service lets a provider end the offer made to them, away or not; the link page no
    longer refuses it before asking."""
    referral, path = wave_offer_to_away_ben
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        response = client.post(path, {"choice": "decline", "reason": "unavailable"})
    assert response.status_code == 200
    assert f"You declined referral {referral.number}" in response.content.decode()
    assert referral.offers.get(provider=ben).answer == "declined"


def test_an_away_provider_opening_the_decline_link_of_their_open_routing_offer_may_decline(
    client, wave_offer_to_away_ben, t0
):
    """They may not accept (the service's words say why) but may end the offer made to them:
    the page offers that button, and still shows no client."""
    referral, path = wave_offer_to_away_ben
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        response = client.get(path + "?choice=decline")
    html = response.content.decode()
    assert response.status_code == 200
    assert AWAY_REFUSAL in html and ">Decline referral</button>" in html
    assert ">Accept referral</button>" not in html and not shows(html, "Sam")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_provider_made_inactive_cannot_answer_their_open_routing_offer_from_an_old_link(
    client, wave_offer_to_away_ben, ben, t0, method
):
    """Making a provider inactive releases what they hold or wait for, not their routing offers:
    the link in their email, still of this round, must not decline one in their name (no
    decline event, no count, no new wave), and shows no client."""
    from providers.models import Provider

    referral, path = wave_offer_to_away_ben
    Provider.objects.filter(pk=ben.pk).update(status=Provider.Status.INACTIVE)
    with time_machine.travel(t0 + timedelta(hours=1), tick=False):
        if method == "get":
            response = client.get(path + "?choice=decline")
        else:
            response = client.post(path, {"choice": "decline", "reason": "unavailable"})
    html = response.content.decode()
    assert response.status_code == 409
    assert ">Decline referral</button>" not in html and not shows(html, "Sam")
    assert referral.offers.get(provider=ben).answer == ""
    referral.refresh_from_db()
    assert referral.declines == 0 and referral.declined_offers == 0
    assert not referral.events.filter(kind="declined").exists()
