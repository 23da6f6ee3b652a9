"""Aged receivables, aged payables and the GST summary: exact figures from small books, and the
rule that each agrees with its ledger account (by example and under random sequences)."""

from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from accounting.errors import LedgerError
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.practice import Basis, get_practice
from accounting.ledger.reports import account_balances
from accounting.ledger.tax import TaxCode
from accounting.office import bill_totals, billing
from accounting.office import credit_notes as notes
from accounting.office import reports as office_reports
from accounting.office.banking import (
    BankTransaction,
    BankTransactionKind,
    MoneyLine,
    record_bank_transaction,
)
from accounting.office.bills import (
    Bill,
    BillEvent,
    BillLine,
    BillLineInput,
    CreditNote,
    CreditNoteLine,
    CreditRefund,
    EventKind,
)
from accounting.office.reports import (
    Bucket,
    aged_payables,
    aged_payables_page,
    aged_receivables,
    aged_receivables_page,
    bucket_of,
    client_receivables,
    gst_summary,
    supplier_payables,
)
from accounting.office.suppliers import (
    InvoiceDetails,
    InvoiceLineInput,
    SupplierDetails,
    apply_credit,
    approve_invoice,
    create_credit,
    create_invoice,
    pay_invoice,
    save_supplier,
    void_invoice,
)
from accounting.parties.clients import Client, ClientDetails, open_matter, save_client

D = Decimal
JULY = date(2026, 7, 1)
Z = D("0.00")


def ledger(books, code, as_at):
    return account_balances(books.session, as_at).get(books.account(code).id, Z)


def movement(books, code, start, end):
    return account_balances(books.session, end, since=start).get(books.account(code).id, Z)


class Office:
    """Builders: clients with a matter each, bills, payments, credit notes; a supplier's invoices."""

    def __init__(self, books):
        self.books, self.s = books, books.session
        self.matters = {}
        for name in ("Acme Pty Ltd", "Beta Legal"):
            client = save_client(self.s, books.admin, ClientDetails(kind="company", name=name))
            self.matters[name] = open_matter(self.s, books.admin, client, description="Lease",
                                             responsible_id=None, opened_on=JULY)
        self.supplier = save_supplier(self.s, books.admin, SupplierDetails(name="Officeworks"))
        self.s.commit()

    def id(self, code):
        return self.books.account(code).id

    def bill(self, rate="100.00", on=JULY, due=None, client="Acme Pty Ltd", tax=TaxCode.GST, free=None):
        lines = [BillLineInput("Advice", D("1"), D(rate), self.id("4-1000"), tax)]
        if free:
            lines.append(BillLineInput("Search fee", D("1"), D(free), self.id("4-2000"), TaxCode.GST_FREE))
        bill = billing.create_bill(self.s, self.books.admin, matter_id=self.matters[client].id, date=on,
                                   due_date=due, lines=lines)
        billing.approve_bill(self.s, self.books.admin, bill)
        self.s.commit()
        return bill

    def pay(self, bill, amount, on):
        billing.record_payment(self.s, self.books.admin, bill.id, amount=D(amount), date=on,
                               bank_account_id=self.id("1-1000"))
        self.s.commit()

    def credit_note(self, rate, on, client="Acme Pty Ltd"):
        note = notes.create_credit_note(
            self.s, self.books.admin, client_id=self.matters[client].client_id, date=on,
            lines=[BillLineInput("Discount", D("1"), D(rate), self.id("4-1000"), TaxCode.GST)])
        self.s.commit()
        return note

    def invoice(self, amount, on, due, ref, free=None):
        lines = [InvoiceLineInput("Paper", D(amount), self.id("6-2400"))]
        if free:
            lines.append(InvoiceLineInput("Court fee", D(free), self.id("5-1000"), True))
        invoice = create_invoice(self.s, self.books.admin,
                                 InvoiceDetails(self.supplier.id, ref, on, due, lines))
        approve_invoice(self.s, self.books.admin, invoice)
        self.s.commit()
        return invoice


@pytest.fixture
def office(books):
    return Office(books)


@pytest.mark.parametrize("due, bucket", [
    (date(2026, 10, 31), Bucket.CURRENT), (date(2026, 10, 30), Bucket.CURRENT),
    (date(2026, 10, 29), Bucket.DAYS_1_30), (date(2026, 9, 30), Bucket.DAYS_1_30),
    (date(2026, 9, 29), Bucket.DAYS_31_60), (date(2026, 8, 31), Bucket.DAYS_31_60),
    (date(2026, 8, 30), Bucket.DAYS_61_90), (date(2026, 8, 1), Bucket.DAYS_61_90),
    (date(2026, 7, 31), Bucket.OVER_90),
])
def test_an_amount_is_aged_by_whole_days_past_its_due_date(due, bucket):
    assert bucket_of(due, date(2026, 10, 30)) == bucket


def test_aged_receivables_put_each_bill_in_its_bucket_and_total_to_accounts_receivable(books, office):
    as_at = date(2026, 10, 30)
    office.bill("100.00", on=date(2026, 10, 1), due=date(2026, 11, 1))         # current: 110
    office.bill("200.00", on=date(2026, 9, 1), due=date(2026, 10, 1))          # 29 days: 220
    late = office.bill("300.00", on=date(2026, 7, 1), due=date(2026, 7, 15))  # 107 days: 330
    office.pay(late, "30.00", on=date(2026, 8, 1))
    office.bill("50.00", on=date(2026, 8, 1), client="Beta Legal")             # due on its date: 55
    office.credit_note("10.00", on=date(2026, 10, 20))                          # unused: -11, 10 days
    report = aged_receivables(books.session, as_at)
    assert [(r.name, [str(b) for b in r.buckets], str(r.total)) for r in report.rows] == [
        ("Acme Pty Ltd", ["110.00", "209.00", "0.00", "0.00", "300.00"], "619.00"),
        ("Beta Legal", ["0.00", "0.00", "0.00", "55.00", "0.00"], "55.00"),
    ]
    assert [str(t) for t in report.totals] == ["110.00", "209.00", "0.00", "55.00", "300.00"]
    assert report.total == D("674.00") == ledger(books, "1-2000", as_at) == report.ledger_balance
    assert report.difference == Z


