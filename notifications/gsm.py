"""Keep SMS text in the GSM-7 alphabet, so one text is one 160-character segment.

A single character outside GSM-7 (a curly quote, an en dash, an emoji) makes the whole text UCS-2,
which cuts a segment to 70 characters. Common typographic characters become their plain
equivalents; anything else outside the alphabet becomes "?".
"""

GSM7 = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters that cost two septets (escape + char) but are still GSM-7.
GSM7_EXTENDED = "^{}\\[~]|€"
PLAIN = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}
)
SEGMENT = 160
CONCATENATED_SEGMENT = 153  # a longer text is sent in parts, each carrying a 7-septet header


def to_gsm7(text: str) -> str:
    text = text.translate(PLAIN)
    return "".join(c if c in GSM7 or c in GSM7_EXTENDED else "?" for c in text)


def segments(text: str) -> int:
    """How many SMS segments a GSM-7 text is billed and rate-limited as."""
    septets = len(text) + sum(1 for c in text if c in GSM7_EXTENDED)
    return 1 if septets <= SEGMENT else -(-septets // CONCATENATED_SEGMENT)
