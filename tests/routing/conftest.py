"""Routing fixtures: a network with five providers, named in the order routing should pick
them when nothing else tells them apart (by id)."""

import pytest

from tests.conftest import make_provider


@pytest.fixture
def five(db, aetna):
    names = ["Ana", "Ben", "Cleo", "Dev", "Eli"]
    return [
        make_provider(name, "Test", phone=f"+1201223000{i}", networks=[aetna])
        for i, name in enumerate(names, start=1)
    ]


from tests.desk.conftest import staff, staff_client  # noqa: E402, F401  (the desk's fixtures)