def test_aged_receivables_as_at_an_earlier_date_ignore_what_came_after(books, office):
    bill = office.bill("100.00", on=date(2026, 7, 1), due=date(2026, 7, 31))
    office.bill("500.00", on=date(2026, 9, 1))                     # after the as-at date
    office.pay(bill, "40.00", on=date(2026, 8, 20))                # after the as-at date
    note = office.credit_note("20.00", on=date(2026, 8, 1))        # 22.00, before the as-at date
    notes.apply_credit(books.session, books.admin, note.id, date=date(2026, 8, 25),
                         amounts={bill.id: D("22.00")})            # applied after the as-at date
    books.session.commit()
    as_at = date(2026, 8, 10)
    report = aged_receivables(books.session, as_at)
    assert [(r.name, [str(b) for b in r.buckets]) for r in report.rows] == [
        ("Acme Pty Ltd", ["0.00", "88.00", "0.00", "0.00", "0.00"])]
    assert report.total == D("88.00") == ledger(books, "1-2000", as_at)
    today = aged_receivables(books.session, date(2026, 9, 30))
    assert today.total == D("110.00") - D("40.00") - D("22.00") + D("550.00") == ledger(
        books, "1-2000", date(2026, 9, 30))


def test_a_bill_voided_after_the_as_at_date_was_still_owed_then(books, office):
    bill = office.bill("100.00", on=date(2026, 7, 1))
    billing.void_bill(books.session, books.admin, bill, on=date(2026, 8, 15))
    books.session.commit()
    assert aged_receivables(books.session, date(2026, 8, 1)).total == D("110.00")
    assert aged_receivables(books.session, date(2026, 8, 15)).rows == []
    assert ledger(books, "1-2000", date(2026, 8, 15)) == Z


def test_a_paid_bill_and_a_used_credit_note_leave_no_row(books, office):
    bill = office.bill("100.00")
    office.pay(bill, "110.00", on=JULY)
    assert aged_receivables(books.session, JULY).rows == []


def test_a_clients_detail_lists_each_bill_and_credit_owing_oldest_first_a_page_at_a_time(books, office):
    bills = [office.bill("10.00", on=date(2026, 7, 1) + timedelta(days=i)) for i in range(5)]
    office.credit_note("5.00", on=date(2026, 7, 3))
    office.pay(bills[0], "11.00", on=date(2026, 7, 2))
    client = bills[0].client
    detail = client_receivables(books.session, client, date(2026, 7, 10), per_page=3)
    assert detail.count == 5
    assert [(i.kind, i.number, str(i.owed), i.days_overdue) for i in detail.items] == [
        ("bill", bills[1].number, "11.00", 8), ("credit_note", "CN-00001", "-5.50", 7),
        ("bill", bills[2].number, "11.00", 7)]
    assert detail.total == D("38.50") == aged_receivables(books.session, date(2026, 7, 10)).total
    second = client_receivables(books.session, client, date(2026, 7, 10), page=2, per_page=3)
    assert [i.number for i in second.items] == [bills[3].number, bills[4].number]
    assert second.count == 5 and second.buckets == detail.buckets


