"""The GST summary (the figures of a BAS): GST on sales and purchases in a period, on the accrual
or the cash basis, from the documents that carry GST.

Invariants this report keeps:

- The GST summary's GST on sales (1A) and GST on purchases (1B) on the accrual basis are the
  movements of the GST Collected and GST Paid accounts in the period, taken from the documents'
  own journals (a reversal counts, negated, on its own date). Those accounts are control accounts
  (ledger.accounts.CONTROL_ROLES): a general journal cannot post to them, so on new books nothing
  else moves them; anything older that did is shown apart, never folded in silently.
- On the cash basis a payment, refund or receive / spend money counts in the period the money moved,
  and an undo of it (its journal reversed) counts negated in the period of the undo, flagged as an
  adjustment when the original was counted in an earlier period. A period's figures therefore never
  change when something is undone later (the ATO's adjustment in the later period), and over all
  periods every undone payment nets to zero.
- G1 and G11 count supplies only: a receive / spend money line that carries no GST and is not to an
  income account (sales) or an expense account (purchases), such as a loan, a capital contribution,
  drawings or a bond, is shown as "not a sale / purchase" and left out of every figure.
- A line's tax code (ledger.tax.TaxCode) places it, whatever the document: GST-free in G3 (sales),
  input-taxed in G4 (sales; purchases listed), BAS-excluded out of G1 and G11 and listed apart.
  On the cash basis the input-taxed share of a bill's payment is not yet split out (it stays in
  G1 only).

Sums are taken in SQL over integer cents, as the aged reports' are.
"""

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from accounting.errors import LedgerError
from accounting.ledger.accounts import Account, AccountClass, AccountRole, account_for_role
from accounting.ledger.journals import Journal, JournalLine
from accounting.ledger.practice import Basis, get_practice
from accounting.ledger.tax import TaxCode
from accounting.money import CENT, ZERO, from_cents
from accounting.office.aged_reports import signed, sql_cents
from accounting.office.bank_transactions import BankTransaction, BankTransactionKind, BankTransactionLine
from accounting.office.bills import (
    Bill,
    BillEvent,
    BillLine,
    CreditNote,
    CreditNoteLine,
    CreditRefund,
    EventKind,
)
from accounting.office.supplier_documents import (
    SupplierCredit,
    SupplierCreditLine,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierPayment,
)


class Side(enum.StrEnum):
    """Which half of the summary a document counts in: sales (1A, G1) or purchases (1B, G11)."""

    SALES = "sales"
    PURCHASES = "purchases"


@dataclass(frozen=True)
class GstDocument:
    """One document's part in the period: amounts signed (a credit note or reversal is negative)."""

    side: Side
    kind: str  # "bill", "credit_note", "bank_transaction", "supplier_invoice", "supplier_credit"
    id: int
    date: date
    what: str  # "Bill", "Bill reversed", "Payment received (40%)", ...
    number: str
    party: str
    total: Decimal  # GST-inclusive
    gst_free: Decimal
    gst: Decimal
    # BAS-excluded lines, and receive / spend money to accounts that are no supply (a loan,
    # capital, drawings): in no figure.
    excluded: Decimal = ZERO
    # An undo or reversal of something counted in an earlier period: the adjustment made in this one.
    adjustment: bool = False
    # Input-taxed lines (financial supplies such as interest): in G1 and G4, never in 1A or 1B.
    input_taxed: Decimal = ZERO


