"""The lifecycle is one table (`referrals.lifecycle.TRANSITIONS`): every state change in the
services goes through it, every row is used, nothing outside it happens, and the diagram in
docs/lifecycle.md is the table's."""

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest

from referrals import lifecycle, services
from referrals.errors import AlreadyAccepted, NotOpen
from referrals.models import Referral
from referrals.services import (
    accept_referral,
    close_referral,
    decline_referral,
    expire_referral,
    merge_referrals,
    offer_referral,
    route_referral,
)
from tests.conftest import make_provider
from tests.policy.helpers import PROVIDER, STAFF

ROOT = Path(__file__).resolve().parents[2]
Status = Referral.Status
HOUR = timedelta(hours=1)


def test_no_service_assigns_a_status_except_through_the_table():
    tree = ast.parse((ROOT / "referrals" / "services.py").read_text())
    assigned = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and target.attr in ("status", "round")
    ]
    assert assigned == []
    setattrs = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "setattr"
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value in ("status", "round")
    ]
    assert setattrs == []


def test_every_row_of_the_table_is_used_by_a_service(
    monkeypatch, make_referral, ana, ben, aetna, t0
):
    used = set()
    real_apply = lifecycle.apply

    def spy(referral, action):
        before = referral.status
        row = real_apply(referral, action)
        used.add((row, before))
        return row

    monkeypatch.setattr(lifecycle, "apply", spy)
    carl = make_provider("Carl", "Moss", phone="+12012230003", networks=[aetna])
    dana = make_provider("Dana", "Hart", phone="+12012230004", networks=[aetna])

    def receive(**kw):
        """A new referral: the state it starts in is a "receive" row's."""
        referral = make_referral(network=aetna, now=t0, **kw)
        receive_rows = [r for r in lifecycle.TRANSITIONS if r.action == "receive"]
        used.update((r, None) for r in receive_rows if r.to_state == referral.status)
        return referral

    # A Preferred referral declined, offered to one provider, accepted, declined after contact,
    # accepted again and closed.
    one = receive(preferred=ana)
    decline_referral(one.pk, ana, reason="unavailable", actor=PROVIDER, now=t0 + HOUR)
    decline_referral(one.pk, ben, reason="unavailable", actor=PROVIDER, now=t0 + HOUR)  # a wave
    offer_referral(one.pk, carl, actor=STAFF, now=t0 + 2 * HOUR)
    accept_referral(one.pk, carl, actor=PROVIDER, now=t0 + 3 * HOUR)
    decline_referral(one.pk, carl, reason="not_a_fit", actor=PROVIDER, now=t0 + 4 * HOUR)
    accept_referral(one.pk, dana, actor=PROVIDER, now=t0 + 5 * HOUR)
    close_referral(one.pk, "withdrew", actor=STAFF, note="Asked to stop.", now=t0 + 6 * HOUR)
    # A General referral: the next wave, then the 48 hours pass; a Preferred one expires too.
    two = receive()
    three = receive(preferred=ben)
    assert route_referral(two.pk, now=t0 + 4 * HOUR)
    assert expire_referral(two.pk, now=t0 + 48 * HOUR)
    assert expire_referral(three.pk, now=t0 + 48 * HOUR)
    # Staff offer a waiting referral to another provider, then close and merge the rest.
    four = receive(preferred=carl)
    offer_referral(four.pk, dana, actor=STAFF, now=t0 + HOUR)
    close_referral(three.pk, "no_provider", actor=STAFF, note="Nobody.", now=t0 + 49 * HOUR)
    merge_referrals(four.pk, two.pk, actor=STAFF, now=t0 + 49 * HOUR)

    assert {row for row, _ in used} == set(lifecycle.TRANSITIONS)


@pytest.mark.parametrize(
    ("action", "status", "error", "message"),
    [
        ("accept", Status.ACCEPTED, AlreadyAccepted, AlreadyAccepted.message),
        ("accept", Status.CLOSED, NotOpen, lifecycle.CLOSED_MESSAGE),
        ("offer", Status.ACCEPTED, AlreadyAccepted, AlreadyAccepted.message),
        ("route", Status.PENDING, NotOpen, NotOpen.message),
        ("expire", Status.CLOSED, NotOpen, lifecycle.CLOSED_MESSAGE),
        ("close", Status.CLOSED, NotOpen, lifecycle.CLOSED_MESSAGE),
        ("receive", Status.AVAILABLE, NotOpen, NotOpen.message),
    ],
)
def test_a_transition_not_in_the_table_is_refused_and_changes_nothing(
    action, status, error, message
):
    referral = Referral(status=status, round=3)
    with pytest.raises(error) as refused:
        lifecycle.apply(referral, action)
    assert refused.value.message == message
    assert (referral.status, referral.round) == (status, 3)


def test_a_transition_sets_the_new_state_and_moves_the_round_only_when_the_table_says():
    pending = Referral(status=Status.PENDING, round=1)
    assert lifecycle.apply(pending, "accept").to_state == Status.ACCEPTED
    assert (pending.status, pending.round) == (Status.ACCEPTED, 2)
    available = Referral(status=Status.AVAILABLE, round=1)
    lifecycle.apply(available, "route")
    assert (available.status, available.round) == (Status.AVAILABLE, 1)


def test_each_action_from_each_state_has_one_row():
    keys = [(row.action, s) for row in lifecycle.TRANSITIONS for s in row.from_states]
    assert len(keys) == len(set(keys))


def test_the_diagram_in_the_docs_is_the_table():
    doc = (ROOT / "docs" / "lifecycle.md").read_text()
    diagrams = re.findall(r"```mermaid\n(stateDiagram-v2\n.*?)\n```", doc, re.S)
    assert diagrams == [lifecycle.mermaid()]


def test_services_name_only_actions_the_table_has():
    source = (ROOT / "referrals" / "services.py").read_text()
    named = set(
        re.findall(
            r'(?:lifecycle\.apply\(\w+, |lifecycle\.transition\(|_close\(\s*\w+,\s*)"(\w+)"',
            source,
        )
    )
    assert named == {row.action for row in lifecycle.TRANSITIONS} - {"receive"}
    assert services.CLOSED_MESSAGE == lifecycle.CLOSED_MESSAGE
