"""Concurrency tests need PostgreSQL (real row locks, SKIP LOCKED) and committed data that other
connections can see; each thread below opens its own connection and closes it at the end."""

import threading

import pytest
from django.db import connection


def pytest_collection_modifyitems(items):
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    if connection.vendor != "postgresql":
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


def run_together(*calls, timeout: float = 30) -> list:
    """Run each call in its own thread and connection, released at the same instant.

    Returns, in order, each call's result or the exception it raised.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()  # connect before the start line, not after it
            barrier.wait(timeout=timeout)
            results[index] = call()
        except Exception as exc:  # the caller asserts on what each call raised
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (a lock never released?)"
    return results
