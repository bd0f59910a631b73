"""The one CSV helper behind every export: streamed, and safe to open in a spreadsheet."""

import csv
import io

from expoe_portal.csv_export import csv_cell, csv_response


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised():
    assert csv_cell('=HYPERLINK("http://evil.invalid","x")') == '\'=HYPERLINK("http://evil.invalid","x")'
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0"
    # Negative numbers are data, not formulas.
    assert csv_cell(-5) == "-5" and csv_cell("-2.5") == "-2.5"
    assert csv_cell("+2+cmd") == "'+2+cmd"
    assert csv_cell(None) == ""


def test_phone_numbers_stay_text_in_a_spreadsheet_with_their_plus_and_leading_zero():
    """#17: a spreadsheet turned +441134960500 into the number 441134960500."""
    assert csv_cell("+441134960500") == '="+441134960500"'
    assert csv_cell("+441134960500 +441134960501") == '="+441134960500 +441134960501"'
    assert csv_cell("01134960500") == '="01134960500"' and csv_cell("0113 496 0500") == '="0113 496 0500"'
    # Numbers a spreadsheet shows unchanged stay numbers; so does text that merely starts alike.
    assert csv_cell("22") == "22" and csv_cell(22) == "22" and csv_cell("0.5") == "0.5" and csv_cell("0") == "0"
    assert csv_cell("+44 (0) 113") == "'+44 (0) 113"
    assert csv_cell('+44"),cmd') == "'+44\"),cmd"


def test_the_response_streams_a_header_and_the_rows_as_an_attachment():
    response = csv_response("things.csv", ["a", "b"], iter([[1, "=2+3"], ["x", None]]))
    assert response["Content-Disposition"] == 'attachment; filename="things.csv"'
    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [["a", "b"], ["1", "'=2+3"], ["x", ""]]


def test_rows_go_out_in_pieces_of_many_lines_after_the_header_alone():
    from expoe_portal.csv_export import CHUNK_BYTES, csv_response

    rows = ([n, "x" * 100] for n in range(3000))
    pieces = list(csv_response("many.csv", ["n", "text"], rows).streaming_content)
    assert pieces[0] == b"n,text\r\n", "the header goes at once, before any row is read"
    assert 2 < len(pieces) < 3000 / 100, "a piece holds many lines, not one"
    assert all(len(piece) < CHUNK_BYTES + 200 for piece in pieces)
    assert b"".join(pieces).count(b"\r\n") == 3001
