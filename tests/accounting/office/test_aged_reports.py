"""Aged receivables and aged payables: exact figures from small books, and the rule that each (and
the GST summary with them) agrees with its ledger account (by example and under random sequences)."""

from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from accounting.errors import LedgerError
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.practice import Basis
from accounting.ledger.reports import account_balances
from accounting.ledger.tax import TaxCode
from accounting.office import aged_reports as office_reports
from accounting.office import bill_totals, billing, credit_notes
from accounting.office.aged_reports import (
    Bucket,
    aged_payables,
    aged_payables_page,
    aged_receivables,
    aged_receivables_page,
    bucket_of,
    client_receivables,
    supplier_payables,
)
from accounting.office.bank_transactions import (
    BankTransaction,
)
from accounting.office.bills import (
    Bill,
    BillEvent,
    BillLine,
    BillLineInput,
    CreditNote,
    CreditNoteLine,
    CreditRefund,
)
from accounting.office.gst_report import gst_summary
from accounting.office.supplier_credits import apply_credit, create_credit
from accounting.office.supplier_invoices import (
    InvoiceDetails,
    InvoiceLineInput,
    approve_invoice,
    create_invoice,
    pay_invoice,
    void_invoice,
)
from accounting.office.suppliers import SupplierDetails, save_supplier
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
        note = credit_notes.create_credit_note(
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
    credit_notes.apply_credit(books.session, books.admin, note.id, date=date(2026, 8, 25),
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
    billing.void_bill(books.session, books.admin, bill, on=date(2026, 8, 15), reason="Test correction")
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
    from accounting.office.supplier_documents import SupplierCredit, SupplierInvoice

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
        credit_notes.create_credit_note(s, None, client_id=list(office.matters.values())[args[1]].client_id,
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
            billing.write_off(s, None, bill.id, date=on, reason="Test correction")
        else:
            billing.void_bill(s, None, bill, on=on, reason="Test correction")
    elif kind == "apply":
        note, bill = _nth(s, CreditNote, args[0]), _nth(s, Bill, args[1])
        if note and bill:
            credit_notes.apply_credit(s, None, note.id, date=on, amounts={bill.id: min(args[2], bill.owed,
                                                                                note.remaining) or args[2]})
    elif kind == "refund":
        note = _nth(s, CreditNote, args[0])
        if note:
            credit_notes.refund_credit(s, None, note.id, amount=min(args[1], note.remaining) or args[1],
                                       date=on,
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
    from accounting.office.supplier_documents import (
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
