"""`tests.names.shows`, which the pages' "no client name here" checks rely on, finds a name a
page prints and ignores the same letters inside a random token."""

from tests.names import shows


def test_a_printed_name_is_found_and_a_token_containing_it_is_not():
    assert shows("<p>Hello Sam, we received it.</p>", "Sam")
    assert shows(b"<td>Rivera</td>", "Rivera")
    assert not shows('<div hx-headers=\'{"X-CSRFToken": "qCWAbCR9DrSamAJR8LsA"}\'>', "Sam")
    assert not shows('<script nonce="x/Sam+y=">', "Sam")
