"""A Slack user ID (`U` or `W`, then capital letters and digits) is checked wherever it is
entered: admin, the Provider Portal and the roster CSV. An ID that would inject markup
(`U1><!channel`) is refused with a clear error and nothing is saved."""

import pytest

from notifications.slack_ids import is_slack_user_id
from providers.models import Provider
from providers.roster_csv import RosterInvalid, import_roster
from referrals.services import Actor

CHANGE = "/admin/providers/provider/{}/change/"
BAD_IDS = ["U1><!channel", "<!channel>", "u123", "C0CHANNEL", "U", "U12 34", "U123\n", "Ü123"]


@pytest.mark.parametrize("value", ["U024BE7LH", "W012A3CDE", "U0ANA"])
def test_real_slack_user_ids_are_accepted(value):
    assert is_slack_user_id(value)


@pytest.mark.parametrize("value", BAD_IDS + ["", None])
def test_anything_else_is_not_a_slack_user_id(value):
    assert not is_slack_user_id(value)


def _admin_form(provider, slack_user_id):
    return {
        "first_name": provider.first_name,
        "last_name": provider.last_name,
        "email": provider.email,
        "phone": provider.phone,
        "slack_user_id": slack_user_id,
        "insurance_networks": [n.pk for n in provider.insurance_networks.all()],
        "credentials": "",
        "bio": "",
    }


@pytest.mark.parametrize("value", BAD_IDS[:4])
def test_admin_refuses_an_invalid_slack_user_id(admin_client, ana, value):
    response = admin_client.post(CHANGE.format(ana.pk), _admin_form(ana, value))

    assert response.status_code == 200
    assert "is not a Slack user ID" in response.content.decode()
    assert Provider.objects.get(pk=ana.pk).slack_user_id == "U0ANA"


def test_admin_saves_a_valid_slack_user_id(admin_client, ana):
    response = admin_client.post(CHANGE.format(ana.pk), _admin_form(ana, "W012A3CDE"))

    assert response.status_code == 302
    assert Provider.objects.get(pk=ana.pk).slack_user_id == "W012A3CDE"


def test_the_roster_csv_refuses_an_invalid_slack_user_id(db, aetna):
    csv = (
        "first_name,last_name,email,phone,slack_user_id,status,insurance_networks\n"
        'Ana,Lee,ana@example.com,2012345678,"U1><!channel",active,Aetna\n'
    )
    with pytest.raises(RosterInvalid) as refused:
        import_roster(csv, actor=Actor("test"))

    assert "line 2: slack_user_id: 'U1><!channel' is not a Slack user ID" in str(
        refused.value.errors[0]
    )
    assert not Provider.objects.exists()


def test_admin_reads_both_phones_as_people_type_them_and_says_where_each_appears(admin_client, ana):
    """Not a Slack ID, but the same admin form: both numbers go through `config.phones`."""
    page = admin_client.get(CHANGE.format(ana.pk)).content.decode()
    assert "Never shown to clients" in page and "24-hour Reminder" in page

    form = _admin_form(ana, "U0ANA") | {"phone": "(201) 234-5678", "office_phone": "(555) 1"}
    refused = admin_client.post(CHANGE.format(ana.pk), form)
    assert refused.status_code == 200 and "too short" in refused.content.decode()

    form["office_phone"] = "212.555.0111"
    assert admin_client.post(CHANGE.format(ana.pk), form).status_code == 302
    ana.refresh_from_db()
    assert (ana.phone, ana.office_phone) == ("+12012345678", "+12125550111")