@dataclass
class GstSummary:
    """A period's GST figures on one basis, with the documents they come from and the GST
    accounts' own movements (what the figures are checked against)."""

    start: date
    end: date
    basis: Basis
    documents: list[GstDocument]
    ledger_collected: Decimal  # GST Collected's movement in the period (credits positive)
    ledger_paid: Decimal  # GST Paid's movement in the period (debits positive)
    sales: list[GstDocument] = field(init=False)
    purchases: list[GstDocument] = field(init=False)

    def __post_init__(self):
        self.documents.sort(key=lambda d: (d.date, d.number, d.what))
        self.sales = [d for d in self.documents if d.side == Side.SALES]
        self.purchases = [d for d in self.documents if d.side == Side.PURCHASES]

    @property
    def g1_total_sales(self) -> Decimal:
        return sum((d.total for d in self.sales), ZERO)

    @property
    def gst_free_sales(self) -> Decimal:
        return sum((d.gst_free for d in self.sales), ZERO)

    @property
    def input_taxed_sales(self) -> Decimal:  # G4
        return sum((d.input_taxed for d in self.sales), ZERO)

    @property
    def excluded_sales(self) -> Decimal:
        """BAS-excluded and non-supply receipts: listed, in no BAS figure."""
        return sum((d.excluded for d in self.sales), ZERO)

    @property
    def excluded_purchases(self) -> Decimal:
        return sum((d.excluded for d in self.purchases), ZERO)

    @property
    def input_taxed_purchases(self) -> Decimal:
        return sum((d.input_taxed for d in self.purchases), ZERO)

    @property
    def gst_on_sales(self) -> Decimal:  # 1A
        return sum((d.gst for d in self.sales), ZERO)

    @property
    def g11_purchases(self) -> Decimal:
        return sum((d.total for d in self.purchases), ZERO)

    @property
    def gst_free_purchases(self) -> Decimal:
        return sum((d.gst_free for d in self.purchases), ZERO)

    @property
    def gst_on_purchases(self) -> Decimal:  # 1B
        return sum((d.gst for d in self.purchases), ZERO)

    @property
    def net_gst(self) -> Decimal:
        """1A less 1B: positive is payable to the ATO, negative is a refund."""
        return self.gst_on_sales - self.gst_on_purchases

    @property
    def adjustments(self) -> list[GstDocument]:
        """Undos and reversals in the period of what an earlier period counted."""
        return [d for d in self.documents if d.adjustment]

    @property
    def other_collected(self) -> Decimal:
        """Posted to GST Collected in the period by journals that are not documents (accrual)."""
        return self.ledger_collected - self.gst_on_sales if self.basis == Basis.ACCRUAL else ZERO

    @property
    def other_paid(self) -> Decimal:
        return self.ledger_paid - self.gst_on_purchases if self.basis == Basis.ACCRUAL else ZERO


@dataclass(frozen=True)
class _Source:
    """A GST-bearing document as its own journal posted it."""

    side: Side
    kind: str
    id: int
    what: str
    number: str
    party: str
    sign: int  # -1 for documents that take sales or purchases back (credit notes)
    total: Decimal
    gst_free: Decimal
    gst: Decimal
    excluded: Decimal = ZERO
    input_taxed: Decimal = ZERO


def _by_code(session: Session, line_model, parent_column, ids: set[int]) -> dict[int, dict[TaxCode, Decimal]]:
    """Per document: its lines' GST-exclusive amounts by tax code (codes without lines absent)."""
    found: dict[int, dict[TaxCode, Decimal]] = {}
    if not ids:
        return found
    for parent, code, cents in session.execute(
            select(parent_column, line_model.tax, func.sum(sql_cents(line_model.amount)))
            .where(parent_column.in_(ids)).group_by(parent_column, line_model.tax)):
        found.setdefault(parent, {})[TaxCode(code)] = from_cents(cents)
    return found


def _document_source(side: Side, kind: str, document, what: str, number: str, party: str, sign: int,
                     total: Decimal, codes: dict[TaxCode, Decimal]) -> _Source:
    """A document's part by tax code: BAS-excluded lines leave its total for `excluded`."""
    excluded = codes.get(TaxCode.BAS_EXCLUDED, ZERO)
    return _Source(side, kind, document.id, what, number, party, sign, total - excluded,
                   codes.get(TaxCode.GST_FREE, ZERO), document.gst, excluded,
                   codes.get(TaxCode.INPUT_TAXED, ZERO))


def _gst_free_by(session: Session, line_model, parent_column, ids: set[int], free) -> dict[int, Decimal]:
    if not ids:
        return {}
    return {parent: from_cents(cents) for parent, cents in session.execute(
        select(parent_column, func.sum(sql_cents(line_model.amount))).where(parent_column.in_(ids), free)
        .group_by(parent_column))}


# Kinds of journal that documents with GST post; reversals are found through `reverses_id`.
DOCUMENT_KINDS = ("bill", "credit_note", "deposit", "withdrawal", "purchase_invoice", "vendor_credit")
CHUNK = 5_000  # ids per IN (...): well under SQLite's limit on bound parameters


