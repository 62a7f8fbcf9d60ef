"""Client names as clients really write them: every script's letters and marks, the apostrophes
phones type, hyphens, periods and spaces; stored in NFC. The same rule in the intake form, the
API and admin (`config.validation.clean_name`), and the schema states it (`NAME_PATTERN`)."""

import re
import unicodedata
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from config.validation import NAME_MAX, NAME_PATTERN, clean_name
from referrals.models import Client as ClientRow

NFC = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

REAL_NAMES = [
    "José",  # Spanish
    "María-José",
    "Nguyễn Thị Minh Khai",  # Vietnamese
    "प्रिया",  # Hindi
    "अर्जुन शर्मा",
    "தமிழ்",  # Tamil
    "முருகன்",
    "محمد",  # Arabic
    "عبد الله",
    "王秀英",  # Chinese
    "山田 太郎",  # Japanese, ASCII space
    "山田\u3000花子",  # Japanese, ideographic space an IME types
    "さくら",
    "김민준",  # Korean
    "Дмитрий",  # Russian
    "Ёлкина",
    "Γιώργος",  # Greek
    "Παπαδοπούλου",
    "דוד",  # Hebrew
    "שׁלום",  # Hebrew with a point (mark)
    "สมชาย",  # Thai
    "O'Neil",  # Irish, ASCII apostrophe
    "O’Neil",  # curly apostrophe, as phones type it
    "Oʼ Brien",  # modifier-letter apostrophe
    "ʻAkaka",  # Hawaiian ʻokina (a letter)
    "Keʻelikōlani",
    "Anne-Marie",  # hyphenated
    "J. R. R.",  # periods
    "St. John",
    "Zoë",
    "Björk Guðmundsdóttir",  # Icelandic
    "Łukasz Żółć",  # Polish
    "Şükrü",  # Turkish
    "Nguyễn",
    "'t Hooft",  # Dutch, starts with an apostrophe
    "Ngũgĩ wa Thiongʼo",  # Kikuyu
    "Αλέξανδρος",
    "ⴰⵎⴰⵣⵉⵖ",  # Tifinagh
    "ሰላም",  # Amharic
    "ᏣᎳᎩ",  # Cherokee
    "Բարեւ",  # Armenian
    "გიორგი",  # Georgian
    "মিতা",  # Bengali
    "ਗੁਰਪ੍ਰੀਤ",  # Punjabi (Gurmukhi)
    "مهر\u200cزاد",  # Persian with the zero-width non-joiner it needs
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_from_many_languages_are_accepted_as_written(name):
    assert clean_name(name, "First name") == " ".join(NFC(name).split())


@pytest.mark.parametrize("name", ["José", "Nguyễn Thị", "Ñúñez", "प्रिया", "Γιώργος", "김민준"])
def test_decomposed_input_is_stored_composed(name):
    assert NFD(name) != NFC(name) or name == "प्रिया"
    assert clean_name(NFD(name), "First name") == NFC(name)


def test_length_is_counted_after_composition_and_collapsed_spaces():
    composed = "é" * NAME_MAX
    assert clean_name(NFD(composed), "First name") == composed
    assert clean_name("  Sam   Rivera  ", "First name") == "Sam Rivera"
    with pytest.raises(ValidationError, match="at most 80 characters"):
        clean_name("e" * (NAME_MAX + 1), "First name")


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        "Sam<b>",
        "Tom & Jerry",
        'Sam "The Man"',
        "Sam\x00",
        "Sam\tRivera",
        "Sam\nRivera",
        "Sam\x1fRivera",  # a control character that str.split() would call a space
        "Sam\u202eRivera",  # right-to-left override
        "R2D2",  # digits: names have none
        "١٢٣",  # Arabic-Indic digits
        "Sam 😀",  # emoji
        "Sam_Rivera",
        "Sam/Rivera",
        "Sam@example",
        "'-.",  # punctuation only
        "\u0301",  # a lone mark is not a name
        "\u2126",  # the Ohm sign, which NFC would silently turn into Ω
    ],
)
def test_markup_control_characters_digits_and_emoji_are_refused(name):
    with pytest.raises(ValidationError, match="letters, spaces, hyphens, apostrophes and periods"):
        clean_name(name, "Last name")


@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_a_blank_name_asks_for_the_name(name):
    with pytest.raises(ValidationError, match="Please enter your last name"):
        clean_name(name, "Last name")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=NAME_MAX))
def test_the_schema_pattern_and_the_server_agree_on_every_string(value):
    """What NAME_PATTERN allows (at most NAME_MAX characters) is accepted, and the rest refused."""
    try:
        clean_name(value, "First name")
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == bool(re.search(NAME_PATTERN, value))


@settings(max_examples=200, deadline=None)
@given(st.from_regex(NAME_PATTERN, fullmatch=True).filter(lambda s: len(s) <= NAME_MAX))
def test_every_name_the_schema_allows_is_accepted(value):
    stored = clean_name(value, "First name")
    assert stored == NFC(stored) and stored == stored.strip() and len(stored) <= NAME_MAX


def test_intake_form_stores_a_curly_apostrophe_and_a_decomposed_accent(client, aetna):
    response = client.post(
        "/referrals/new/",
        {
            "first_name": NFD("José"),
            "last_name": "O’Neil",
            "email": "jose@example.org",
            "insurance": str(aetna.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()
    row = ClientRow.objects.get()
    assert (row.first_name, row.last_name) == ("José", "O’Neil")


def test_intake_form_refuses_markup_in_a_name_with_a_clear_message(client, aetna):
    response = client.post(
        "/referrals/new/",
        {
            "first_name": "<b>Sam</b>",
            "last_name": "Rivera",
            "phone": "(201) 234-5678",
            "insurance": str(aetna.pk),
        },
    )
    assert response.status_code == 400
    assert "may contain letters, spaces, hyphens, apostrophes and periods only" in (
        response.content.decode()
    )
    assert not ClientRow.objects.exists()


def test_accept_page_search_finds_a_name_typed_decomposed_or_with_another_apostrophe_form(
    as_provider, ana, make_referral, aetna, client_details
):
    referral = make_referral(
        network=aetna, client=replace(client_details, first_name="José", last_name="O’Neil")
    )
    page = as_provider(ana).post("/accept/", {"first_name": NFD("josé"), "last_name": "o’neil"})
    html = page.content.decode()
    assert page.status_code == 200 and "Referrals found: 1" in html and referral.number in html
