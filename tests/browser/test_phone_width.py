"""On a 390-pixel-wide phone the desk queue and a referral's timeline fit without sideways
scrolling; the Accept Referral page's button follows the status chosen ("Accept Referral" /
"Decline Referral") with no JavaScript of ours; the intake form's out-of-network question is
accessible at 390 and 1280 pixels."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model

from providers.accounts import user_for
from providers.models import InsuranceNetwork, Provider
from referrals import services

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def referrals(db):
    aetna = InsuranceNetwork.objects.create(name="Blue Cross Blue Shield of Massachusetts")
    cigna = InsuranceNetwork.objects.create(name="Cigna")
    ana = Provider.objects.create(
        first_name="Anastasia", last_name="Featherstonehaugh-Lee", email="ana@example.com"
    )
    ana.insurance_networks.set([aetna])
    actor = services.Actor("test")
    made = []
    for n, (network, preferred, confirmed) in enumerate(
        [(aetna, ana, False), (cigna, ana, True), (None, None, False)]
    ):
        details = services.ClientDetails(
            "Maximiliana",
            "Wolfeschlegelsteinhausen",
            f"maximiliana.{n}@example.org",
            "",
        )
        made.append(
            services.create_referral(
                client=details,
                insurance_network=network,
                preferred_provider=preferred,
                out_of_network_confirmed=confirmed,
                actor=actor,
            )
        )
    services.add_note(made[0].pk, "Called twice; " + "no answer " * 20, actor=actor)
    return made


def test_the_queue_and_the_timeline_fit_a_390_pixel_phone(page, signed_in, referrals):
    signed_in(page, get_user_model().objects.create_user("intake", is_staff=True))
    page.set_viewport_size(PHONE)
    page.goto("/desk/")
    assert page.get_by_text("out of network").first.is_visible()
    assert page.evaluate(FITS), "the queue scrolls sideways at 390 px"
    inner = (
        "[...document.querySelectorAll('.table-wrap')].every(e => e.scrollWidth <= e.clientWidth)"
    )
    assert page.evaluate(inner), "the queue's table scrolls sideways inside the page at 390 px"
    for referral in referrals:
        page.goto(f"/desk/referrals/{referral.pk}/")
        assert page.evaluate(FITS), f"the timeline of {referral.number} scrolls sideways"


def test_the_accept_button_says_what_it_will_do(page, signed_in, referrals):
    preferred = referrals[0]
    signed_in(page, user_for(preferred.preferred_provider))
    page.goto(f"/accept/?referral={preferred.pk}")
    button = page.locator("form.decision button[type=submit]")
    assert button.inner_text() == "Accept Referral"
    page.get_by_label("Referral status").select_option("decline")
    assert button.inner_text() == "Decline Referral"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_out_of_network_question_is_accessible(page, referrals, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/referrals/new/")
    page.get_by_label("Insurance").select_option(label="Cigna")
    page.get_by_label("Preferred provider").select_option(label="Anastasia Featherstonehaugh-Lee")
    page.get_by_label("I understand this provider is not in my insurance network").wait_for()
    page.get_by_role("button", name="Send my request").click()
    page.get_by_role("alert").first.wait_for()
    assert page.get_by_label(
        "I understand this provider is not in my insurance network"
    ).is_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_with_htmx_the_out_of_network_question_follows_each_choice(page, referrals):
    page.goto("/referrals/new/")
    page.get_by_label("Insurance").select_option(label="Cigna")
    page.get_by_label("Preferred provider").select_option(label="Anastasia Featherstonehaugh-Lee")
    confirm = page.get_by_label("I understand this provider is not in my insurance network")
    confirm.wait_for()
    assert page.get_by_text("Anastasia Featherstonehaugh-Lee is not in your network").is_visible()
    confirm.check()
    assert confirm.is_checked()  # ticking it does not refresh the note away
    page.get_by_label("Preferred provider").select_option(label="No preference")
    confirm.wait_for(state="detached")
    assert page.csp_violations == []
