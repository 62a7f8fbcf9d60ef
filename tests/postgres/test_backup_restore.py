"""The backups the README promises: deploy/backup.sh dumps the database (as the systemd timer runs
it) and deploy/restore.sh brings it back into a scratch database, referrals and their audit trail
intact. Restore refuses a database that already has tables."""

import os
import subprocess
import uuid

import pytest

from referrals.models import ReferralEvent
from tests.loopback.processes import ROOT, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run(*argv, env=None):
    return subprocess.run(
        argv, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )


@pytest.fixture
def scratch_database():
    """An empty database of its own name, dropped afterwards."""
    url = database_url()
    server, _ = url.rsplit("/", 1)
    name = f"rd_restore_{uuid.uuid4().hex[:12]}"
    created = run("createdb", f"--maintenance-db={url}", name)
    assert created.returncode == 0, created.stderr
    yield f"{server}/{name}"
    run("dropdb", f"--maintenance-db={url}", "--if-exists", name)


def psql(url, sql):
    result = run("psql", "--no-psqlrc", "-tA", f"--dbname={url}", "-c", sql)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_backup_restores_into_a_scratch_database_with_referrals_intact(
    make_referral, ana, aetna, tmp_path, scratch_database
):
    referral = make_referral(network=aetna, preferred=ana)
    events = ReferralEvent.objects.filter(referral=referral).count()
    env = {"DATABASE_URL": database_url(), "BACKUP_DIR": str(tmp_path / "backups")}

    backup = run("deploy/backup.sh", env=env)
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip()
    assert dump.startswith(str(tmp_path / "backups" / "referral-desk-")) and dump.endswith(".dump")
    assert oct(os.stat(dump).st_mode & 0o777) == "0o600"  # health information: owner only
    assert not list((tmp_path / "backups").glob("*.partial"))

    restored = run("deploy/restore.sh", dump, scratch_database)
    assert restored.returncode == 0, restored.stderr
    assert (
        psql(
            scratch_database,
            "SELECT c.first_name, r.status FROM referrals_referral r"
            f" JOIN referrals_client c ON c.id = r.client_id WHERE r.id = {referral.pk}",
        )
        == "Sam|pending"
    )
    assert psql(
        scratch_database,
        f"SELECT count(*) FROM referrals_referralevent WHERE referral_id = {referral.pk}",
    ) == str(events)

    again = run("deploy/restore.sh", dump, scratch_database)  # never over existing data
    assert again.returncode == 1
    assert "already has" in again.stderr and "restore into an empty one" in again.stderr