def assert_pages_match(books, report, page_of, as_at, per_page):
    """Each page of the report page's query is that slice of the whole report, with its totals."""
    for number in range(1, report.count // per_page + 3):
        page = page_of(books.session, as_at, number, per_page)
        assert (page.count, page.totals, page.total) == (report.count, report.totals, report.total)
        assert [(r.party_id, r.name, r.buckets) for r in page.page(number, per_page)] == [
            (r.party_id, r.name, r.buckets) for r in report.page(number, per_page)]


def test_a_page_of_aged_receivables_is_that_slice_of_the_report_by_name_on_every_database(books, office):
    # Names whose order differs between collations: the page's order is the report's (code points).
    for name in ("beta lower", "Álvaro Co", "Zed Ltd", "acme two", "Acme Pty Ltd two", "Zed Ltd"):
        client = save_client(books.session, books.admin, ClientDetails(kind="company", name=name))
        office.matters[client.id] = open_matter(books.session, books.admin, client, description="Work",
                                                responsible_id=None, opened_on=JULY)
        books.session.commit()
        office.bill("10.00", client=client.id)
    office.bill("20.00")
    office.credit_note("30.00", on=JULY, client="Beta Legal")  # a row of unused credit only
    report = aged_receivables(books.session, JULY)
    assert [r.name for r in report.rows] == sorted(r.name for r in report.rows)
    assert report.count == 8
    assert_pages_match(books, report, aged_receivables_page, JULY, per_page=3)
    empty = aged_receivables_page(books.session, JULY - timedelta(days=1))
    assert (empty.count, empty.rows, empty.total) == (0, [], Z)


def test_aged_payables_total_to_accounts_payable_as_at_any_date(books, office):
    first = office.invoice("100.00", date(2026, 7, 1), date(2026, 7, 31), "A-1")       # 110
    second = office.invoice("200.00", date(2026, 8, 1), date(2026, 9, 30), "A-2", free="15.00")  # 235
    voided = office.invoice("50.00", date(2026, 8, 2), date(2026, 8, 30), "A-3")
    void_invoice(books.session, books.admin, voided, date=date(2026, 9, 10), reason="Duplicate")
    pay_invoice(books.session, books.admin, first.id, bank_account_id=office.id("1-1000"),
                date=date(2026, 9, 5), amount=D("60.00"))
    credit = create_credit(books.session, books.admin, InvoiceDetails(
        office.supplier.id, "C-1", date(2026, 9, 1), date(2026, 9, 1),
        [InvoiceLineInput("Returned paper", D("20.00"), office.id("6-2400"))]))
    books.session.commit()
    apply_credit(books.session, books.admin, credit.id, {second.id: D("10.00")}, date=date(2026, 9, 20))
    books.session.commit()
    for as_at, expected in [(date(2026, 8, 15), D("400.00")), (date(2026, 9, 6), D("318.00")),
                            (date(2026, 9, 30), D("263.00"))]:
        report = aged_payables(books.session, as_at)
        assert report.total == expected == -ledger(books, "2-1000", as_at), as_at
    report = aged_payables(books.session, date(2026, 9, 30))
    assert [str(b) for b in report.rows[0].buckets] == ["225.00", "-12.00", "0.00", "50.00", "0.00"]
    assert [str(b) for b in report.totals] == ["225.00", "-12.00", "0.00", "50.00", "0.00"]
    detail = supplier_payables(books.session, office.supplier, date(2026, 9, 30))
    assert [(i.number, str(i.owed), i.bucket) for i in detail.items] == [
        (first.number, "50.00", Bucket.DAYS_61_90), (credit.number, "-12.00", Bucket.DAYS_1_30),
        (second.number, "225.00", Bucket.CURRENT)]
    assert detail.total == report.total


def _gst_books(books, office):
    bill = office.bill("100.00", on=date(2026, 7, 5), free="40.00")     # 150 = 110 + 40 GST-free
    office.bill("300.00", on=date(2026, 7, 6))                          # 330
    voided = office.bill("50.00", on=date(2026, 6, 20))                 # before the period: 55
    billing.void_bill(books.session, books.admin, voided, on=date(2026, 7, 2))   # -55 in the period
    office.credit_note("20.00", on=date(2026, 7, 10))                   # -22
    office.bill("999.00", on=date(2026, 10, 1))                         # after the period
    office.pay(bill, "75.00", on=date(2026, 7, 20))                     # half of the first bill
    record_bank_transaction(books.session, books.admin, kind=BankTransactionKind.DEPOSIT,
                            bank_account_id=office.id("1-1000"), date=date(2026, 7, 12), contact="Smith",
                            lines=[MoneyLine(office.id("4-2000"), D("80.00"), TaxCode.GST)])   # 88
    record_bank_transaction(books.session, books.admin, kind=BankTransactionKind.WITHDRAWAL,
                            bank_account_id=office.id("1-1000"), date=date(2026, 7, 13), contact="Post",
                            lines=[MoneyLine(office.id("6-2400"), D("30.00"), TaxCode.GST),
                                   MoneyLine(office.id("5-1000"), D("5.00"), TaxCode.GST_FREE)])  # 38
    invoice = office.invoice("200.00", date(2026, 7, 15), date(2026, 8, 15), "S-1", free="10.00")  # 230
    pay_invoice(books.session, books.admin, invoice.id, bank_account_id=office.id("1-1000"),
                date=date(2026, 8, 1), amount=D("115.00"))
    create_credit(books.session, books.admin, InvoiceDetails(
        office.supplier.id, "SC-1", date(2026, 7, 16), date(2026, 7, 16),
        [InvoiceLineInput("Returned", D("40.00"), office.id("6-2400"))]))                  # -44
    books.session.commit()


def test_the_gst_summary_on_the_accrual_basis_lists_documents_and_agrees_with_the_ledger(books, office):
    _gst_books(books, office)
    start, end = date(2026, 7, 1), date(2026, 9, 30)
    summary = gst_summary(books.session, start, end, Basis.ACCRUAL)
    assert [(d.what, str(d.total), str(d.gst_free), str(d.gst)) for d in summary.sales] == [
        ("Bill reversed", "-55.00", "0.00", "-5.00"),
        ("Bill", "150.00", "40.00", "10.00"),
        ("Bill", "330.00", "0.00", "30.00"),
        ("Credit note", "-22.00", "0.00", "-2.00"),
        ("Receive money", "88.00", "0.00", "8.00"),
    ]
    assert [(d.what, str(d.total), str(d.gst_free), str(d.gst)) for d in summary.purchases] == [
        ("Spend money", "38.00", "5.00", "3.00"),
        ("Supplier invoice", "230.00", "10.00", "20.00"),
        ("Supplier credit note", "-44.00", "0.00", "-4.00"),
    ]
    assert summary.g1_total_sales == D("491.00") and summary.gst_free_sales == D("40.00")
    assert summary.gst_on_sales == D("41.00") == -movement(books, "2-1100", start, end)
    assert summary.g11_purchases == D("224.00") and summary.gst_on_purchases == D("19.00")
    assert summary.gst_on_purchases == movement(books, "2-1200", start, end)
    assert summary.ledger_collected == D("41.00") and summary.ledger_paid == D("19.00")
    assert summary.other_collected == Z == summary.other_paid
    assert summary.net_gst == D("22.00")


def test_the_gst_summary_on_the_cash_basis_counts_what_was_paid_in_proportion(books, office):
    _gst_books(books, office)
    get_practice(books.session).basis = Basis.CASH
    books.session.commit()
    summary = gst_summary(books.session, date(2026, 7, 1), date(2026, 9, 30))
    assert summary.basis == Basis.CASH
    assert [(d.what, str(d.total), str(d.gst_free), str(d.gst)) for d in summary.sales] == [
        ("Receive money", "88.00", "0.00", "8.00"),
        ("Payment received", "75.00", "20.00", "5.00"),
    ]
    assert [(d.what, str(d.total), str(d.gst_free), str(d.gst)) for d in summary.purchases] == [
        ("Spend money", "38.00", "5.00", "3.00"),
        ("Payment made", "115.00", "5.00", "10.00"),
    ]
    assert summary.net_gst == D("13.00") - D("13.00")


def test_a_general_journal_to_a_gst_account_is_shown_apart(books, office):
    office.bill("100.00", on=date(2026, 7, 5))
    books.journal({"2-1100": "3.00", "6-2400": "-3.00"}, on=date(2026, 7, 6))
    summary = gst_summary(books.session, date(2026, 7, 1), date(2026, 7, 31), Basis.ACCRUAL)
    assert summary.gst_on_sales == D("10.00") and summary.ledger_collected == D("7.00")
    assert summary.other_collected == D("-3.00")


@pytest.mark.parametrize("start, end, field", [
    (date(2026, 8, 1), date(2026, 7, 1), "start"), (None, date(2026, 7, 1), "start"),
    (date(2026, 7, 1), None, "end"),
])
def test_a_period_that_makes_no_sense_is_refused(books, start, end, field):
    with pytest.raises(LedgerError) as refused:
        gst_summary(books.session, start, end)
    assert refused.value.field == field


# ---------------------------------------------------------------- property

amounts = st.integers(min_value=1, max_value=200_000).map(lambda c: Decimal(c) / 100)
day = st.integers(0, 120)
operations = st.lists(st.one_of(
    st.tuples(st.just("bill"), amounts, st.sampled_from(list(TaxCode)), st.integers(0, 1), day,
              st.integers(0, 60)),
    st.tuples(st.just("pay"), st.integers(0, 20), amounts, day),
    st.tuples(st.just("credit_note"), amounts, st.integers(0, 1), day),
    st.tuples(st.just("apply"), st.integers(0, 20), st.integers(0, 20), amounts, day),
    st.tuples(st.just("refund"), st.integers(0, 20), amounts, day),
    st.tuples(st.just("write_off"), st.integers(0, 20), day),
    st.tuples(st.just("void"), st.integers(0, 20), day),
    st.tuples(st.just("invoice"), amounts, st.booleans(), day, st.integers(0, 60)),
    st.tuples(st.just("pay_invoice"), st.integers(0, 20), amounts, day),
    st.tuples(st.just("supplier_credit"), amounts, day),
    st.tuples(st.just("apply_supplier_credit"), st.integers(0, 20), st.integers(0, 20), amounts, day),
    st.tuples(st.just("void_invoice"), st.integers(0, 20), day),
), min_size=2, max_size=14)


def _nth(session, model, n):
    rows = session.scalars(select(model).order_by(model.id)).all()
    return rows[n % len(rows)] if rows else None


def _apply(books, office, operation):
    from accounting.office.suppliers import SupplierCredit, SupplierInvoice

    s, kind, args = books.session, operation[0], operation[1:]
    on = JULY + timedelta(days=args[-1] if kind not in ("bill", "invoice") else args[-2])
    bank = office.id("1-1000")
    if kind == "bill":
        amount, tax, who, _, due = args
        bill = billing.create_bill(s, None, matter_id=list(office.matters.values())[who].id, date=on,
                                   due_date=on + timedelta(days=due),
                                   lines=[BillLineInput("Work", D("1"), amount, office.id("4-1000"), tax)])
        billing.approve_bill(s, None, bill)
    elif kind == "credit_note":
        notes.create_credit_note(s, None, client_id=list(office.matters.values())[args[1]].client_id,
                                   date=on, lines=[BillLineInput("Less", D("1"), args[0],
                                                                 office.id("4-1000"), TaxCode.GST)])
    elif kind in ("pay", "write_off", "void"):
        bill = _nth(s, Bill, args[0])
        if bill is None:
            return
        if kind == "pay":
            billing.record_payment(s, None, bill.id, amount=min(args[1], bill.owed) or args[1], date=on,
                                   bank_account_id=bank)
        elif kind == "write_off":
            billing.write_off(s, None, bill.id, date=on)
        else:
            billing.void_bill(s, None, bill, on=on)
    elif kind == "apply":
        note, bill = _nth(s, CreditNote, args[0]), _nth(s, Bill, args[1])
        if note and bill:
            notes.apply_credit(s, None, note.id, date=on, amounts={bill.id: min(args[2], bill.owed,
                                                                                note.remaining) or args[2]})
    elif kind == "refund":
        note = _nth(s, CreditNote, args[0])
        if note:
            notes.refund_credit(s, None, note.id, amount=min(args[1], note.remaining) or args[1], date=on,
                                  bank_account_id=bank)
    elif kind == "invoice":
        amount, free, _, due = args
        invoice = create_invoice(s, books.admin, InvoiceDetails(
            office.supplier.id, f"R{s.scalar(select(Journal.id).order_by(Journal.id.desc()).limit(1)) or 0}-"
            f"{amount}", on, on + timedelta(days=due),
            [InvoiceLineInput("Paper", amount, office.id("6-2400"), free)]))
        approve_invoice(s, books.admin, invoice)
    elif kind == "pay_invoice":
        invoice = _nth(s, SupplierInvoice, args[0])
        if invoice:
            pay_invoice(s, books.admin, invoice.id, bank_account_id=bank, date=on,
                        amount=min(args[1], invoice.amount_owed) or args[1])
    elif kind == "supplier_credit":
        create_credit(s, books.admin, InvoiceDetails(
            office.supplier.id, f"C{s.scalar(select(Journal.id).order_by(Journal.id.desc()).limit(1)) or 0}",
            on, on, [InvoiceLineInput("Back", args[0], office.id("6-2400"))]))
    elif kind == "apply_supplier_credit":
        credit, invoice = _nth(s, SupplierCredit, args[0]), _nth(s, SupplierInvoice, args[1])
        if credit and invoice:
            apply_credit(s, books.admin, credit.id, {invoice.id: min(args[2], invoice.amount_owed,
                                                                     credit.remaining) or args[2]}, date=on)
    elif kind == "void_invoice":
        invoice = _nth(s, SupplierInvoice, args[0])
        if invoice:
            void_invoice(s, books.admin, invoice, date=on, reason="Property test")


def _reset(session):
    from accounting.office.suppliers import (
        SupplierCredit,
        SupplierCreditApplication,
        SupplierCreditLine,
        SupplierInvoice,
        SupplierInvoiceLine,
        SupplierPayment,
    )

    session.rollback()
    for model in (BillEvent, CreditRefund, BillLine, CreditNoteLine, Bill, CreditNote,
                  SupplierCreditApplication, SupplierPayment, SupplierInvoiceLine, SupplierCreditLine,
                  SupplierInvoice, SupplierCredit, BankTransaction, JournalLine):
        session.execute(delete(model))
    session.execute(update(Journal).values(reverses_id=None))
    session.execute(delete(Journal))
    bill_totals.rebuild(session)  # the bills went around the ORM
    session.commit()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations, as_at=st.integers(-5, 200))
