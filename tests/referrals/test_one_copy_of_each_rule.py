"""Each rule the desk, the portal, the Accept Referral page and Slack share is written once."""

from desk.forms import DeclineForm as DeskDeclineForm
from portal.forms import DeclineForm as PortalDeclineForm
from referrals.eligibility import DECLINE_REASONS
from referrals.models import ReferralEvent
from referrals.web.accept_forms import DecisionForm


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
