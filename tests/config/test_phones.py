"""Phone numbers through `config.phones` (libphonenumber): typed as people type them, checked,
stored in E.164, shown in the practice region's national format by the `phone` filter."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template import engines
from hypothesis import given, settings
from hypothesis import strategies as st

from config.phones import PHONE_MAX, display, e164, parse_phone


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("(201) 555-0123", "+12015550123"),
        ("201.555.0123", "+12015550123"),
        ("1 201 555 0123", "+12015550123"),
        ("+1 (201) 555-0123", "+12015550123"),
        ("  2015550123 ", "+12015550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_a_number_typed_any_common_way_is_stored_in_e164(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize(
    "typed, said",
    [
        ("555-CALL-NOW", "use digits"),
        ("123", "too short"),
        ("(555) 234-5678", "not a number in use"),  # no area code 555
        ("+999 1234 5678", "No country has the code"),
        ("201 555 0123 4567 8901", "too long"),
        ("(201) 555-0123 ext 4", "use digits"),
    ],
)
def test_a_number_that_cannot_be_called_is_refused_with_what_is_wrong(typed, said):
    with pytest.raises(ValidationError) as caught:
        parse_phone(typed)
    message = caught.value.messages[0]
    assert said in message and "(201) 555-0123" in message  # an example of the region's form


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 ().+-x\u00a0", max_size=PHONE_MAX + 5))
def test_any_input_is_stored_in_e164_or_refused_never_a_crash(value):
    try:
        stored = parse_phone(value)
    except ValidationError:
        return
    assert stored == "" or (stored.startswith("+") and stored[1:].isdigit())
    assert parse_phone(stored) == stored  # stored numbers read back the same


def test_the_phone_filter_shows_the_regions_national_format_and_others_internationally():
    shown = engines["django"].from_string("{{ a|phone }} / {{ b|phone }} / {{ c|phone }}")
    out = shown.render({"a": "+12015550123", "b": "+442079460958", "c": "not a phone"})
    assert out == "(201) 555-0123 / +44 20 7946 0958 / not a phone"


def test_display_follows_phone_region(settings):
    settings.PHONE_REGION = "GB"
    assert display("+442079460958") == "020 7946 0958"
    assert display("+12015550123") == "+1 201-555-0123"


def test_a_number_longer_than_anyone_types_is_refused():
    with pytest.raises(ValidationError, match="at most 40 characters"):
        parse_phone("1" * 41)


def test_a_configured_number_links_in_e164():
    assert e164("(201) 555-0123") == "+12015550123"
    assert e164("call us") == "call us"


def test_an_unknown_phone_region_stops_start_up(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("PHONE_REGION", "XX")
    monkeypatch.setenv("DEBUG", "true")
    with pytest.raises(ImproperlyConfigured, match="PHONE_REGION='XX'"):
        importlib.reload(config.settings)
    monkeypatch.setenv("PHONE_REGION", "US")
    importlib.reload(config.settings)
