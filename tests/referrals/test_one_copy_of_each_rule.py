"""Each rule the desk, the portal, the Accept Referral page and Slack share is written once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from config import signed_links
from config.signed_links import LinkExpired, LinkInvalid, read_signed, sign
from desk.forms import DeclineForm as DeskDeclineForm
from portal.forms import DeclineForm as PortalDeclineForm
from providers import signin_links
from referrals import links
from referrals.eligibility import DECLINE_REASONS
from referrals.models import ReferralEvent
from referrals.web.accept_forms import DecisionForm

HOUR = timedelta(hours=1)


def reasons_offered_by(form_class) -> list[str]:
    return [value for value, _ in form_class.base_fields["reason"].choices]


def test_every_decline_form_offers_the_reasons_eligibility_names():
    given = [str(reason) for reason in DECLINE_REASONS]
    assert given == [ReferralEvent.Reason.UNAVAILABLE, ReferralEvent.Reason.NOT_A_FIT]
    for form_class in (DeskDeclineForm, PortalDeclineForm, DecisionForm):
        assert [str(value) for value in reasons_offered_by(form_class)] == given


def test_reasons_only_the_policy_gives_are_not_offered_to_people():
    """'expired' and 'provider made inactive' are never a person's answer."""
    assert ReferralEvent.Reason.EXPIRED not in DECLINE_REASONS
    assert ReferralEvent.Reason.PROVIDER_INACTIVE not in DECLINE_REASONS


def test_action_links_and_sign_in_links_are_signed_and_read_by_one_helper():
    with pytest.raises(signed_links.LinkInvalid):
        links.read_action_token("nonsense")
    with pytest.raises(signed_links.LinkInvalid):
        signin_links.read_signin_token("nonsense")


def test_a_tampered_or_foreign_token_is_invalid_and_an_old_one_expired():
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        token = sign({"r": 1}, salt="one")
        assert read_signed(token, salt="one", max_age=HOUR) == {"r": 1}
        for bad, salt in ((token + "x", "one"), (token, "another"), ("nonsense", "one")):
            with pytest.raises(LinkInvalid):
                read_signed(bad, salt=salt, max_age=HOUR)
    with time_machine.travel(start + 2 * HOUR, tick=False), pytest.raises(LinkExpired):
        read_signed(token, salt="one", max_age=HOUR)
