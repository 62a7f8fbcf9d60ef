"""Fixture for the policy tests: run the worker command at a chosen instant."""

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def run_worker():
    """`manage.py worker --once --now <at>`: fire what is due at that instant and deliver it."""

    def run(at) -> str:
        out = io.StringIO()
        call_command("worker", "--once", "--now", at.isoformat(), stdout=out)
        return out.getvalue()

    return run
