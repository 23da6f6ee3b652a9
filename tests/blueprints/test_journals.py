"""General journal pages: entry with htmx lines and live totals, list, detail and reversal."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.ledger.journals import Journal, JournalStatus
from accounting.ledger.practice import get_practice
from tests.support import html, text_of

HX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(auth):
    auth.login()


def journal_count(db_session):
    return db_session.scalar(select(func.count()).select_from(Journal))


def entry(books, *lines, **fields):
    """Form data for the entry form: lines are (code, debit, credit[, description])."""
    data = {"date": "2026-07-20", "narration": "Rent for July", "reference": ""}
    data.update(fields)
    for i, (code, debit, credit, *rest) in enumerate(lines):
        data[f"lines-{i}-account"] = str(books.account(code).id) if code else ""
        data[f"lines-{i}-debit"], data[f"lines-{i}-credit"] = debit, credit
        data[f"lines-{i}-description"] = rest[0] if rest else ""
    return data


def error_beside(page, field_id):
    return text_of(page.find(id=f"{field_id}-error"))


def test_the_entry_form_has_labelled_fields_and_active_accounts(client, signed_in, books, db_session):
    books.account("6-2400").archived = True
    db_session.commit()
    page = html(client.get("/journals/new"))
    for field_id in ("date", "narration", "reference", "lines-0-account", "lines-0-debit",
                     "lines-1-credit", "lines-1-description"):
        assert page.find("label", attrs={"for": field_id}) is not None, field_id
    options = [text_of(o) for o in page.find(id="lines-0-account").find_all("option")]
    assert "6-2000 Rent" in options
    assert "6-2400 Office Supplies" not in options
    assert page.find("input", attrs={"name": "csrf_token"}) is not None
    assert page.find(id="date")["value"] == date.today().isoformat()


def test_a_balanced_journal_posts_and_redirects_to_it(client, signed_in, books, db_session):
    response = client.submit("/journals/new", entry(
        books, ("6-2000", "4,200.00", "", "July rent"), ("1-1000", "", "4200")))
    assert response.status_code == 303
    journal = db_session.execute(select(Journal)).scalar_one()
    assert response.location == f"/journals/{journal.id}"
    assert [(line.account.code, str(line.amount)) for line in journal.lines] == [
        ("6-2000", "4200.00"), ("1-1000", "-4200.00")]
    assert journal.lines[0].description == "July rent"
    assert journal.posted_by.email == "admin@example.com"
    page = html(client.get(response.location))
    assert "Journal GJ-000001 posted." in text_of(page.find(class_="flashes"))


def test_fully_blank_lines_are_ignored(client, signed_in, books, db_session):
    data = entry(books, ("6-2000", "10.00", ""), ("", "", ""), ("1-1000", "", "10.00"), ("", "", ""))
    assert client.submit("/journals/new", data).status_code == 303
    assert len(db_session.execute(select(Journal)).scalar_one().lines) == 2


@pytest.mark.parametrize(("lines", "fields", "field_id", "message"), [
    ([("6-2000", "100.00", ""), ("1-1000", "", "99.00")], {}, "lines",
     "Debits (100.00) and credits (99.00) differ by 1.00"),
    ([("6-2000", "10.005", ""), ("1-1000", "", "10.00")], {}, "lines-0-debit", "at most two decimals"),
    ([("6-2000", "ten", ""), ("1-1000", "", "10.00")], {}, "lines-0-debit", "“ten” is not an amount"),
    ([("6-2000", "1" + "0" * 30, ""), ("1-1000", "", "10.00")], {}, "lines-0-debit",
     "That amount is too large."),
    ([("6-2000", "10.00", "10.00"), ("1-1000", "", "10.00")], {}, "lines-0-credit",
     "Line 1: enter a debit or a credit, not both."),
    ([("", "10.00", ""), ("1-1000", "", "10.00")], {}, "lines-0-account", "Line 1: choose an account."),
    ([("6-2000", "10.00", ""), ("1-1000", "", "")], {}, "lines-1-debit",
     "Line 2: enter a debit or a credit."),
    ([("6-2000", "-10.00", ""), ("1-1000", "-10.00", "")], {}, "lines-0-debit", "without a minus sign"),
    ([("6-2000", "10.00", "")], {}, "lines", "A journal needs at least two lines."),
    ([("6-2000", "1", ""), ("1-1000", "", "1")], {"date": "31/02/2026"}, "date", "Not a valid date"),
    ([("6-2000", "1", ""), ("1-1000", "", "1")], {"date": ""}, "date", "Enter the journal's date."),
    ([("6-2000", "1", ""), ("1-1000", "", "1")], {"narration": ""}, "narration",
     "Say what the journal is for."),
    ([("6-2000", "1", ""), ("1-1000", "", "1")], {"narration": "x" * 501}, "narration",
     "Keep the narration under 500 characters."),
    ([("6-2000", "1", ""), ("1-1000", "", "1")], {"reference": "r" * 101}, "reference",
     "Keep the reference under 100 characters."),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(
        client, signed_in, books, db_session, lines, fields, field_id, message):
    response = client.submit("/journals/new", entry(books, *lines, **fields))
    assert response.status_code == 422
    page = html(response)
    assert message in error_beside(page, field_id)
    assert page.find(class_="form-errors") is not None
    assert journal_count(db_session) == 0


def test_typed_values_are_kept_when_refused(client, signed_in, books):
    data = entry(books, ("6-2000", "100.00", "", "July"), ("1-1000", "", "99.00"), narration="Kept")
    page = html(client.submit("/journals/new", data))
    assert page.find(id="narration")["value"] == "Kept"
    assert page.find(id="lines-0-debit")["value"] == "100.00"
    assert page.find(id="lines-0-description")["value"] == "July"
    selected = page.find(id="lines-1-account").find("option", selected=True)
    assert text_of(selected) == "1-1000 Office Cheque Account"
    assert text_of(page.find(id="journal-totals").find(class_="difference")) == "1.00"


def test_an_archived_account_is_refused(client, signed_in, books, db_session):
    data = entry(books, ("6-2400", "10.00", ""), ("1-1000", "", "10.00"))
    books.account("6-2400").archived = True
    db_session.commit()
    response = client.submit("/journals/new", data)
    assert response.status_code == 422
    assert "6-2400 Office Supplies is archived" in error_beside(html(response), "lines-0-account")
    assert journal_count(db_session) == 0


def test_an_unknown_account_is_refused(client, signed_in, books, db_session):
    data = entry(books, ("6-2000", "10.00", ""), ("1-1000", "", "10.00"))
    data["lines-0-account"] = "98765"
    response = client.submit("/journals/new", data)
    assert response.status_code == 422
    assert "Line 1: choose an account." in error_beside(html(response), "lines-0-account")


def test_a_date_before_the_lock_date_is_refused(client, signed_in, books, db_session):
    get_practice(db_session).lock_date = date(2026, 8, 1)
    db_session.commit()
    response = client.submit("/journals/new", entry(books, ("6-2000", "1", ""), ("1-1000", "", "1")))
    assert response.status_code == 422
    assert "locked before 01 Aug 2026" in error_beside(html(response), "date")
    assert journal_count(db_session) == 0


def test_posting_without_csrf_is_refused(client, signed_in, books, db_session):
    response = client.post("/journals/new", data=entry(books, ("6-2000", "1", ""), ("1-1000", "", "1")))
    assert response.status_code == 400
    assert journal_count(db_session) == 0


def test_add_line_returns_only_the_lines_fragment_with_one_more_line(client, signed_in, books):
    data = entry(books, ("6-2000", "10.00", ""), ("1-1000", "", "10.00"))
    response = client.submit("/journals/new/lines?add=1", data, headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<header" not in body
    fragment = html(response)
    assert fragment.find("fieldset")["id"] == "journal-lines"
    assert len(fragment.find_all("tr", class_="line")) == 3
    assert fragment.find(id="lines-0-debit")["value"] == "10.00"
    assert fragment.find(id="lines-2-account").has_attr("autofocus")


def test_add_line_keeps_blank_lines_being_laid_out(client, signed_in, books):
    data = {"lines-0-account": "", "lines-1-account": "", "lines-2-account": ""}
    fragment = html(client.submit("/journals/new/lines?add=1", data, headers=HX))
    assert len(fragment.find_all("tr", class_="line")) == 4


def test_remove_line_renumbers_the_remaining_lines(client, signed_in, books):
    data = entry(books, ("6-2000", "10.00", ""), ("2-1200", "1.00", ""), ("1-1000", "", "11.00"))
    fragment = html(client.submit("/journals/new/lines?remove=1", data, headers=HX))
    rows = fragment.find_all("tr", class_="line")
    assert len(rows) == 2
    assert fragment.find(id="lines-1-credit")["value"] == "11.00"
    assert fragment.find(id="lines-2-debit") is None


def test_live_totals_are_computed_by_the_server(client, signed_in, books):
    data = entry(books, ("6-2000", "10.10", ""), ("1-1000", "", "10.00"))
    response = client.submit("/journals/new/totals", data, headers=HX)
    assert "<form" not in response.get_data(as_text=True)
    totals = html(response).find(id="journal-totals")
    assert text_of(totals.find(class_="debits")) == "10.10"
    assert text_of(totals.find(class_="credits")) == "10.00"
    assert text_of(totals.find(class_="difference")) == "0.10"
    assert text_of(totals.find(class_="balance-status")) == "Out of balance"

    data["lines-1-credit"] = "10.10"
    totals = html(client.submit("/journals/new/totals", data, headers=HX)).find(id="journal-totals")
    assert text_of(totals.find(class_="balance-status")) == "Balanced"

    data["lines-1-credit"] = "1e30"
    totals = html(client.submit("/journals/new/totals", data, headers=HX)).find(id="journal-totals")
    assert text_of(totals.find(class_="balance-status")) == "Check the amounts"


def test_fragments_need_csrf_too(client, signed_in, books):
    data = entry(books, ("6-2000", "10.10", ""), ("1-1000", "", "10.00"))
    assert client.post("/journals/new/totals", data=data, headers=HX).status_code == 400


def test_journal_list_is_newest_first_with_totals_and_pages(client, signed_in, books, app):
    app.config["PAGE_SIZE"] = 2
    books.journal({"6-2000": "1,234.50".replace(",", ""), "1-1000": "-1234.50"}, on=date(2026, 7, 1),
                  narration="Oldest")
    books.journal({"6-2000": "2.00", "1-1000": "-2.00"}, on=date(2026, 7, 3), narration="Newest")
    books.journal({"6-2000": "3.00", "1-1000": "-3.00"}, on=date(2026, 7, 2), narration="Middle")
    page = html(client.get("/journals/"))
    rows = page.find("table", class_="journals").find("tbody").find_all("tr")
    assert [text_of(r.find_all("td")[2]) for r in rows] == ["Newest", "Middle"]
    assert "page 1 of 2" in text_of(page.find(class_="pager"))
    second = html(client.get("/journals/?page=2"))
    row = second.find("table", class_="journals").find("tbody").find("tr")
    total = row.find_all("td")[4]
    assert "num" in total["class"] and text_of(total) == "1,234.50"
    assert text_of(row.find(class_="status")) == "posted"


def test_journal_list_pages_come_back_as_a_fragment(client, signed_in, books):
    books.journal({"6-2000": "2.00", "1-1000": "-2.00"})
    body = client.get("/journals/?page=1", headers=HX).get_data(as_text=True)
    assert "<header" not in body and "GJ-000001" in body


def test_journal_page_shows_lines_totals_poster_and_status(client, signed_in, books):
    journal = books.journal({"6-2000": "250.00", "1-1000": "-250.00"}, narration="<script>x</script>")
    response = client.get(f"/journals/{journal.id}")
    page = html(response)
    assert "<script>x</script>" not in response.get_data(as_text=True)
    assert "<script>x</script>" in text_of(page.find(class_="lead"))
    lines = page.find("table", class_="journal-lines")
    assert [text_of(td) for td in lines.find("tfoot").find_all("td")] == ["Totals", "250.00", "250.00"]
    details = text_of(page.find("dl"))
    assert "Ada Admin" in details and "posted" in details
    assert page.find("form", action=f"/journals/{journal.id}/reverse") is not None


def test_unknown_journal_is_404(client, signed_in, books):
    assert client.get("/journals/999").status_code == 404
    assert client.get("/journals/99999999999999999999").status_code == 404
    assert client.get("/journals/9999999999").status_code == 404  # beyond PostgreSQL's INTEGER


def test_a_page_far_past_the_end_is_empty_not_an_error(client, signed_in, books):
    response = client.get("/journals/?page=99999999999999999999")
    assert response.status_code == 200
    assert "No journals yet." in text_of(html(response).find(class_="empty"))


def test_reversing_a_journal_links_both_ways(client, signed_in, books, db_session):
    journal = books.journal({"6-2000": "250.00", "1-1000": "-250.00"})
    response = client.submit(f"/journals/{journal.id}/reverse",
                             {"date": "2026-07-31", "reason": "Posted twice"})
    assert response.status_code == 303
    db_session.expire_all()
    assert journal.status == JournalStatus.REVERSED
    reversal = journal.reversed_by
    assert response.location == f"/journals/{reversal.id}"
    page = html(client.get(response.location))
    assert "GJ-000001 reversed by RV-000001." in text_of(page.find(class_="flashes"))
    assert page.find("a", string="GJ-000001") is not None
    assert "itself a reversal" in text_of(page.find(id="reverse"))
    original = html(client.get(f"/journals/{journal.id}"))
    assert original.find("a", string="RV-000001") is not None
    assert "already been reversed" in text_of(original.find(id="reverse"))
    assert original.find("form", action=f"/journals/{journal.id}/reverse") is None


def test_reversing_twice_is_refused(client, signed_in, books, db_session):
    journal = books.journal({"6-2000": "1.00", "1-1000": "-1.00"})
    client.submit(f"/journals/{journal.id}/reverse", {"date": "2026-07-31", "reason": "once"})
    response = client.submit(f"/journals/{journal.id}/reverse", {"date": "2026-07-31", "reason": "again"})
    assert response.status_code == 422
    assert "already been reversed" in text_of(html(response).find(id="reverse"))
    assert journal_count(db_session) == 2


def test_a_locked_journal_shows_why_and_is_not_reversed(client, signed_in, books, db_session):
    journal = books.journal({"6-2000": "1.00", "1-1000": "-1.00"})
    journal.lock("Pushed to Xero as MJ-7")
    db_session.commit()
    page = html(client.get(f"/journals/{journal.id}"))
    assert text_of(page.find(class_="locked-reason")) == "Pushed to Xero as MJ-7"
    response = client.submit(f"/journals/{journal.id}/reverse", {"date": "2026-07-31", "reason": "x"})
    assert response.status_code == 422
    assert "Pushed to Xero as MJ-7" in text_of(html(response).find(id="reverse"))
    assert journal_count(db_session) == 1


@pytest.mark.parametrize(("data", "field_id", "message"), [
    ({"date": "2026-07-14", "reason": "x"}, "date", "before the journal it reverses"),
    ({"date": "2026-07-20", "reason": ""}, "reason", "Give the reason"),
    ({"date": "nope", "reason": "x"}, "date", "Not a valid date"),
    ({"date": "2026-07-20", "reason": "r" * 301}, "reason", "under 300 characters"),
])
def test_bad_reversals_are_refused_beside_the_field(client, signed_in, books, db_session, data,
                                                    field_id, message):
    journal = books.journal({"6-2000": "1.00", "1-1000": "-1.00"}, on=date(2026, 7, 15))
    response = client.submit(f"/journals/{journal.id}/reverse", data)
    assert response.status_code == 422
    assert message in error_beside(html(response), field_id)
    assert journal_count(db_session) == 1


def test_a_reversal_before_the_lock_date_is_refused(client, signed_in, books, db_session):
    journal = books.journal({"6-2000": "1.00", "1-1000": "-1.00"}, on=date(2026, 7, 15))
    get_practice(db_session).lock_date = date(2026, 8, 1)
    db_session.commit()
    response = client.submit(f"/journals/{journal.id}/reverse", {"date": "2026-07-20", "reason": "x"})
    assert response.status_code == 422
    assert "locked before 01 Aug 2026" in error_beside(html(response), "date")
    assert journal_count(db_session) == 1


def test_staff_can_enter_journals(client, auth, books, db_session):
    auth.login("staff@example.com")
    response = client.submit("/journals/new", entry(books, ("6-2000", "1", ""), ("1-1000", "", "1")))
    assert response.status_code == 303


def test_a_journal_posted_by_a_document_is_not_reversed_from_the_journals_page(client, auth, books):
    from accounting.ledger.journals import LineInput, post

    auth.login()
    journal = post(books.session, books.admin, date=date(2026, 7, 1), narration="Payment of INV-1",
                   kind="bill_payment", reference="INV-00001",
                   lines=[LineInput(books.account("1-1000").id, Decimal("10.00")),
                          LineInput(books.account("1-2000").id, Decimal("-10.00"))])
    books.session.commit()
    page = html(client.get(f"/journals/{journal.id}"))
    assert "correct it from that document" in text_of(page.select_one("#reverse"))
    assert page.select_one("#reverse form") is None
    response = client.submit(f"/journals/{journal.id}/reverse", {"date": "2026-07-02", "reason": "x"})
    assert response.status_code == 422
    assert "bill payment INV-00001" in text_of(html(response).select_one("#reverse"))
    books.session.expire_all()
    assert books.session.get(Journal, journal.id).status == JournalStatus.POSTED
    assert books.session.query(Journal).count() == 1
