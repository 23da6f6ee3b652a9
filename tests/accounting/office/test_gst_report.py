"""The GST summary: exact figures from small books, and the rule that it agrees with its ledger
accounts (by example and under random sequences), on the accrual and the cash basis."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from accounting.errors import InvalidAccount, LedgerError
from accounting.ledger.practice import Basis, get_practice
from accounting.ledger.tax import TaxCode
from accounting.office import billing, credit_notes
from accounting.office import gst_report as office_reports
from accounting.office.bank_transactions import (
    BankTransaction,
    BankTransactionKind,
    MoneyLine,
    record_bank_transaction,
)
from accounting.office.bills import Bill, BillEvent, BillLineInput, CreditNote, CreditRefund
from accounting.office.gst_report import gst_summary
from accounting.office.supplier_credits import create_credit
from accounting.office.supplier_invoices import (
    InvoiceDetails,
    InvoiceLineInput,
    pay_invoice,
)
from tests.accounting.office.test_aged_reports import (
    JULY,
    Office,
    Z,
    _nth,
    _reset,
    amounts,
    movement,
)

D = Decimal


@pytest.fixture
def office(books):
    return Office(books)


def _gst_books(books, office):
    bill = office.bill("100.00", on=date(2026, 7, 5), free="40.00")     # 150 = 110 + 40 GST-free
    office.bill("300.00", on=date(2026, 7, 6))                          # 330
    voided = office.bill("50.00", on=date(2026, 6, 20))                 # before the period: 55
    # -55 in the period
    billing.void_bill(books.session, books.admin, voided, on=date(2026, 7, 2), reason="Test correction")
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


def test_a_general_journal_to_a_gst_account_is_refused_so_the_summary_agrees(books, office):
    office.bill("100.00", on=date(2026, 7, 5))
    with pytest.raises(InvalidAccount, match="GST Collected is a control account"):
        books.journal({"2-1100": "3.00", "6-2400": "-3.00"}, on=date(2026, 7, 6))
    summary = gst_summary(books.session, date(2026, 7, 1), date(2026, 7, 31), Basis.ACCRUAL)
    assert summary.gst_on_sales == summary.ledger_collected == D("10.00")
    assert summary.other_collected == D("0.00")


@pytest.mark.parametrize("start, end, field", [
    (date(2026, 8, 1), date(2026, 7, 1), "start"), (None, date(2026, 7, 1), "start"),
    (date(2026, 7, 1), None, "end"),
])
def test_a_period_that_makes_no_sense_is_refused(books, start, end, field):
    with pytest.raises(LedgerError) as refused:
        gst_summary(books.session, start, end)
    assert refused.value.field == field


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
    from accounting.office.supplier_documents import SupplierPayment
    from accounting.office.supplier_invoices import undo_payment

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
    refund = credit_notes.refund_credit(books.session, books.admin, note.id, amount=D("22.00"),
                                   date=date(2026, 7, 10), bank_account_id=office.id("1-1000"))
    books.session.commit()
    assert listed(july(books).sales) == [("2026-07-10", "Credit refunded", "-22.00", "0.00", "-2.00", False)]
    credit_notes.undo_refund(books.session, books.admin, refund.id, date=date(2026, 8, 2),
                             reason="Cheque lost")
    books.session.commit()

    assert figures(july(books)) == ("-22.00", "0.00", "-2.00", "0.00", "0.00")
    assert listed(august(books).sales) == [
        ("2026-08-02", "Credit refunded undone", "22.00", "0.00", "2.00", True)]
    assert figures(august(books)) == ("22.00", "0.00", "2.00", "0.00", "0.00")


@pytest.mark.parametrize("basis", [Basis.CASH, Basis.ACCRUAL])
def test_receive_and_spend_money_reversed_later_are_adjustments_in_the_later_period(books, office, basis):
    from accounting.office.bank_transactions import reverse_bank_transaction

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
    from accounting.office.bank_transactions import reverse_bank_transaction

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
    from accounting.office.bank_transactions import reverse_bank_transaction

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
    from accounting.office.bank_transactions import reverse_bank_transaction
    from accounting.office.supplier_documents import SupplierInvoice, SupplierPayment
    from accounting.office.supplier_invoices import undo_payment

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
        credit_notes.refund_credit(s, None, note.id, amount=min(args[1], note.remaining) or args[1], date=on,
                              bank_account_id=bank)
    elif kind == "undo_refund" and (refund := _nth(s, CreditRefund, args[0])):
        credit_notes.undo_refund(s, None, refund.id, date=on, reason="Property test")
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
    from accounting.office.bank_transactions import BankStatus
    from accounting.office.supplier_documents import SupplierPayment

    s = books.session
    share = office_reports._share
    collected = sum((share(e.amount, e.bill.total, e.bill.gst) for e in s.scalars(select(BillEvent))
                     if e.kind == billing.EventKind.PAYMENT and e.undone_by is None), Z)
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
    from accounting.office.bank_transactions import BankTransactionLine

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
