"""`manage.py import_providers`: all-or-nothing, re-import updates, dry run, every bad row named."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from providers.models import InsuranceNetwork, Language, Provider, Specialty
from referrals.models import Referral, ReferralEvent

HEADER = "first_name,last_name,email,phone,slack_user_id,status,insurance_networks,credentials,specialties,languages,bio\n"
GOOD = (
    HEADER
    + "Ana,Lee,ana.lee@example.com,(201) 234-5678,U0ANA,active,Aetna; Cigna,LCSW,Anxiety;Grief,Spanish,Calm and practical.\n"
    + 'Ben,Okafor,Ben.Okafor@example.com,,,active,Aetna,PhD,,English,"Line one,\nline two."\n'
)


def run(tmp_path, text, *args):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_providers", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_creates_providers_and_their_networks(tmp_path, db):
    out, _ = run(tmp_path, GOOD)
    assert "Imported 2 rows: 2 created, 0 updated, 0 unchanged." in out
    assert "New insurance networks: Aetna, Cigna" in out
    ana = Provider.objects.get(email="ana.lee@example.com")
    assert (ana.phone, ana.slack_user_id, ana.credentials) == ("+12012345678", "U0ANA", "LCSW")
    assert sorted(n.name for n in ana.insurance_networks.all()) == ["Aetna", "Cigna"]
    assert sorted(s.name for s in ana.specialties.all()) == ["Anxiety", "Grief"]
    assert Provider.objects.get(email="ben.okafor@example.com").bio == "Line one,\nline two."


def test_reimport_updates_by_email_ignoring_case(tmp_path, db):
    run(tmp_path, GOOD)
    changed = GOOD.replace("ana.lee@example.com", "ANA.LEE@example.com").replace(
        "Aetna; Cigna,LCSW", "Cigna,LICSW"
    )
    out, _ = run(tmp_path, changed)
    assert "2 rows: 0 created, 1 updated, 1 unchanged." in out
    assert Provider.objects.count() == 2
    ana = Provider.objects.get(email="ana.lee@example.com")
    assert ana.credentials == "LICSW"
    assert [n.name for n in ana.insurance_networks.all()] == ["Cigna"]


def test_file_with_bad_rows_imports_nothing_and_names_every_bad_line(tmp_path, db):
    bad = (
        GOOD
        + "Cy,Hart,not-an-email,,,active,Aetna,,,,\n"
        + "Di,Ng,di@example.com,12,,retired,Aetna,,,,\n"
        + "E4,Fox,ana.lee@example.com,,u123,active,,,,,\n"
        + "Gus,Ray,gus@example.com\n"
    )
    with pytest.raises(CommandError, match="7 problem"):
        run(tmp_path, bad)
    assert not Provider.objects.exists() and not InsuranceNetwork.objects.exists()


def test_bad_rows_are_reported_with_line_and_reason(tmp_path, db):
    bad = (
        GOOD  # Ben's bio spans lines 3-4, so the next row is line 5
        + "Cy,Hart,not-an-email,,,active,Aetna,,,,\n"
        + "Di,Ng,di@example.com,12,,retired,Aetna,,,,\n"
        + "E4,Fox,ana.lee@example.com,,u123,active,,,,,\n"
    )
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_providers", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "line 5: email: Enter a valid email address." in lines
    assert any(line.startswith("line 6: phone: That phone number is too short.") for line in lines)
    assert "line 6: status: 'retired' is not active or inactive" in lines
    assert any(
        line.startswith("line 7: first_name: First name may contain letters") for line in lines
    )
    assert any(line.startswith("line 7: slack_user_id: 'u123'") for line in lines)
    assert "line 7: email: ana.lee@example.com is also on line 2" in lines


def test_missing_and_unknown_columns_are_reported(tmp_path, db):
    with pytest.raises(CommandError):
        run(tmp_path, "first_name,last_name,emial\nAna,Lee,a@example.com\n")


def test_dry_run_changes_nothing(tmp_path, db):
    out, _ = run(tmp_path, GOOD, "--dry-run")
    assert "Would import 2 rows: 2 created" in out and "Dry run: nothing was changed." in out
    assert not Provider.objects.exists()
    assert not InsuranceNetwork.objects.exists() and not Specialty.objects.exists()
    assert not Language.objects.exists()


def test_import_setting_inactive_declines_their_waiting_referrals(tmp_path, make_referral, db):
    run(tmp_path, GOOD)
    ana = Provider.objects.get(email="ana.lee@example.com")
    referral = make_referral(network=ana.insurance_networks.first(), preferred=ana)

    out, _ = run(tmp_path, GOOD.replace("U0ANA,active", "U0ANA,inactive"))

    assert "1 waiting referral(s) of providers made inactive declined" in out
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AVAILABLE
    event = referral.events.get(kind=ReferralEvent.Kind.DECLINED)
    assert (
        event.reason == "provider_inactive" and event.actor_label == "import_providers roster.csv"
    )


def test_dry_run_of_making_inactive_declines_nothing(tmp_path, make_referral, db):
    run(tmp_path, GOOD)
    ana = Provider.objects.get(email="ana.lee@example.com")
    referral = make_referral(network=ana.insurance_networks.first(), preferred=ana)
    run(tmp_path, GOOD.replace("U0ANA,active", "U0ANA,inactive"), "--dry-run")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    assert Provider.objects.get(pk=ana.pk).status == "active"


def test_large_file_shows_progress(tmp_path, db):
    rows = "".join(
        f"P,N{chr(65 + i % 26)},p{i}@example.com,,,active,Aetna,,,,\n" for i in range(250)
    )
    out, err = run(tmp_path, HEADER + rows)
    assert "250 created" in out
    assert "250/250 rows" in err and "[###" in err


def test_unreadable_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_providers", str(tmp_path / "nope.csv"))


def test_file_that_is_not_utf8_is_refused(tmp_path, db):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "José,Ruiz,jose@example.com,,,active,Aetna,,,,\n").encode("latin-1"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_providers", str(path), stdout=StringIO(), stderr=err)
    assert "not UTF-8" in err.getvalue()
