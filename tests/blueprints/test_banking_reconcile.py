"""Reconciliation pages: ticking one statement line and several book entries and matching them
together (htmx, with the ticked totals from the server), deleting a wrongly imported statement line,
a statement imported twice, undoing the latest reconciliation (admins), and GST while unregistered.

The books (office bank 1-1000): receipts of 100.00 and 200.00 on 20 July; the statement shows one
deposit of 300.00 on 21 July and a bank fee of -12.50 on 22 July.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.audit import AuditEvent
from accounting.ledger.journals import Journal
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode
from accounting.office.bank_reconciliation import (
    BankMatch,
    Reconciliation,
    StatementLine,
    match,
    save_reconciliation,
)
from accounting.office.bank_transactions import BankTransaction, MoneyLine, record_bank_transaction
from tests.support import html, text_of

HX = {"HX-Request": "true"}
CSV = b"Date,Description,Amount\n2026-07-21,DEPOSIT,300.00\n2026-07-22,BANK FEE,-12.50\n"


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def upload(client, bank_id, name, data):
    return client.submit(f"/banking/accounts/{bank_id}/statement",
                         {"statement": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.fixture
def reconciling(client, auth, books, db_session):
    """Signed in as the admin; two receipts in the books and the statement imported."""
    auth.login()
    bank = books.account("1-1000")
    entries = []
    for amount in ("100.00", "200.00"):
        txn = record_bank_transaction(db_session, books.admin, kind="deposit", bank_account_id=bank.id,
                                      date=date(2026, 7, 20), contact="Client", lines=[
                                          MoneyLine(books.account("4-1000").id, Decimal(amount),
                                                    TaxCode.GST_FREE)])
        entries.append(next(x for x in txn.journal.lines if x.account_id == bank.id))
    db_session.commit()
    assert upload(client, bank.id, "july.csv", CSV).status_code == 303
    deposit, fee = db_session.scalars(select(StatementLine).order_by(StatementLine.date)).all()
    return bank.id, deposit, fee, entries


def test_every_open_line_and_book_entry_has_a_labelled_tick_box(client, reconciling):
    bank_id, deposit, fee, entries = reconciling
    page = html(client.get(f"/banking/accounts/{bank_id}/reconcile"))
    for box_id in (f"pick-statement-{deposit.id}", f"pick-statement-{fee.id}",
                   *(f"pick-book-{e.id}" for e in entries)):
        box = page.find(id=box_id)
        assert box["type"] == "checkbox" and box["form"] == "match-selected", box_id
        assert page.find("label", attrs={"for": box_id}) is not None
    form = page.find("form", id="match-selected")
    assert form.find("input", attrs={"name": "csrf_token"}) is not None
    assert page.find("button", attrs={"form": "match-selected"}).get_text() == "Match ticked lines"
    assert text_of(page.select_one("#match-selection .ticked-difference")) == "0.00"


def test_the_ticked_totals_come_from_the_server(client, reconciling):
    bank_id, deposit, fee, entries = reconciling
    fragment = html(client.submit(f"/banking/accounts/{bank_id}/match/selection",
                                  {"statement_line": [deposit.id], "journal_line": [entries[0].id]},
                                  headers=HX))
    assert fragment.find("html") is None
    assert text_of(fragment.select_one(".ticked-statement")) == "300.00"
    assert text_of(fragment.select_one(".ticked-book")) == "100.00"
    difference = fragment.select_one(".ticked-difference")
    assert text_of(difference) == "200.00" and "off" in difference["class"]
    junk = html(client.submit(f"/banking/accounts/{bank_id}/match/selection",
                              {"statement_line": ["x", "999999"], "journal_line": ["-1"]}, headers=HX))
    assert text_of(junk.select_one(".ticked-difference")) == "0.00"


def test_one_statement_line_is_matched_to_two_book_entries(client, reconciling, db_session):
    bank_id, deposit, fee, entries = reconciling
    fragment = html(client.submit(f"/banking/accounts/{bank_id}/match",
                                  {"statement_line": [deposit.id], "journal_line": [e.id for e in entries]},
                                  headers=HX))
    assert fragment.find("html") is None and fragment.find(class_="form-errors") is None
    row = fragment.find(id=f"statement-line-{deposit.id}")
    assert "matched" in row["class"]
    assert [text_of(x) for x in row.select(".matched-entry")] == [
        "DEP-00001 · 20 Jul 2026 · 100.00", "DEP-00002 · 20 Jul 2026 · 200.00"]
    assert text_of(fragment.select_one(".matched")) == "300.00"
    assert fragment.select("table.book-lines") == []  # both book entries are matched
    db_session.expire_all()
    assert {j.id for j in db_session.get(StatementLine, deposit.id).journal_lines} == {e.id for e in entries}
    # Unmatching undoes the whole group.
    fragment = html(client.submit(f"/banking/accounts/{bank_id}/unmatch", {"statement_line": deposit.id},
                                  headers=HX))
    assert len(fragment.select("table.book-lines tbody tr")) == 2
    assert count(db_session, BankMatch) == 0


def test_book_entries_that_do_not_add_up_are_refused_with_the_difference(client, reconciling, db_session):
    bank_id, deposit, fee, entries = reconciling
    data = {"statement_line": [deposit.id], "journal_line": [entries[0].id]}
    fragment = html(client.submit(f"/banking/accounts/{bank_id}/match", data, headers=HX))
    assert "The amounts differ: the statement shows 300.00, the book entry 100.00." in text_of(
        fragment.find(class_="form-errors"))
    both = {"statement_line": [deposit.id, fee.id], "journal_line": [e.id for e in entries]}
    response = client.submit(f"/banking/accounts/{bank_id}/match", both)
    assert response.status_code == 422
    assert ("the 2 book entries chosen add up to 300.00, the statement lines add up to 287.50 "
            "(difference 12.50)") in text_of(html(response).find(class_="form-errors"))
    for bad in ({"statement_line": [deposit.id]}, {"journal_line": [entries[0].id]},
                {"statement_line": ["abc"], "journal_line": ["1"]}):
        assert client.submit(f"/banking/accounts/{bank_id}/match", bad).status_code == 422
    assert count(db_session, BankMatch) == 0


def test_an_unmatched_line_is_deleted_with_a_reason(client, reconciling, db_session):
    bank_id, deposit, fee, entries = reconciling
    page = html(client.get(f"/banking/accounts/{bank_id}/reconcile"))
    link = page.find("a", attrs={"aria-label": "Delete statement line 22 Jul 2026 BANK FEE -12.50"})
    url = link["href"]
    page = html(client.get(url))
    assert text_of(page.select_one(".statement-line .amount")) == "-12.50"
    assert page.find("label", attrs={"for": "reason"}) is not None
    response = client.submit(url, {"reason": ""})
    assert response.status_code == 400
    assert "Give the reason" in text_of(html(response).find(id="reason-error"))
    response = client.submit(url, {"reason": "x" * 301})
    assert response.status_code == 400
    assert count(db_session, StatementLine) == 2
    response = client.submit(url, {"reason": "Imported <twice>"})
    assert response.status_code == 303 and response.location == f"/banking/accounts/{bank_id}/reconcile"
    page = html(client.get(response.location))
    assert "Statement line 22 Jul 2026 BANK FEE -12.50 deleted." in text_of(page.find(class_="flashes"))
    assert count(db_session, StatementLine) == 1
    logged = db_session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "deleted")).one()
    assert logged.endswith("deleted: Imported <twice>")
    assert client.get(url).status_code == 404


def test_a_matched_line_is_not_deleted_and_other_accounts_lines_are_not_found(client, reconciling,
                                                                                books, db_session):
    bank_id, deposit, fee, entries = reconciling
    match(db_session, books.admin, db_session.get(type(books.account("1-1000")), bank_id), deposit.id,
          [e.id for e in entries])
    db_session.commit()
    url = f"/banking/accounts/{bank_id}/statement-lines/{deposit.id}/delete"
    response = client.submit(url, {"reason": "dup"})
    assert response.status_code == 422
    assert "matched to the books: unmatch it first" in text_of(html(response).find(class_="form-errors"))
    assert html(response).find(id="reason")["value"] == "dup"
    assert count(db_session, StatementLine) == 2
    trust = books.account("1-1100").id
    assert client.get(f"/banking/accounts/{trust}/statement-lines/{deposit.id}/delete").status_code == 404
    assert client.get(f"/banking/accounts/{bank_id}/statement-lines/0/delete").status_code == 404


def test_an_overlapping_statement_says_which_lines_it_skipped(client, reconciling, db_session):
    bank_id, *_ = reconciling
    response = upload(client, bank_id, "august.csv", CSV + b"2026-08-01,INTEREST,1.25\n")
    page = html(client.get(response.location))
    assert ("1 statement lines imported. 2 already imported, skipped: 21 Jul 2026 DEPOSIT 300.00; "
            "22 Jul 2026 BANK FEE -12.50.") in text_of(page.find(class_="flashes"))
    assert count(db_session, StatementLine) == 3


def reconciled(books, db_session, reconciling):
    bank_id, deposit, fee, entries = reconciling
    bank = books.account("1-1000")
    match(db_session, books.admin, bank, deposit.id, [e.id for e in entries])
    july = save_reconciliation(db_session, books.admin, bank, statement_date=date(2026, 7, 31),
                               closing_balance=Decimal("300.00"))
    db_session.commit()
    return july


def test_an_admin_undoes_the_latest_reconciliation_with_a_reason(client, books, db_session, reconciling):
    july = reconciled(books, db_session, reconciling)
    url = f"/banking/reconciliations/{july.id}"
    page = html(client.get(url))
    assert page.find("label", attrs={"for": "reason"}) is not None
    response = client.submit(f"{url}/undo", {"reason": ""})
    assert response.status_code == 400
    assert "Give the reason" in text_of(html(response).find(id="reason-error"))
    response = client.submit(f"{url}/undo", {"reason": "Misread the closing balance"})
    assert response.status_code == 303
    assert response.location == f"/banking/accounts/{july.bank_account_id}/reconcile"
    page = html(client.get(response.location))
    assert "The reconciliation to 31 Jul 2026 is undone" in text_of(page.find(class_="flashes"))
    history = page.find("table", class_="recon-history")
    assert text_of(history.select_one(".status-undone")) == "undone"
    assert "Misread the closing balance" in text_of(history)
    assert "matched" in page.find(id=f"statement-line-{reconciling[1].id}")["class"]  # match kept
    page = html(client.get(url))
    assert "Undone on" in text_of(page.find(class_="undone-note"))
    assert "already undone" in text_of(page.find(id="undo"))
    assert page.find(id="undo").find("form") is None
    response = client.submit(f"{url}/undo", {"reason": "again"})
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(Reconciliation, july.id).undo_reason == "Misread the closing balance"


def test_an_older_reconciliation_is_not_undone_and_staff_cannot_undo(client, auth, books, db_session,
                                                                     reconciling):
    july = reconciled(books, db_session, reconciling)
    bank = books.account("1-1000")
    match(db_session, books.admin, bank, reconciling[2].id, _fee_entry(books, db_session).id)
    august = save_reconciliation(db_session, books.admin, bank, statement_date=date(2026, 8, 31),
                                 closing_balance=Decimal("287.50"))
    db_session.commit()
    page = html(client.get(f"/banking/reconciliations/{july.id}"))
    assert "Only the most recent reconciliation" in text_of(page.find(id="undo"))
    assert page.find(id="undo").find("form") is None
    response = client.submit(f"/banking/reconciliations/{july.id}/undo", {"reason": "x"})
    assert response.status_code == 422
    assert "the one to 31 Aug 2026. Undo that one first." in text_of(html(response).find(id="undo"))
    auth.logout()
    auth.login("staff@example.com")
    page = html(client.get(f"/banking/reconciliations/{august.id}"))
    assert "Only an admin can undo" in text_of(page.find(id="undo"))
    assert client.submit(f"/banking/reconciliations/{august.id}/undo", {"reason": "x"}).status_code == 403
    assert client.submit("/banking/reconciliations/999999/undo", {"reason": "x"}).status_code == 403
    db_session.expire_all()
    assert [r.undone_at for r in db_session.scalars(select(Reconciliation))] == [None, None]


def _fee_entry(books, db_session):
    bank = books.account("1-1000")
    fee = MoneyLine(books.account("6-2600").id, Decimal("12.50"), TaxCode.GST_FREE)
    txn = record_bank_transaction(db_session, books.admin, kind="withdrawal", bank_account_id=bank.id,
                                  date=date(2026, 8, 2), lines=[fee])
    return next(x for x in txn.journal.lines if x.account_id == bank.id)


def test_an_unregistered_practice_is_told_to_choose_gst_free(client, auth, books, db_session):
    auth.login()
    get_practice(db_session).gst_registered = False
    db_session.commit()
    form = html(client.get("/banking/deposit/new"))
    assert form.find(id="lines-0-tax").find("option", selected=True)["value"] == "gst_free"
    assert "not registered for GST" in text_of(form.find(class_="gst-note"))
    data = {"bank_account": str(books.account("1-1000").id), "date": "2026-07-20", "contact": "",
            "reference": "", "lines-0-description": "Fees", "lines-0-amount": "100.00", "lines-0-tax": "gst",
            "lines-0-account": str(books.account("4-1000").id)}
    response = client.submit("/banking/deposit/new", data)
    assert response.status_code == 422
    assert text_of(html(response).find(id="lines-0-tax-error")) == (
        "The practice is not registered for GST (Admin > Practice settings): choose GST-free.")
    assert html(response).find(id="lines-0-amount")["value"] == "100.00"
    assert count(db_session, Journal) == 0 and count(db_session, BankTransaction) == 0
    lines = html(client.submit("/banking/deposit/new/lines?add=1", data, headers=HX))
    assert lines.find(id="lines-1-tax").find("option", selected=True)["value"] == "gst_free"
    response = client.submit("/banking/deposit/new", {**data, "lines-0-tax": "gst_free"})
    assert response.status_code == 303