def _sources(session: Session, journal_ids: set[int]) -> dict[int, _Source]:
    """The documents posted by `journal_ids`, by journal id (journals of other kinds are absent)."""
    found: dict[int, _Source] = {}
    ordered = sorted(journal_ids)
    for first in range(0, len(ordered), CHUNK):
        found.update(_sources_of(session, ordered[first:first + CHUNK]))
    return found


def _sources_of(session: Session, ids: list[int]) -> dict[int, _Source]:
    found: dict[int, _Source] = {}
    posted = session.execute(
        select(BillEvent.journal_id, BillEvent.amount, Bill).join(Bill, Bill.id == BillEvent.bill_id)
        .where(BillEvent.journal_id.in_(ids), BillEvent.kind == EventKind.POSTED)).all()
    codes = _by_code(session, BillLine, BillLine.bill_id, {b.id for _, _, b in posted})
    for journal_id, amount, bill in posted:
        found[journal_id] = _document_source(Side.SALES, "bill", bill, "Bill", bill.number or "",
                                             bill.client.name, 1, amount, codes.get(bill.id, {}))
    notes = session.scalars(select(CreditNote).where(CreditNote.journal_id.in_(ids))).all()
    codes = _by_code(session, CreditNoteLine, CreditNoteLine.credit_note_id, {n.id for n in notes})
    for n in notes:
        found[n.journal_id] = _document_source(Side.SALES, "credit_note", n, "Credit note", n.number,
                                               n.client.name, -1, n.total, codes.get(n.id, {}))
    moneys = session.scalars(select(BankTransaction).where(BankTransaction.journal_id.in_(ids))).all()
    free = _gst_free_by_class(session, {t.id for t in moneys})
    input_taxed = _gst_free_by(session, BankTransactionLine, BankTransactionLine.transaction_id,
                               {t.id for t in moneys}, BankTransactionLine.tax == TaxCode.INPUT_TAXED)
    bas_excluded = _gst_free_by(session, BankTransactionLine, BankTransactionLine.transaction_id,
                                {t.id for t in moneys}, BankTransactionLine.tax == TaxCode.BAS_EXCLUDED)
    for t in moneys:
        deposit = t.kind == BankTransactionKind.DEPOSIT
        supply = AccountClass.REVENUE if deposit else AccountClass.EXPENSE
        by_class = free.get(t.id, {})
        excluded = sum((cents for cls, cents in by_class.items() if cls != supply), ZERO)
        excluded += bas_excluded.get(t.id, ZERO)
        found[t.journal_id] = _Source(Side.SALES if deposit else Side.PURCHASES, "bank_transaction", t.id,
                                      t.kind.label, t.number, t.contact, 1, t.total - excluded,
                                      by_class.get(supply, ZERO), t.gst, excluded,
                                      input_taxed.get(t.id, ZERO))
    invoices = session.scalars(select(SupplierInvoice).where(SupplierInvoice.journal_id.in_(ids))).all()
    codes = _by_code(session, SupplierInvoiceLine, SupplierInvoiceLine.invoice_id, {i.id for i in invoices})
    for i in invoices:
        found[i.journal_id] = _document_source(Side.PURCHASES, "supplier_invoice", i, "Supplier invoice",
                                               i.number, i.supplier.name, 1, i.total, codes.get(i.id, {}))
    credits = session.scalars(select(SupplierCredit).where(SupplierCredit.journal_id.in_(ids))).all()
    codes = _by_code(session, SupplierCreditLine, SupplierCreditLine.credit_id, {c.id for c in credits})
    for c in credits:
        found[c.journal_id] = _document_source(Side.PURCHASES, "supplier_credit", c, "Supplier credit note",
                                               c.number, c.supplier.name, -1, c.total, codes.get(c.id, {}))
    return found


