"""Every message template, rendered with a fixed context, matches its snapshot in snapshots/.

A change of wording shows up as a diff here. After a deliberate change, rewrite the snapshots with
`UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/delivery/test_message_snapshots.py` and review them.
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from notifications.outbox import render_message
from providers.models import InsuranceNetwork, Provider
from referrals.models import Client, Referral, ReferralEvent

SNAPSHOTS = Path(__file__).parent / "snapshots"
MESSAGES = Path(django_settings.BASE_DIR) / "templates" / "messages"
AT = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ACCEPT_PAGE = "http://127.0.0.1:8000/accept/?referral=42"
ACTION = "http://127.0.0.1:8000/r/SIGNED-TOKEN/"
PORTAL = "http://127.0.0.1:8000/portal/"
STATUS = "http://127.0.0.1:8000/status/SIGNED-TOKEN/"
PHOTO = "http://127.0.0.1:8000/providers/photos/5.jpg"


@pytest.fixture(autouse=True)
def fixed_practice(settings):
    settings.PRACTICE_NAME = "Hello Practice Counseling Group"
    settings.PRACTICE_PHONE = "(555) 010-0100"
    settings.PRACTICE_EMAIL = "intake@example.com"
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.TIME_ZONE = "America/New_York"
    settings.REFERRAL_LINK_TTL = timedelta(hours=12)
    settings.REFERRAL_REMINDER_AFTER = timedelta(hours=24)
    settings.REFERRAL_EXPIRE_AFTER = timedelta(hours=48)
    settings.CONTACT_WITHIN = timedelta(hours=12)


def _context(
    status="pending",
    kind="preferred",
    event_kind="received",
    reason="",
    extra=None,
    outcome="",
    out_of_network=False,
):
    aetna = InsuranceNetwork(pk=1, name="Aetna")
    ana = Provider(
        pk=7, first_name="Ana", last_name="Lee", phone="+12012230001", office_phone="+12125550111"
    )
    ana.slack_user_id = "U0ANA"
    client = Client(
        pk=3, first_name="Sam", last_name="Rivera", email="sam@example.org", phone="+12019870001"
    )
    preferred = ana if kind == "preferred" else None
    referral = Referral(
        pk=42,
        kind=kind,
        status=status,
        client=client,
        insurance_network=aetna,
        preferred_provider=preferred,
        out_of_network=out_of_network,
        offered_to=ana if status == "pending" else None,
        accepted_by=ana if status == "accepted" else None,
        created_at=AT,
        offered_at=AT,
        accepted_at=AT if status == "accepted" else None,
        expires_at=AT + timedelta(hours=48) if status in ("pending", "available") else None,
        outcome=outcome,
        first_session_on=AT.date() + timedelta(days=6) if outcome == "first_session" else None,
        merged_into=Referral(pk=40) if outcome == "duplicate" else None,
    )
    event = ReferralEvent(kind=event_kind, provider=ana, reason=reason, at=AT)
    return {
        "referral": referral,
        "client": client,
        "event": event,
        "preferred_provider": preferred,
        "provider": ana,
        "accept_page_url": ACCEPT_PAGE,
        "action_url": ACTION,
        "status_url": STATUS,
        **(extra or {}),
    }


REPLY = {
    "number": "R-00042",
    "referral_url": ACCEPT_PAGE,
    "profile_url": "http://127.0.0.1:8000/portal/profile/",
    "slack_user_id": "U0ANA",
}


def _reply(outcome: str, **extra) -> dict:
    return {"extra": {**REPLY, "outcome": outcome, **extra}}


CASES = {
    "email-referral_confirmation-preferred": ("email", "referral_confirmation", {}),
    "email-referral_confirmation-general": (
        "email",
        "referral_confirmation",
        {"kind": "general", "status": "available"},
    ),
    "email-provider_referral": ("email", "provider_referral", {}),
    "email-provider_referral-out_of_network": (
        "email",
        "provider_referral",
        {"out_of_network": True},
    ),
    "email-provider_referral-staff_offer": (
        "email",
        "provider_referral",
        {"kind": "general", "event_kind": "offered"},
    ),
    "email-provider_reminder": ("email", "provider_reminder", {"event_kind": "reminded"}),
    "email-client_reminder": ("email", "client_reminder", {"event_kind": "reminded"}),
    "email-decline_notice-not_available": (
        "email",
        "decline_notice",
        {"status": "available", "event_kind": "declined", "reason": "unavailable"},
    ),
    "email-decline_notice-not_a_fit": (
        "email",
        "decline_notice",
        {"status": "available", "kind": "general", "event_kind": "declined", "reason": "not_a_fit"},
    ),
    "email-decline_notice-expired": (
        "email",
        "decline_notice",
        {"status": "available", "event_kind": "expired", "reason": "expired"},
    ),
    "slack-referral_card-pending": ("slack", "referral_card", {}),
    "slack-referral_card-accepted": (
        "slack",
        "referral_card",
        {"status": "accepted", "event_kind": "accepted"},
    ),
    "slack-referral_card-available": (
        "slack",
        "referral_card",
        {"status": "available", "kind": "general"},
    ),
    "slack-referral_offered": ("slack", "referral_offered", {"event_kind": "offered"}),
    "slack-referral_accepted": (
        "slack",
        "referral_accepted",
        {"status": "accepted", "event_kind": "accepted"},
    ),
    "slack-referral_available_again-declined": (
        "slack",
        "referral_available_again",
        {"status": "available", "event_kind": "declined", "reason": "not_a_fit"},
    ),
    "slack-referral_available_again-expired": (
        "slack",
        "referral_available_again",
        {"status": "available", "event_kind": "expired", "reason": "expired"},
    ),
    "slack-referral_card-closed": (
        "slack",
        "referral_card",
        {"status": "closed", "event_kind": "closed", "outcome": "first_session"},
    ),
    "slack-referral_card-merged": (
        "slack",
        "referral_card",
        {"status": "closed", "event_kind": "merged", "outcome": "duplicate"},
    ),
    "slack-referral_closed-first_session": (
        "slack",
        "referral_closed",
        {"status": "closed", "event_kind": "closed", "outcome": "first_session"},
    ),
    "slack-referral_closed-unreachable": (
        "slack",
        "referral_closed",
        {"status": "closed", "event_kind": "closed", "outcome": "unreachable"},
    ),
    "slack-referral_closed-merged": (
        "slack",
        "referral_closed",
        {"status": "closed", "event_kind": "merged", "outcome": "duplicate"},
    ),
    "email-request_in_hand": (
        "email",
        "request_in_hand",
        {"kind": "general", "status": "available", "event_kind": "asked_again"},
    ),
    "sms-provider_referral": ("sms", "provider_referral", {}),
    "sms-referral_confirmation": ("sms", "referral_confirmation", {}),
    "sms-client_reminder": ("sms", "client_reminder", {"event_kind": "reminded"}),
    "sms-decline_notice-declined": (
        "sms",
        "decline_notice",
        {"status": "available", "event_kind": "declined", "reason": "unavailable"},
    ),
    "sms-decline_notice-expired": (
        "sms",
        "decline_notice",
        {"status": "available", "event_kind": "expired", "reason": "expired"},
    ),
    "email-provider_contact_nudge": (
        "email",
        "provider_contact_nudge",
        {"status": "accepted", "event_kind": "nudged", "extra": {"portal_url": PORTAL}},
    ),
    "sms-provider_contact_nudge": (
        "sms",
        "provider_contact_nudge",
        {"status": "accepted", "event_kind": "nudged", "extra": {"portal_url": PORTAL}},
    ),
    "slack-reply_accepted": (
        "slack",
        "reply_accepted",
        _reply("accepted", client_first_name="Sam"),
    ),
    "slack-reply_declined": ("slack", "reply_declined", _reply("declined")),
    "slack-reply_refused-not_linked": ("slack", "reply_refused", _reply("not_linked")),
    "slack-reply_refused-already_accepted": (
        "slack",
        "reply_refused",
        _reply("already_accepted"),
    ),
    "sms-reply_accepted": ("sms", "reply_accepted", _reply("accepted")),
    "sms-reply_declined": ("sms", "reply_declined", _reply("declined")),
    "sms-reply_refused-not_found": ("sms", "reply_refused", _reply("not_found")),
    "sms-reply_refused-expired": ("sms", "reply_refused", _reply("expired")),
    "sms-reply_help": ("sms", "reply_help", _reply("help")),
    "sms-reply_help_client": ("sms", "reply_help_client", _reply("help")),
    "sms-reply_unknown_number": ("sms", "reply_unknown_number", _reply("unknown_number")),
    "slack-referral_wave": (
        "slack",
        "referral_wave",
        {
            "status": "available",
            "kind": "general",
            "event_kind": "wave",
            "extra": {
                "wave_providers": [
                    Provider(pk=7, first_name="Ana", last_name="Lee", slack_user_id="U0ANA"),
                    Provider(pk=8, first_name="Ben", last_name="Okafor"),
                ]
            },
        },
    ),
    "slack-referral_no_provider": (
        "slack",
        "referral_no_provider",
        {"status": "available", "kind": "general", "event_kind": "no_provider"},
    ),
    "email-provider_will_contact": (
        "email",
        "provider_will_contact",
        {
            "status": "accepted",
            "event_kind": "accepted",
            "extra": {
                "provider": Provider(
                    pk=7, first_name="Ana", last_name="Lee", credentials="LCSW", photo_id=5
                ),
                "provider_phone": "+15551230001",
                "photo_url": PHOTO,
            },
        },
    ),
    "email-provider_will_contact-no_photo": (
        "email",
        "provider_will_contact",
        {
            "status": "accepted",
            "event_kind": "accepted",
            "extra": {"provider_phone": "+15551230001", "photo_url": ""},
        },
    ),
    "email-provider_signin": (
        "email",
        "provider_signin",
        {
            "extra": {
                "signin_url": "http://127.0.0.1:8000/signin/TOKEN/",
                "signin_ttl": "15 minutes",
            }
        },
    ),
}


def _show(message: dict) -> str:
    parts = [f"subject: {message['subject']}"] if message["subject"] else []
    parts.append(message["body_text"].rstrip("\n"))
    if message["body_html"]:
        parts += ["----- html -----", message["body_html"].rstrip("\n")]
    return "\n".join(parts) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_message_matches_its_snapshot(name):
    channel, template, variant = CASES[name]
    rendered = _show(render_message(channel, template, _context(**variant)))
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered)
    assert path.exists(), f"no snapshot yet: run with UPDATE_SNAPSHOTS=1 to write {path.name}"
    assert rendered == path.read_text()


def test_every_message_template_has_a_snapshot():
    covered = {(channel, template) for channel, template, _ in CASES.values()}
    on_disk = {
        (path.parent.name, path.name.split(".")[0])
        for path in MESSAGES.rglob("*.*")
        if not path.name.startswith(("_", "base."))
    }
    assert on_disk <= covered, f"templates without a snapshot case: {sorted(on_disk - covered)}"
