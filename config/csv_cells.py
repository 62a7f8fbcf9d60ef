"""Cells of the CSV files staff open in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return) is run by Excel and LibreOffice as a
formula ("CSV injection"): a provider's biography or a network name could then fetch a URL or
run a command on a staff computer. Such cells are written with a leading apostrophe, which
spreadsheets show as plain text, and `read_cell` takes it off again, so an exported roster
imports back unchanged. Phone numbers (+1...) stay text instead of turning into numbers.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def read_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