def _gst_free_by_class(session: Session, ids: set[int]) -> dict[int, dict[AccountClass, Decimal]]:
    """Per bank transaction: its GST-free lines' amounts by the class of the account they are to.

    A GST-free line to an income account is a GST-free sale (G3); one to a liability or equity
    account (a loan, capital put in) or an asset is money that is no sale at all, so G1 leaves it
    out (likewise an expense account for purchases and G11). A line with GST is a taxable supply
    whatever its account, since its GST is in 1A or 1B."""
    found: dict[int, dict[AccountClass, Decimal]] = {}
    if not ids:
        return found
    for transaction_id, type_, cents in session.execute(
            select(BankTransactionLine.transaction_id, Account.type,
                   func.sum(sql_cents(BankTransactionLine.amount)))
            .join(Account, Account.id == BankTransactionLine.account_id)
            .where(BankTransactionLine.transaction_id.in_(ids), BankTransactionLine.tax == TaxCode.GST_FREE)
            .group_by(BankTransactionLine.transaction_id, Account.type)):
        classes = found.setdefault(transaction_id, {})
        classes[type_.account_class] = classes.get(type_.account_class, ZERO) + from_cents(cents)
    return found


def _gst_lines(session: Session, start: date, end: date) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Per journal: its movement of GST Collected (credit positive) and GST Paid (debit positive)."""
    collected = account_for_role(session, AccountRole.GST_COLLECTED).id
    paid = account_for_role(session, AccountRole.GST_PAID).id
    moves: tuple[dict, dict] = ({}, {})
    for journal_id, account_id, cents in session.execute(
            select(JournalLine.journal_id, JournalLine.account_id, func.sum(sql_cents(JournalLine.amount)))
            .where(JournalLine.account_id.in_([collected, paid]), JournalLine.date >= start,
                   JournalLine.date <= end)
            .group_by(JournalLine.journal_id, JournalLine.account_id)):
        if account_id == collected:
            moves[0][journal_id] = signed(-1, from_cents(cents))
        else:
            moves[1][journal_id] = from_cents(cents)
    return moves


def _accrual_documents(session: Session, start: date, end: date, ledger) -> list[GstDocument]:
    """Documents posted in the period, and reversals in the period of documents posted any time."""
    original = aliased(Journal)
    in_period = session.execute(
        select(Journal.id, Journal.date, Journal.reverses_id, original.date)
        .outerjoin(original, original.id == Journal.reverses_id).where(
            Journal.date >= start, Journal.date <= end,
            or_(Journal.kind.in_(DOCUMENT_KINDS), Journal.reverses_id.is_not(None)))).all()
    sources = _sources(session, {j.reverses_id or j.id for j in in_period})
    documents = []
    for journal_id, on, reverses_id, original_on in in_period:
        source = sources.get(reverses_id or journal_id)
        if source is None:
            continue
        sign = source.sign * (-1 if reverses_id else 1)
        gst = ledger[0 if source.side == Side.SALES else 1].get(journal_id)
        documents.append(GstDocument(
            source.side, source.kind, source.id, on, source.what + (" reversed" if reverses_id else ""),
            source.number, source.party, signed(sign, source.total), signed(sign, source.gst_free),
            # The journal's own GST line is what the ledger holds; the document's figure is the
            # same unless the document was changed and posted again.
            gst if gst is not None else signed(sign, source.gst), signed(sign, source.excluded),
            adjustment=reverses_id is not None and original_on < start,
            input_taxed=signed(sign, source.input_taxed)))
    return documents


def _share(part: Decimal, whole: Decimal, amount: Decimal) -> Decimal:
    """`amount` x part / whole, to the cent: the GST in a part payment."""
    if whole == ZERO:
        return ZERO
    return (amount * part / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def _paid_share(side, kind, id_, on, what, number, party, sign, paid, total, gst_free, gst,
                adjustment=False) -> GstDocument:
    return GstDocument(side, kind, id_, on, what, number, party, signed(sign, paid),
                       signed(sign, _share(paid, total, gst_free)), signed(sign, _share(paid, total, gst)),
                       adjustment=adjustment)


class _Moved(NamedTuple):
    """A payment or refund whose money moved in the period (sign 1), or whose undo is in it (-1)."""

    sign: int
    on: date  # when the money moved, or when it was undone
    adjustment: bool  # an undo of money counted in an earlier period
    row: object  # the payment or refund
    document: object  # what it paid: the bill, credit note or supplier invoice


def _moved(session: Session, query: Select, journal_column, date_column, start: date,
           end: date) -> list[_Moved]:
    """The rows of `query` (payment, document) dated in the period, and those whose journal was
    reversed (undone) in the period, negated and dated on the undo: a later undo never changes the
    period the money was counted in."""
    undo = aliased(Journal)
    made = session.execute(query.where(date_column >= start, date_column <= end)).all()
    undone = session.execute(query.add_columns(undo.date).join(undo, undo.reverses_id == journal_column)
                             .where(undo.date >= start, undo.date <= end)).all()
    return ([_Moved(1, row.date, False, row, document) for row, document in made]
            + [_Moved(-1, on, row.date < start, row, document) for row, document, on in undone])


def _cash_documents(session: Session, start: date, end: date, ledger) -> list[GstDocument]:
    """Money received or paid in the period, each with its proportion of its document's GST, and
    undos in the period of money received or paid before (negated, on the undo's date).

    Bills count by the payments received on them, supplier invoices by the payments made; client
    credit notes by what is refunded. Credit applied to a bill or written off is money never
    received, so it counts nowhere. Receive / spend money is cash already: as on accrual.
    """
    documents = [d for d in _accrual_documents(session, start, end, ledger)
                 if d.kind == "bank_transaction"]
    payments = _moved(session, select(BillEvent, Bill).join(Bill, Bill.id == BillEvent.bill_id)
                      .where(BillEvent.kind == EventKind.PAYMENT), BillEvent.journal_id, BillEvent.date,
                      start, end)
    free = _gst_free_by(session, BillLine, BillLine.bill_id, {m.document.id for m in payments},
                        BillLine.tax == TaxCode.GST_FREE)
    for m in payments:
        bill = m.document
        documents.append(_paid_share(Side.SALES, "bill", bill.id, m.on, _undone("Payment received", m),
                                     bill.number or "", bill.client.name, m.sign, m.row.amount, bill.total,
                                     free.get(bill.id, ZERO), bill.gst, m.adjustment))
    refunds = _moved(session, select(CreditRefund, CreditNote)
                     .join(CreditNote, CreditNote.id == CreditRefund.credit_note_id),
                     CreditRefund.journal_id, CreditRefund.date, start, end)
    free = _gst_free_by(session, CreditNoteLine, CreditNoteLine.credit_note_id,
                        {m.document.id for m in refunds}, CreditNoteLine.tax == TaxCode.GST_FREE)
    for m in refunds:
        note = m.document
        documents.append(_paid_share(Side.SALES, "credit_note", note.id, m.on, _undone("Credit refunded", m),
                                     note.number, note.client.name, -m.sign, m.row.amount, note.total,
                                     free.get(note.id, ZERO), note.gst, m.adjustment))
    paid = _moved(session, select(SupplierPayment, SupplierInvoice)
                  .join(SupplierInvoice, SupplierInvoice.id == SupplierPayment.invoice_id),
                  SupplierPayment.journal_id, SupplierPayment.date, start, end)
    free = _gst_free_by(session, SupplierInvoiceLine, SupplierInvoiceLine.invoice_id,
                        {m.document.id for m in paid}, SupplierInvoiceLine.tax == TaxCode.GST_FREE)
    for m in paid:
        invoice = m.document
        documents.append(_paid_share(Side.PURCHASES, "supplier_invoice", invoice.id, m.on,
                                     _undone("Payment made", m), invoice.number, invoice.supplier.name,
                                     m.sign, m.row.amount, invoice.total, free.get(invoice.id, ZERO),
                                     invoice.gst, m.adjustment))
    return documents


def _undone(what: str, moved: _Moved) -> str:
    return what if moved.sign > 0 else f"{what} undone"


def gst_summary(session: Session, start: date, end: date, basis: Basis | None = None) -> GstSummary:
    """GST on sales and purchases from `start` to `end`, on the practice's basis (or `basis`)."""
    if start is None or end is None:
        raise LedgerError("Enter both dates of the period.", "start" if start is None else "end")
    if start > end:
        raise LedgerError("The period starts after it ends: swap the dates.", "start")
    basis = Basis(basis or get_practice(session).basis)
    collected, paid = _gst_lines(session, start, end)
    documents = (_accrual_documents(session, start, end, (collected, paid)) if basis == Basis.ACCRUAL
                 else _cash_documents(session, start, end, (collected, paid)))
    return GstSummary(start, end, basis, documents, ledger_collected=sum(collected.values(), ZERO),
                      ledger_paid=sum(paid.values(), ZERO))



__all__ = ["GstDocument", "GstSummary", "Side", "gst_summary"]