def test_under_any_sequence_the_aged_reports_and_gst_agree_with_the_ledger(books, office, ops, as_at):
    _reset(books.session)
    for operation in ops:
        try:
            _apply(books, office, operation)
            books.session.commit()
        except LedgerError:
            books.session.rollback()
    on = JULY + timedelta(days=as_at)
    receivables = aged_receivables(books.session, on)
    assert receivables.total == ledger(books, "1-2000", on) and receivables.difference == Z
    payables = aged_payables(books.session, on)
    assert payables.total == -ledger(books, "2-1000", on) and payables.difference == Z
    for row in receivables.rows:
        client = books.session.get(Client, row.party_id)
        assert client_receivables(books.session, client, on, per_page=1000).buckets == row.buckets
    for report, page_of in ((receivables, aged_receivables_page), (payables, aged_payables_page)):
        assert_pages_match(books, report, page_of, on, per_page=1)
    with patch.object(office_reports, "MAX_TOUCHED_CLIENTS", -1):  # one query over every open bill
        assert_pages_match(books, receivables, aged_receivables_page, on, per_page=1)
    summary = gst_summary(books.session, JULY, on if on >= JULY else JULY, Basis.ACCRUAL)
    assert summary.other_collected == Z and summary.other_paid == Z


# ---------------------------------------------------------------- GST: undos on the cash basis
#
# The books of these tests, one quarter apart from the property test below:
#   bill 110.00 (100.00 + 10.00 GST) on 1 Jul, paid 55.00 on 10 Jul, that payment undone on 5 Aug;
#   supplier invoice 220.00 (200.00 + 20.00 GST), paid 110.00 on 15 Jul, undone on 3 Aug;
#   credit note 22.00 (20.00 + 2.00 GST), refunded in full on 10 Jul, the refund undone on 2 Aug.

