"""The routing simulation (bench/routing_sim.py) still runs end to end, so its figures cannot rot.

A short run (30 referrals over one week) through the real services, in its own throwaway
database under the temporary directory it is given, which it leaves empty.

Its limit is on CPU time, not the wall clock: a quiet machine runs it in about 6 CPU seconds
(10 s of wall clock, the rest SQLite's disk writes), and on a busy one (load average 15 on 2
CPUs, other runs writing to the same disk) the wall clock says more about the neighbours than
about the simulation. Twenty times its CPU time still fails a run that loops; a wall-clock limit
remains, long, against a run that hangs without using the CPU.
"""

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CPU_SECONDS = 120  # the simulation's own CPU time (quiet: ~6 s); past it the kernel stops it
WALL_SECONDS = 1800  # against a hang (waiting, not computing)


def _limit_cpu():
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))


def test_the_routing_simulation_prints_routing_off_and_on_side_by_side(tmp_path):
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        [sys.executable, "bench/routing_sim.py", "--referrals", "30", "--weeks", "1"],
        cwd=ROOT,
        env={**inherited, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=WALL_SECONDS,
        preexec_fn=_limit_cpu,  # the test process starts no threads of its own
    )
    assert done.returncode == 0, done.stderr  # -SIGXCPU: over CPU_SECONDS
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
