"""The API schema's PHONE_PATTERN states exactly the phone rule the server applies."""

import re

from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from config.validation import PHONE_MAX, PHONE_PATTERN, normalise_phone


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789 ().+-x\u00a0", max_size=PHONE_MAX))
@example("(555) 234-5678")
@example("1 555 234 5678")
@example("+44 20 7946 0958")
@example("555+234+5678")
@example("(+44) 20 7946 0958")
@example("  ")
def test_the_phone_pattern_and_the_server_agree(value):
    try:
        normalise_phone(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == bool(re.search(PHONE_PATTERN, value)), value


@settings(max_examples=300, deadline=None)
@given(st.from_regex(PHONE_PATTERN, fullmatch=True).filter(lambda s: len(s) <= PHONE_MAX))
def test_every_phone_the_schema_allows_is_stored_in_e164(value):
    stored = normalise_phone(value)
    assert stored == "" or re.fullmatch(r"\+[1-9][0-9]{7,14}", stored)