AUGUST = date(2026, 8, 1)


def cash(books, start, end):
    return gst_summary(books.session, start, end, Basis.CASH)


def july(books):
    return cash(books, JULY, date(2026, 7, 31))


def august(books):
    return cash(books, AUGUST, date(2026, 8, 31))


def figures(summary):
    return (str(summary.g1_total_sales), str(summary.gst_free_sales), str(summary.gst_on_sales),
            str(summary.g11_purchases), str(summary.gst_on_purchases))


def listed(documents):
    return [(str(d.date), d.what, str(d.total), str(d.gst_free), str(d.gst), d.adjustment) for d in documents]


def _paid_bill(books, office):
    bill = office.bill("100.00", on=JULY)
    office.pay(bill, "55.00", on=date(2026, 7, 10))
    return bill, bill.events[-1]


def test_a_client_payment_undone_in_a_later_period_is_a_negative_adjustment_there(books, office):
    bill, payment = _paid_bill(books, office)
    before = july(books)
    assert listed(before.sales) == [("2026-07-10", "Payment received", "55.00", "0.00", "5.00", False)]
    billing.undo_event(books.session, books.admin, payment.id, date=date(2026, 8, 5), reason="Bounced")
    books.session.commit()

    assert figures(july(books)) == figures(before) == ("55.00", "0.00", "5.00", "0.00", "0.00")
    later = august(books)
    assert listed(later.sales) == [("2026-08-05", "Payment received undone", "-55.00", "0.00", "-5.00", True)]
    assert later.sales[0].number == bill.number and later.adjustments == later.sales
    assert figures(later) == ("-55.00", "0.00", "-5.00", "0.00", "0.00") and later.net_gst == D("-5.00")
    # The whole quarter: received and given back, so nothing.
    assert figures(cash(books, JULY, date(2026, 9, 30))) == ("0.00", "0.00", "0.00", "0.00", "0.00")


