"""The routing simulation (bench/routing_sim.py) still runs end to end, so its figures cannot rot.

A short run (30 referrals over one week) through the real services, in its own throwaway
database under the temporary directory it is given, which it leaves empty.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_routing_simulation_prints_routing_off_and_on_side_by_side(tmp_path):
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        [sys.executable, "bench/routing_sim.py", "--referrals", "30", "--weeks", "1"],
        cwd=ROOT,
        env={**inherited, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "measure | routing off | routing on | ratio | goal | met" in lines
    rows = {line.split(" | ")[0]: line.split(" | ") for line in lines if " | " in line}
    for measure in (
        "General: median time to accept",
        "General: 90th percentile time to accept",
        "General: share expired at 48 h",
        "General: contacted within 12 h of request",
        "Offers per eligible provider: max / min",
        "Offers per eligible provider: max / average",
    ):
        off, on = rows[measure][1:3]
        assert off and on, measure
    assert "30 referrals" in done.stdout
    assert list(tmp_path.iterdir()) == []  # its database is gone
