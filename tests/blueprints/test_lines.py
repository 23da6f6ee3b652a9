"""The line table every document form shares (blueprints/lines.py): lines as typed, renumbered from 0,
a line added or removed with the focus where the person was, and a line's refusal named at the top.
The pages themselves are tested in test_billing, test_suppliers, test_banking and test_journals."""

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form

from accounting.errors import InvalidAmount
from blueprints.lines import LineTable

TABLE = LineTable(("description", "amount", "gst_free"), typed=("description", "amount"), max_lines=3,
                  checkboxes=("gst_free",))
BLANK = {"description": "", "amount": "", "gst_free": ""}


def typed(*lines, **fields):
    """Form data of lines given as (index, description, amount), plus other fields."""
    data = MultiDict(fields)
    for i, description, amount in lines:
        data[f"lines-{i}-description"] = description
        data[f"lines-{i}-amount"] = amount
    return data


def test_lines_are_read_in_index_order_stripped_and_blank_ones_dropped():
    data = typed((7, " Ink ", "5"), (2, "Paper", "10.00"), (4, "", " "), date="2026-07-01")
    assert TABLE.rows(data) == [{"description": "Paper", "amount": "10.00", "gst_free": ""},
                                {"description": "Ink", "amount": "5", "gst_free": ""}]
    assert len(TABLE.rows(data, keep_blank=True)) == 3


def test_junk_line_names_are_ignored_and_no_more_than_the_most_lines_are_kept():
    data = typed((0, "a", "1"), (1, "b", "2"), (2, "c", "3"), (3, "d", "4"))
    data["lines-x-description"] = "not a line"
    data["lines-" + "9" * 5000 + "-description"] = "an index too long to read"
    assert [row["description"] for row in TABLE.rows(data)] == ["a", "b", "c"]


def test_lines_are_renumbered_from_zero_keeping_the_other_fields():
    data = typed((3, "Paper", "10"), (8, "Ink", "5"), (5, "", ""), date="2026-07-01")
    data.add("tag", "one")
    data.add("tag", "two")
    data["lines-8-gst_free"] = "y"
    renumbered = TABLE.formdata(data)
    assert renumbered.getlist("tag") == ["one", "two"] and renumbered["date"] == "2026-07-01"
    assert {k: v for k, v in renumbered.items() if k.startswith("lines-")} == {
        "lines-0-description": "Paper", "lines-0-amount": "10",
        "lines-1-description": "Ink", "lines-1-amount": "5", "lines-1-gst_free": "y"}


def test_an_unticked_box_stays_out_of_the_form_data():
    # BooleanField renders value="" (and so can never be ticked again) when it was sent "".
    assert "lines-0-gst_free" not in TABLE.formdata(MultiDict(), [dict(BLANK, description="Paper")])


def test_removing_a_line_keeps_the_focus_where_it_was():
    data = typed((0, "a", "1"), (1, "b", "2"), (2, "c", "3"))
    rows, focus = TABLE.edited(data, {"remove": "1"}, BLANK)
    assert ([row["description"] for row in rows], focus) == (["a", "c"], 1)
    rows, focus = TABLE.edited(data, {"remove": "2"}, BLANK)
    assert ([row["description"] for row in rows], focus) == (["a", "b"], 1)
    rows, focus = TABLE.edited(typed((0, "a", "1")), {"remove": "0"}, BLANK)
    assert (rows, focus) == ([], 0)


def test_a_form_of_two_lines_at_least_focuses_the_second_after_removing_it():
    journal = LineTable(("account", "debit"), typed=("account", "debit"), max_lines=200, min_lines=2)
    data = MultiDict({"lines-0-account": "1", "lines-1-account": "2"})
    assert journal.edited(data, {"remove": "1"}, {})[1] == 1


def test_a_removal_of_no_such_line_changes_nothing():
    data = typed((0, "a", "1"))
    for junk in ("5", "-1", "x", ""):
        assert TABLE.edited(data, {"remove": junk}, BLANK) == (TABLE.rows(data, keep_blank=True), None)


def test_adding_a_line_appends_the_blank_line_and_focuses_it_up_to_the_most_lines():
    rows, focus = TABLE.edited(typed((0, "", "")), {"add": "1"}, dict(BLANK, gst_free="y"))
    assert (len(rows), rows[-1]["gst_free"], focus) == (2, "y", 1)
    full = typed((0, "a", "1"), (1, "b", "2"), (2, "c", "3"))
    assert TABLE.edited(full, {"add": "1"}, BLANK) == (TABLE.rows(full), None)


def test_a_refusal_of_a_line_is_named_at_the_top_too():
    from blueprints.lines import line_refusal_at_top

    form = Form()
    line_refusal_at_top(form, InvalidAmount("Line 2: not an amount.", "lines-1-amount"))
    line_refusal_at_top(form, InvalidAmount("Enter the date.", "date"))
    line_refusal_at_top(form, InvalidAmount("Add a line.", "lines"))
    assert form.form_errors == ["Line 2: not an amount. See the line marked below."]
    line_refusal_at_top(form, InvalidAmount("Add a line.", "lines"), see_below="", prefix="lines")
    assert form.form_errors[-1] == "Add a line."


text = st.text(alphabet="ab 1.", max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(0, 9999), st.tuples(text, text), max_size=6), st.integers(0, 7))
def test_renumbering_keeps_the_typed_lines_in_order_and_a_removal_takes_out_only_that_line(lines, remove):
    data = typed(*((i, description, amount) for i, (description, amount) in lines.items()))
    table = LineTable(TABLE.fields, TABLE.typed, max_lines=10, checkboxes=TABLE.checkboxes)
    kept = table.rows(data)
    assert table.rows(table.formdata(data)) == kept  # renumbering loses and reorders nothing
    assert [row["description"] for row in kept] == [
        lines[i][0].strip() for i in sorted(lines) if (lines[i][0].strip() or lines[i][1].strip())]
    every = table.rows(data, keep_blank=True)
    rows, focus = table.edited(data, {"remove": str(remove)}, BLANK)
    if remove < len(every):
        assert rows == every[:remove] + every[remove + 1:]
        assert focus == min(remove, max(len(rows), 1) - 1)
    else:
        assert (rows, focus) == (every, None)