def test_a_payment_undone_in_its_own_period_shows_both_and_counts_nothing(books, office):
    _, payment = _paid_bill(books, office)
    billing.undo_event(books.session, books.admin, payment.id, date=date(2026, 7, 20), reason="Bounced")
    books.session.commit()
    summary = july(books)
    assert listed(summary.sales) == [
        ("2026-07-10", "Payment received", "55.00", "0.00", "5.00", False),
        ("2026-07-20", "Payment received undone", "-55.00", "0.00", "-5.00", False)]
    assert summary.gst_on_sales == Z and summary.adjustments == []


def test_a_part_payment_undone_later_takes_back_exactly_the_gst_it_counted(books, office):
    bill = office.bill("100.00", on=JULY, free="33.33")    # 143.33: GST 10.00, GST-free 33.33
    office.pay(bill, "47.77", on=date(2026, 7, 3))
    office.pay(bill, "50.00", on=date(2026, 7, 4))
    first = bill.events[-2]
    billing.undo_event(books.session, books.admin, first.id, date=date(2026, 8, 9), reason="Bounced")
    books.session.commit()
    counted = [d for d in july(books).sales if d.date == date(2026, 7, 3)][0]
    assert (str(counted.gst_free), str(counted.gst)) == ("11.11", "3.33")
    assert listed(august(books).sales) == [
        ("2026-08-09", "Payment received undone", "-47.77", "-11.11", "-3.33", True)]


def test_a_supplier_payment_undone_in_a_later_period_is_a_negative_adjustment_there(books, office):
    from accounting.office.suppliers import SupplierPayment, undo_payment

    invoice = office.invoice("200.00", JULY, date(2026, 7, 31), "S-9")
    pay_invoice(books.session, books.admin, invoice.id, bank_account_id=office.id("1-1000"),
                date=date(2026, 7, 15), amount=D("110.00"))
    books.session.commit()
    before = july(books)
    payment = books.session.scalars(select(SupplierPayment)).one()
    undo_payment(books.session, books.admin, payment.id, date=date(2026, 8, 3), reason="Stopped")
    books.session.commit()

    assert figures(july(books)) == figures(before) == ("0.00", "0.00", "0.00", "110.00", "10.00")
    later = august(books)
    assert listed(later.purchases) == [
        ("2026-08-03", "Payment made undone", "-110.00", "0.00", "-10.00", True)]
    assert figures(later) == ("0.00", "0.00", "0.00", "-110.00", "-10.00") and later.net_gst == D("10.00")


def test_a_credit_refund_undone_in_a_later_period_is_an_adjustment_there(books, office):
    note = office.credit_note("20.00", on=JULY)
    refund = notes.refund_credit(books.session, books.admin, note.id, amount=D("22.00"),
                                   date=date(2026, 7, 10), bank_account_id=office.id("1-1000"))
    books.session.commit()
    assert listed(july(books).sales) == [("2026-07-10", "Credit refunded", "-22.00", "0.00", "-2.00", False)]
    notes.undo_refund(books.session, books.admin, refund.id, date=date(2026, 8, 2), reason="Cheque lost")
    books.session.commit()

    assert figures(july(books)) == ("-22.00", "0.00", "-2.00", "0.00", "0.00")
    assert listed(august(books).sales) == [
        ("2026-08-02", "Credit refunded undone", "22.00", "0.00", "2.00", True)]
    assert figures(august(books)) == ("22.00", "0.00", "2.00", "0.00", "0.00")


@pytest.mark.parametrize("basis", [Basis.CASH, Basis.ACCRUAL])
def test_receive_and_spend_money_reversed_later_are_adjustments_in_the_later_period(books, office, basis):
    from accounting.office.banking import reverse_bank_transaction

    deposit = record_bank_transaction(
        books.session, books.admin, kind=BankTransactionKind.DEPOSIT, bank_account_id=office.id("1-1000"),
        date=date(2026, 7, 12), lines=[MoneyLine(office.id("4-2000"), D("80.00"), TaxCode.GST)])
    spent = record_bank_transaction(
        books.session, books.admin, kind=BankTransactionKind.WITHDRAWAL, bank_account_id=office.id("1-1000"),
        date=date(2026, 7, 13), lines=[MoneyLine(office.id("6-2400"), D("30.00"), TaxCode.GST),
                                       MoneyLine(office.id("5-1000"), D("5.00"), TaxCode.GST_FREE)])
    books.session.commit()
    for transaction in (deposit, spent):
        reverse_bank_transaction(books.session, books.admin, transaction, date=date(2026, 8, 20),
                                 reason="Entered twice")
    books.session.commit()
    july_now = gst_summary(books.session, JULY, date(2026, 7, 31), basis)
    assert figures(july_now) == ("88.00", "0.00", "8.00", "38.00", "3.00")
    later = gst_summary(books.session, AUGUST, date(2026, 8, 31), basis)
    assert listed(later.sales) == [("2026-08-20", "Receive money reversed", "-88.00", "0.00", "-8.00", True)]
    assert listed(later.purchases) == [
        ("2026-08-20", "Spend money reversed", "-38.00", "-5.00", "-3.00", True)]
    if basis == Basis.ACCRUAL:
        assert later.other_collected == Z == later.other_paid  # still the ledger's own movement


