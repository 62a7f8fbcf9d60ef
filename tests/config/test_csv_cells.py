"""CSV cells that a spreadsheet would run as formulas are written as text and read back as-is."""

import pytest

from config.csv_cells import read_cell, write_cell


@pytest.mark.parametrize("value", ["=1+1", "+12012230001", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_written_as_text_and_read_back(value):
    assert write_cell(value) == "'" + value
    assert read_cell(write_cell(value)) == value


@pytest.mark.parametrize("value", ["Ana", "", "O'Neil", "'quoted", "12"])
def test_ordinary_cells_are_untouched(value):
    assert write_cell(value) == value
    assert read_cell(value) == value


def test_numbers_and_none_become_text():
    assert write_cell(3) == "3" and write_cell(None) == "" and write_cell(-1) == "'-1"
