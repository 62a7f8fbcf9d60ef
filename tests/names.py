"""Whether a page shows a client's name as a word, not as letters inside a random token.

A page's CSRF token or CSP nonce is random text: one in a few thousand contains "Sam" somewhere,
so `"Sam" not in page` fails now and then on a page that shows no name at all. `shows` looks for
the name standing alone, as a page would print it.
"""

import re

_TOKEN_CHARACTER = r"[\w+/=-]"  # letters, digits and the symbols of base64 tokens


def shows(page: str | bytes, name: str) -> bool:
    text = page.decode() if isinstance(page, bytes) else page
    pattern = rf"(?<!{_TOKEN_CHARACTER}){re.escape(name)}(?!{_TOKEN_CHARACTER})"
    return re.search(pattern, text) is not None