def test_a_reversal_in_the_same_period_is_no_adjustment(books, office):
    from accounting.office.banking import reverse_bank_transaction

    deposit = record_bank_transaction(
        books.session, books.admin, kind=BankTransactionKind.DEPOSIT, bank_account_id=office.id("1-1000"),
        date=date(2026, 7, 12), lines=[MoneyLine(office.id("4-2000"), D("80.00"), TaxCode.GST)])
    reverse_bank_transaction(books.session, books.admin, deposit, date=date(2026, 7, 14), reason="Twice")
    books.session.commit()
    summary = july(books)
    assert [d.adjustment for d in summary.sales] == [False, False] and summary.gst_on_sales == Z


# ---------------------------------------------------------------- GST: money that is no sale
#
# G1 is total sales, GST-free sales included (G3), but a loan or capital put in is no sale at all:
# a GST-free receive-money line to a liability, equity or asset account is left out of G1 and G3
# (and a GST-free spend-money line to one, such as drawings or a loan repaid, out of G11).


def _loan_account(books):
    from accounting.ledger.accounts import Account, AccountType

    loan = Account(code="2-3000", name="Bank Loan", type=AccountType.TERMLIAB)
    books.session.add(loan)
    books.session.flush()
    return loan


@pytest.mark.parametrize("basis", [Basis.CASH, Basis.ACCRUAL])
def test_receive_money_counts_in_g1_only_what_is_a_sale(books, office, basis):
    loan = _loan_account(books)
    record_bank_transaction(
        books.session, books.admin, kind=BankTransactionKind.DEPOSIT, bank_account_id=office.id("1-1000"),
        date=date(2026, 7, 12), contact="Smith", lines=[
            MoneyLine(office.id("4-1000"), D("100.00"), TaxCode.GST),         # a sale: 110.00, GST 10.00
            MoneyLine(office.id("4-3000"), D("5.00"), TaxCode.GST_FREE),      # interest: a GST-free sale
            MoneyLine(office.id("3-1000"), D("1000.00"), TaxCode.GST_FREE),   # capital put in: no sale
        ])
    record_bank_transaction(
        books.session, books.admin, kind=BankTransactionKind.DEPOSIT, bank_account_id=office.id("1-1000"),
        date=date(2026, 7, 13), contact="Westpac", lines=[MoneyLine(loan.id, D("5000.00"), TaxCode.GST_FREE)])
    books.session.commit()
    summary = gst_summary(books.session, JULY, date(2026, 7, 31), basis)
    assert [(d.what, str(d.total), str(d.gst_free), str(d.gst), str(d.excluded)) for d in summary.sales] == [
        ("Receive money", "115.00", "5.00", "10.00", "1000.00"),
        ("Receive money", "0.00", "0.00", "0.00", "5000.00")]
    assert figures(summary)[:3] == ("115.00", "5.00", "10.00")


def test_spend_money_counts_in_g11_only_what_is_a_purchase(books, office):
    loan = _loan_account(books)
    record_bank_transaction(
        books.session, books.admin, kind=BankTransactionKind.WITHDRAWAL, bank_account_id=office.id("1-1000"),
        date=date(2026, 7, 12), contact="Owner", lines=[
            MoneyLine(office.id("6-2400"), D("30.00"), TaxCode.GST),          # 33.00, GST 3.00
            MoneyLine(office.id("6-2600"), D("4.00"), TaxCode.GST_FREE),      # bank fees: GST-free purchase
            MoneyLine(office.id("3-2000"), D("500.00"), TaxCode.GST_FREE),    # drawings: no purchase
            MoneyLine(loan.id, D("250.00"), TaxCode.GST_FREE),                # loan repaid: no purchase
            MoneyLine(office.id("1-3000"), D("900.00"), TaxCode.GST),         # equipment: taxable (990.00)
        ])
    books.session.commit()
    summary = july(books)
    assert [(str(d.total), str(d.gst_free), str(d.gst), str(d.excluded)) for d in summary.purchases] == [
        ("1027.00", "4.00", "93.00", "750.00")]
    assert figures(summary)[3:] == ("1027.00", "93.00")


def test_money_that_is_no_sale_reversed_later_is_left_out_of_the_adjustment_too(books, office):
    from accounting.office.banking import reverse_bank_transaction

    deposit = record_bank_transaction(
        books.session, books.admin, kind=BankTransactionKind.DEPOSIT, bank_account_id=office.id("1-1000"),
        date=date(2026, 7, 12), lines=[MoneyLine(office.id("4-1000"), D("100.00"), TaxCode.GST),
                                       MoneyLine(office.id("3-1000"), D("300.00"), TaxCode.GST_FREE)])
    reverse_bank_transaction(books.session, books.admin, deposit, date=date(2026, 8, 2), reason="Wrong bank")
    books.session.commit()
    [reversed_] = august(books).sales
    assert (str(reversed_.total), str(reversed_.gst), str(reversed_.excluded)) == (
        "-110.00", "-10.00", "-300.00")
    assert july(books).g1_total_sales == D("110.00")


# ---------------------------------------------------------------- GST cash basis: property
#
# Operations happen in date order, as in real life: each month's cash-basis figures are taken when
# the month is over (as if lodged) and must be the same when asked again at the end; over all the
# months, 1A is exactly the GST in the money still received (payments not undone, less refunds not
# undone, plus receive money not reversed), and 1B likewise for money paid.

cash_operations = st.lists(st.tuples(st.integers(0, 25), st.one_of(  # (days after the last, operation)
    st.tuples(st.just("bill"), amounts, amounts | st.just(Z)),
    st.tuples(st.just("pay"), st.integers(0, 20), amounts),
    st.tuples(st.just("undo_payment"), st.integers(0, 20)),
    st.tuples(st.just("credit_note"), amounts),
    st.tuples(st.just("refund"), st.integers(0, 20), amounts),
    st.tuples(st.just("undo_refund"), st.integers(0, 20)),
    st.tuples(st.just("deposit"), amounts, st.booleans(), st.booleans()),
    st.tuples(st.just("reverse_deposit"), st.integers(0, 20)),
    st.tuples(st.just("invoice"), amounts),
    st.tuples(st.just("pay_invoice"), st.integers(0, 20), amounts),
    st.tuples(st.just("undo_supplier_payment"), st.integers(0, 20)),
)), min_size=2, max_size=16)


