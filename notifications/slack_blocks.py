"""The Block Kit of a referral's Slack card: its text, and Accept / Decline buttons while it is open.

The buttons carry the referral id and offer round in their action ids (`accept:12:3`); the
interaction endpoint (replies/slack_interactions.py) trusts neither: the services check the
provider, the round and every rule again. Button labels live in the template.
"""

import json

from django.template.loader import render_to_string


def card_buttons(referral_id: int, offer_round: int, *, answerable: bool) -> dict:
    """The outbox payload part that asks for buttons: only while the referral can be answered."""
    if not answerable:
        return {}
    return {"buttons": {"referral": referral_id, "round": offer_round}}


def blocks(text: str, payload: dict | None = None) -> list[dict]:
    result = [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}]
    buttons = (payload or {}).get("buttons")
    if buttons:
        context = {"referral": int(buttons["referral"]), "round": int(buttons["round"])}
        result.append(json.loads(render_to_string("slack/card_buttons.json", context)))
    return result
