"""`bin/run-dev` when a child ends on its own: the other is stopped, and the script exits with
the status of the one that ended, whether it ended at once or after a moment."""

import os
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("worker_after", ["0", "0.3"])
def test_a_worker_that_fails_on_its_own_stops_the_server_and_gives_its_status(
    tmp_path, worker_after
):
    python = (
        tmp_path / "python"
    )  # stands in for the interpreter: the worker fails, the server waits
    python.write_text(
        textwrap.dedent(f"""\
            #!/bin/sh
            case "$2" in
              worker) sleep {worker_after}; exit 3 ;;
              runserver) exec sleep 60 ;;
            esac
            """)
    )
    python.chmod(0o755)
    run_dev = subprocess.Popen(
        ["bin/run-dev"],
        cwd=ROOT,
        env={**os.environ, "PY": str(python), "PORT": "0"},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert run_dev.wait(timeout=20) == 3
    finally:
        if run_dev.poll() is None:
            os.killpg(run_dev.pid, signal.SIGKILL)
            run_dev.wait(timeout=5)
