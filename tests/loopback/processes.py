"""Run `manage.py worker` (or `bin/run-dev` / `bin/serve`, server and worker) as real processes against a given
database and the loopback servers.

Used by the worker-process and clean-stop tests (killed with SIGKILL, stopped with SIGTERM) and
by the bench scripts. The database is passed as DATABASE_URL, as in production.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """DATABASE_URL of the database this process uses now (the test database during tests)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(env: dict, log_path: Path | None = None) -> subprocess.Popen:
    """Start a worker with os.environ plus `env` (strings); its log goes to `log_path`."""
    return _start([sys.executable, "manage.py", "worker"], env, log_path)


def start_run_dev(env: dict, log_path: Path | None = None) -> subprocess.Popen:
    """Start `bin/run-dev` (server and worker) in a process group of its own, as `setsid` does;
    the group's id is the process's pid. `env` must carry DATABASE_URL and PORT."""
    return _start(["bin/run-dev"], {"PY": sys.executable, **env}, log_path, new_group=True)


def start_serve(env: dict, log_path: Path | None = None) -> subprocess.Popen:
    """Start `bin/serve` (migrate, collectstatic, gunicorn and the worker) with production
    settings, in a process group of its own like `start_run_dev`. `env` must carry DATABASE_URL,
    PORT and the production settings (SECRET_KEY, ALLOWED_HOSTS, SITE_URL, STATIC_ROOT)."""
    production = {
        "PY": sys.executable,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
    }
    return _start(["bin/serve"], {**production, **env}, log_path, new_group=True)


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of each child of `pid` (Linux)."""
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        pids = [int(child) for child in listing.read().split()]
    result = []
    for child in pids:
        with open(f"/proc/{child}/cmdline", "rb") as cmdline:
            result.append((child, cmdline.read().replace(b"\0", b" ").decode()))
    return result


def _start(argv: list, env: dict, log_path: Path | None, new_group=False) -> subprocess.Popen:
    full_env = {**os.environ, "LOG_LEVEL": "INFO", **{k: str(v) for k, v in env.items()}}
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(
            argv,
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=new_group,
        )
    finally:
        if log_path:
            out.close()


def stop_worker(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(timeout=timeout)
