"""Supplier bills under random sequences of invoices, payments, voids and their corrections:
undone payments and credit applications, voided credit notes (hypothesis).

Whatever is approved, paid (in part, in full, or refused for asking too much), credited and
voided: the trial balance sums to zero, every invoice's amount owed equals its total less its
payments and credits applied, and accounts payable holds exactly what is owed on the invoices less
the credit not yet applied.
"""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from accounting.errors import LedgerError
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.reports import account_balances
from accounting.money import ZERO
from accounting.office.supplier_credits import (
    apply_credit,
    create_credit,
    undo_credit_application,
    void_credit,
)
from accounting.office.supplier_documents import (
    InvoiceStatus,
    SupplierCredit,
    SupplierCreditApplication,
    SupplierCreditLine,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierPayment,
)
from accounting.office.supplier_invoices import (
    InvoiceDetails,
    InvoiceLineInput,
    approve_invoice,
    create_invoice,
    pay_invoice,
    undo_payment,
    void_invoice,
)
from accounting.office.suppliers import SupplierDetails, save_supplier

START = date(2026, 7, 1)
EXPENSES = ["6-2400", "5-1000", "6-2000", "1-3000"]
REFS = count(1)

line = st.tuples(st.integers(1, 2_000_000), st.sampled_from(EXPENSES), st.booleans())
operations = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), st.lists(line, min_size=1, max_size=4), st.integers(0, 20)),
        st.tuples(st.just("pay"), st.integers(0, 50), st.integers(1, 3_000_000)),
        st.tuples(st.just("pay_rest"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("void"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("credit"), st.integers(0, 50), st.integers(1, 3_000_000)),
        st.tuples(st.just("undo_payment"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("undo_credit"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("void_credit"), st.integers(0, 50), st.just(0)),
    ),
    min_size=1, max_size=12,
)


def _reset(session):
    session.rollback()
    for model in (SupplierPayment, SupplierCreditApplication, SupplierCreditLine, SupplierCredit,
                  SupplierInvoiceLine, SupplierInvoice, JournalLine):
        session.execute(delete(model))
    session.execute(delete(Journal).where(Journal.reverses_id.is_not(None)))
    session.execute(delete(Journal))
    session.commit()


def _open_invoices(session):
    return session.scalars(select(SupplierInvoice).where(
        SupplierInvoice.status != InvoiceStatus.VOIDED).order_by(SupplierInvoice.id)).all()


def _apply(session, books, supplier, operation):
    kind, a, b = operation
    if kind == "invoice":
        invoice = create_invoice(session, books.admin, InvoiceDetails(
            supplier.id, f"R{next(REFS)}", START + timedelta(days=b), START + timedelta(days=b + 30),
            [InvoiceLineInput("x", Decimal(cents) / 100, books.account(code).id, free)
             for cents, code, free in a]))
        approve_invoice(session, books.admin, invoice)
        return
    if kind in ("undo_payment", "undo_credit", "void_credit"):
        model = {"undo_payment": SupplierPayment, "undo_credit": SupplierCreditApplication,
                 "void_credit": SupplierCredit}[kind]
        rows = session.scalars(select(model).order_by(model.id)).all()
        if rows:
            act = {"undo_payment": undo_payment, "undo_credit": undo_credit_application,
                   "void_credit": void_credit}[kind]
            act(session, books.admin, rows[a % len(rows)].id, date=START + timedelta(days=60),
                reason="Random")
        return
    invoices = _open_invoices(session)
    if not invoices:
        return
    invoice = invoices[a % len(invoices)]
    if kind == "credit":  # a credit note of b cents, as much of it as fits applied to the invoice
        credit = create_credit(session, books.admin, InvoiceDetails(
            supplier.id, f"C{next(REFS)}", invoice.date, invoice.date,
            [InvoiceLineInput("back", Decimal(b) / 100, books.account("6-2400").id, True)]))
        amount = min(credit.remaining, invoice.amount_owed)
        if amount:
            apply_credit(session, books.admin, credit.id, {invoice.id: amount}, date=invoice.date)
        return
    if kind == "void":
        void_invoice(session, books.admin, invoice, date=invoice.date, reason="Random")
        return
    amount = invoice.amount_owed if kind == "pay_rest" else Decimal(b) / 100
    pay_invoice(session, books.admin, invoice.id, bank_account_id=books.account("1-1000").id,
                date=invoice.date + timedelta(days=5), amount=amount)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_books_balance_and_owed_is_total_less_payments_and_credits(books, db_session, ops):
    _reset(db_session)
    supplier = save_supplier(db_session, books.admin, SupplierDetails(name=f"S{next(REFS)}"))
    db_session.commit()
    for operation in ops:
        try:
            with db_session.begin_nested():
                _apply(db_session, books, supplier, operation)
        except LedgerError:
            pass  # a refusal (overpaying, voiding a paid invoice, ...) must change nothing
        db_session.expire_all()
        assert (db_session.scalar(select(func.sum(JournalLine.amount))) or ZERO) == ZERO
        owed_total = ZERO
        for invoice in db_session.scalars(select(SupplierInvoice)).all():
            payments = sum((p.amount for p in invoice.payments if not p.undone), ZERO)
            credits = sum((c.amount for c in invoice.credits if c.undone_on is None), ZERO)
            assert invoice.paid == payments and invoice.credited == credits
            if invoice.status == InvoiceStatus.VOIDED:
                assert invoice.amount_owed == ZERO and payments == credits == ZERO
            else:
                assert invoice.amount_owed == invoice.total - payments - credits >= ZERO
                assert invoice.total == invoice.subtotal + invoice.gst
                expected = (InvoiceStatus.PAID if invoice.amount_owed == ZERO else
                            InvoiceStatus.PART_PAID if payments or credits else
                            InvoiceStatus.AWAITING_PAYMENT)
                assert invoice.status == expected
                owed_total += invoice.amount_owed
        payable = account_balances(db_session, START + timedelta(days=400)).get(
            books.account("2-1000").id, ZERO)
        unapplied = sum((c.remaining for c in db_session.scalars(select(SupplierCredit))), ZERO)
        assert -payable == owed_total - unapplied
    db_session.commit()
