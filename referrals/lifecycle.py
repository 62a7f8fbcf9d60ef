"""The referral lifecycle as one table: which action moves a referral from which state to which.

`referrals.services` decides *whether* an action is allowed (who may, deadlines, eligibility:
`referrals.eligibility`); the state it moves to is read from `TRANSITIONS` and set only by
`apply`, so the lifecycle cannot drift from what the table (and `docs/lifecycle.md`, checked
against it by tests/policy/test_lifecycle_table.py) says.
"""

from dataclasses import dataclass

from referrals.errors import AlreadyAccepted, NotOpen
from referrals.models import Referral

Status = Referral.Status
PENDING, AVAILABLE, ACCEPTED, CLOSED = (
    Status.PENDING,
    Status.AVAILABLE,
    Status.ACCEPTED,
    Status.CLOSED,
)
NOT_CLOSED = Referral.NOT_CLOSED
CLOSED_MESSAGE = "This referral is closed."


@dataclass(frozen=True)
class Transition:
    action: str
    from_states: tuple[str, ...]  # empty: the state a referral is created in
    to_state: str
    who: str
    new_round: bool = True  # moves `round` on: emailed Accept/Decline links stop working


TRANSITIONS = (
    Transition("receive", (), PENDING, "a client naming a provider (Preferred)", False),
    Transition("receive", (), AVAILABLE, "a client naming none (General)", False),
    Transition("accept", (PENDING,), ACCEPTED, "the provider it waits for, or staff for them"),
    Transition("accept", (AVAILABLE,), ACCEPTED, "an eligible provider, or staff for them"),
    Transition("decline", (PENDING,), AVAILABLE, "the provider it waits for, or staff for them"),
    Transition("decline", (ACCEPTED,), AVAILABLE, "the holder after contact, or staff for them"),
    Transition("decline", (AVAILABLE,), AVAILABLE, "a provider offered it in a wave", False),
    Transition("expire", (PENDING, AVAILABLE), AVAILABLE, "the worker, at 48 hours"),
    Transition("offer", (PENDING, AVAILABLE), PENDING, "staff, to one provider"),
    Transition("route", (AVAILABLE,), AVAILABLE, "the worker, the next wave", False),
    Transition("close", NOT_CLOSED, CLOSED, "staff, or the holder for some outcomes"),
    Transition("merge", NOT_CLOSED, CLOSED, "staff (duplicate)"),
)


def transition(action: str, status: str) -> Transition:
    """The row for `action` from `status`, or the refusal the services have always given."""
    for row in TRANSITIONS:
        if row.action == action and status in row.from_states:
            return row
    if status == ACCEPTED:
        raise AlreadyAccepted()
    if status == CLOSED:
        raise NotOpen(CLOSED_MESSAGE)
    raise NotOpen()


def apply(referral: Referral, action: str) -> Transition:
    """Move the referral along the table (not saved): set the new state and, for transitions
    that start a new round, move `round` on. Refuses an action the table has no row for."""
    row = transition(action, referral.status)
    referral.status = row.to_state
    if row.new_round:
        referral.round += 1
    return row


def mermaid() -> str:
    """The state diagram of `TRANSITIONS` as docs/lifecycle.md shows it (a test keeps them equal)."""
    lines = ["stateDiagram-v2"]
    for row in TRANSITIONS:
        for source in row.from_states or ("[*]",):
            lines.append(f"    {source} --> {row.to_state}: {row.action} by {row.who}")
    lines.append(f"    {CLOSED} --> [*]")
    return "\n".join(lines)
