"""What a provider's text message asks for: "A 123", "a123", "accept R-00123", "D 123", a bare
"YES", or one of the carrier keywords (STOP, START, HELP). Referral numbers are read by the one
parser every page uses (`referrals.numbers`)."""

import re
from dataclasses import dataclass

from referrals.numbers import parse_referral_number

ACCEPT, DECLINE, YES, STOP, START, HELP = "accept", "decline", "yes", "stop", "start", "help"

# Twilio's own opt-out / opt-in / help keywords: Twilio answers STOP and START itself.
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}

_ANSWER = re.compile(r"\A(accept|decline|a|d)\s*[:#.-]?\s*(.+?)[.!]?\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    verb: str | None  # None: not understood
    referral_id: int | None = None


def parse(body: str) -> Command:
    text = " ".join((body or "").split())
    word = text.upper().rstrip(".!")
    if word in STOP_WORDS:
        return Command(STOP)
    if word in START_WORDS:
        return Command(START)
    if word in HELP_WORDS:
        return Command(HELP)
    if word == "YES":
        return Command(YES)
    match = _ANSWER.match(text)
    if match:
        referral_id = parse_referral_number(match.group(2))
        if referral_id is not None:
            verb = ACCEPT if match.group(1).lower().startswith("a") else DECLINE
            return Command(verb, referral_id)
    return Command(None)
