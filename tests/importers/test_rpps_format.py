"""The PS_LibreAcces_Personne_activite layout: header check, line splitting, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from openror.importers.base import Reject
from openror.importers.checkdigits import luhn_ok, rpps_problem
from openror.importers.rpps_format import COLUMNS, Row, read_rows

DATA = Path(__file__).parent / "data" / "rpps"
HEADER = "|".join(COLUMNS) + "|"


def values(**given: str) -> str:
    """A data line with the given columns set (by name) and the trailing '|'."""
    return "|".join(given.get(c, "") for c in COLUMNS) + "|"


def write(tmp_path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "PS_LibreAcces_Personne_activite_test.txt"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_layout_has_52_columns_like_the_fixture() -> None:
    assert len(COLUMNS) == 52
    header = (DATA / "liberal.txt").read_text(encoding="utf-8").splitlines()[0]
    assert header == HEADER


def test_a_line_is_read_by_column_name(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, values(**{"Nom d'exercice": "MARTIN", "Code profession": "10"}))
    [row] = list(read_rows(path))
    assert isinstance(row, Row)
    assert (row.line, row["Nom d'exercice"], row["Code profession"]) == (2, "MARTIN", "10")
    assert row["Code commune (coord. structure)"] == ""


def test_wrong_separator_gives_one_header_reject_and_nothing_else(tmp_path: Path) -> None:
    path = write(tmp_path, ";".join(COLUMNS) + ";", ";".join("x" * 52))
    assert [str(r) for r in read_rows(path)] == [
        "line 1, field header: the header is not separated by '|' (found ';'); this is not a "
        "PS_LibreAcces_Personne_activite file"]


def test_missing_columns_give_one_header_reject(tmp_path: Path) -> None:
    header = "|".join(c for c in COLUMNS if "commune" not in c) + "|"
    path = write(tmp_path, header, values())
    [reject] = list(read_rows(path))
    assert isinstance(reject, Reject)
    assert (reject.line, reject.field) == (1, "header")
    assert "lacks 2 column(s): 'Code commune (coord. structure)'" in reject.message


def test_truncated_and_overlong_lines_are_rejected(tmp_path: Path) -> None:
    full = values(**{"Nom d'exercice": "MARTIN"})
    path = write(tmp_path, HEADER, full[:40], full + "extra|", full)
    out = list(read_rows(path))
    assert [type(o).__name__ for o in out] == ["Reject", "Reject", "Row"]
    assert str(out[0]).startswith("line 2, field line: truncated line: ")
    assert str(out[1]).startswith("line 3, field line: 53 values instead of 52")
    assert isinstance(out[2], Row) and out[2].line == 4


def test_latin1_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, values(**{"Prénom d'exercice": "Hélène"}), encoding="latin-1")
    [row] = list(read_rows(path))
    assert isinstance(row, Row)
    assert row["Prénom d'exercice"] == "Hélène"


def test_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + values(**{"Code profession": "60"})
                      + "\r\n\r\n").encode("utf-8"))
    [row] = list(read_rows(path))
    assert isinstance(row, Row) and row["Code profession"] == "60"


@pytest.mark.parametrize(("number", "ok"), [
    ("10106476764", True),  # from the ANS sample
    ("10100000008", True),
    ("10106476765", False),
    ("10106476746", False),  # two neighbours swapped
])
def test_rpps_check_digit(number: str, ok: bool) -> None:
    assert luhn_ok(number) is ok
    assert (rpps_problem(number) is None) is ok


def test_rpps_number_length() -> None:
    assert rpps_problem("1010647676") == "RPPS number '1010647676' must have 11 digits"
    assert rpps_problem("1010647676A") is not None