def _apply_cash(books, office, kind, args, on):
    from accounting.office.banking import reverse_bank_transaction
    from accounting.office.suppliers import SupplierInvoice, SupplierPayment, undo_payment

    s, bank = books.session, office.id("1-1000")
    if kind == "bill":
        lines = [BillLineInput("Work", D("1"), args[0], office.id("4-1000"), TaxCode.GST)]
        if args[1]:
            lines.append(BillLineInput("Search", D("1"), args[1], office.id("4-2000"), TaxCode.GST_FREE))
        bill = billing.create_bill(s, None, matter_id=office.matters["Acme Pty Ltd"].id, date=on,
                                   due_date=on, lines=lines)
        billing.approve_bill(s, None, bill)
    elif kind == "pay" and (bill := _nth(s, Bill, args[0])):
        billing.record_payment(s, None, bill.id, amount=min(args[1], bill.owed) or args[1], date=on,
                               bank_account_id=bank)
    elif kind == "undo_payment" and (event := _nth(s, BillEvent, args[0])):
        billing.undo_event(s, None, event.id, date=on, reason="Property test")
    elif kind == "credit_note":
        office.credit_note(args[0], on)
    elif kind == "refund" and (note := _nth(s, CreditNote, args[0])):
        notes.refund_credit(s, None, note.id, amount=min(args[1], note.remaining) or args[1], date=on,
                              bank_account_id=bank)
    elif kind == "undo_refund" and (refund := _nth(s, CreditRefund, args[0])):
        notes.undo_refund(s, None, refund.id, date=on, reason="Property test")
    elif kind == "deposit":
        account = office.id("4-2000" if args[2] else "3-1000")  # a sale, or capital put in
        tax = TaxCode.GST if args[1] else TaxCode.GST_FREE
        record_bank_transaction(s, None, kind=BankTransactionKind.DEPOSIT, bank_account_id=bank, date=on,
                                lines=[MoneyLine(account, args[0], tax)])
    elif kind == "reverse_deposit" and (deposit := _nth(s, BankTransaction, args[0])):
        reverse_bank_transaction(s, None, deposit, date=on, reason="Property test")
    elif kind == "invoice":
        office.invoice(args[0], on, on, f"P{s.scalar(select(func.count()).select_from(SupplierInvoice))}")
    elif kind == "pay_invoice" and (invoice := _nth(s, SupplierInvoice, args[0])):
        pay_invoice(s, books.admin, invoice.id, bank_account_id=bank, date=on,
                    amount=min(args[1], invoice.amount_owed) or args[1])
    elif kind == "undo_supplier_payment" and (payment := _nth(s, SupplierPayment, args[0])):
        undo_payment(s, None, payment.id, date=on, reason="Property test")


def _month(on):
    start = on.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _gst_in_money_kept(books):
    """1A and 1B from the documents directly: the GST share of every payment, refund and receive
    money that was not undone."""
    from accounting.office.banking import BankStatus
    from accounting.office.suppliers import SupplierPayment

    s = books.session
    share = office_reports._share
    collected = sum((share(e.amount, e.bill.total, e.bill.gst) for e in s.scalars(select(BillEvent))
                     if e.kind == EventKind.PAYMENT and e.undone_by is None), Z)
    collected -= sum((share(r.amount, r.credit_note.total, r.credit_note.gst)
                      for r in s.scalars(select(CreditRefund)) if not r.undone), Z)
    collected += sum((t.gst for t in s.scalars(select(BankTransaction))
                      if t.status != BankStatus.REVERSED), Z)
    paid = sum((share(p.amount, p.invoice.total, p.invoice.gst) for p in s.scalars(select(SupplierPayment))
                if not p.undone), Z)
    return collected, paid


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=cash_operations)
def test_under_any_sequence_a_lodged_month_never_changes_and_cash_gst_adds_up(books, office, ops):
    from accounting.office.banking import BankTransactionLine

    books.session.rollback()
    books.session.execute(delete(BankTransactionLine))  # the one table _reset does not know
    books.session.commit()
    _reset(books.session)
    on, lodged = JULY, {}
    for days, (kind, *args) in ops:
        later = on + timedelta(days=days)
        while _month(on)[0] < _month(later)[0]:  # a month is over: lodge it
            lodged[_month(on)] = figures(cash(books, *_month(on)))
            on = _month(on)[1] + timedelta(days=1)
        on = later
        try:
            _apply_cash(books, office, kind, args, on)
            books.session.commit()
        except LedgerError:
            books.session.rollback()
    months = [_month(JULY)]
    while months[-1][1] < on:
        months.append(_month(months[-1][1] + timedelta(days=1)))
    now = {month: cash(books, *month) for month in months}
    for month, figures_then in lodged.items():
        assert figures(now[month]) == figures_then, f"{month[0]:%b %Y} changed after it was lodged"
    collected, paid = _gst_in_money_kept(books)
    assert sum((m.gst_on_sales for m in now.values()), Z) == collected
    assert sum((m.gst_on_purchases for m in now.values()), Z) == paid
    whole = cash(books, JULY, on)
    assert (whole.gst_on_sales, whole.gst_on_purchases) == (collected, paid)
