"""Plain-text messages are not HTML-escaped: "O'Neil" reads O'Neil in an email's text part, its
subject and an SMS; Slack keeps only the escapes it decodes (&amp; &lt; &gt;); HTML stays escaped."""

import pytest

from notifications.models import OutboxMessage
from providers.models import InsuranceNetwork
from referrals import services

ENTITIES = ("&#x27;", "&quot;", "&#39;")


@pytest.fixture
def referral(provider_factory):
    network = InsuranceNetwork.objects.create(name="Blue Cross & <Blue> Shield")
    dana = provider_factory("Dana", "O'Neil", networks=[network], slack_user_id="U0DANA")
    client = services.ClientDetails("Zoë", "D'Arcy", "zoe@example.org", "")
    return services.create_referral(
        client=client,
        insurance_network=network,
        preferred_provider=dana,
        actor=services.Actor("test"),
    )


def test_text_parts_subjects_and_sms_are_plain_text(referral):
    for message in OutboxMessage.objects.filter(referral=referral).exclude(channel="slack"):
        plain = message.subject + message.body_text
        assert not any(entity in plain for entity in ENTITIES), message.template
        assert "&amp;" not in plain and "&lt;" not in plain, message.template
    provider_email = OutboxMessage.objects.get(
        referral=referral, channel="email", template="provider_referral"
    )
    assert "Blue Cross & <Blue> Shield" in provider_email.body_text
    assert "Blue Cross &amp; &lt;Blue&gt; Shield" in provider_email.body_html
    confirmation = OutboxMessage.objects.get(referral=referral, template="referral_confirmation")
    assert "O'Neil" in confirmation.body_text and "O&#x27;Neil" in confirmation.body_html


def test_slack_keeps_only_the_escapes_slack_decodes(referral):
    card = OutboxMessage.objects.get(referral=referral, channel="slack")
    assert "Requested: Dana O'Neil" in card.body_text
    assert "Blue Cross &amp; &lt;Blue&gt; Shield" in card.body_text  # cannot forge <links>
    assert not any(entity in card.body_text for entity in ENTITIES)
