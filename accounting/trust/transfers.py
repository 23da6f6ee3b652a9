"""Trust money paid to the office for a client's bill, and undoing it; reversing any movement out
of trust with what it caused (a bill's payment, an interest payout).

Every movement goes through `accounting.trust.posting.post_trust` (the one way trust money moves), so
the matters' ledgers, the trust cash book (plus any statutory deposit) and the trust liability agree
after every step. Interest and statutory deposits post in accounting/trust/interest.py and
statutory.py; their reversals come through `reverse_trust_transfer` here. Postings:

- transfer to office for a bill (T-):  Dr trust liability; Cr trust bank (matter ledger -amount)
                                       and, in the same database transaction, the bill's payment
                                       through `billing.record_payment`: Dr office bank; Cr Accounts
                                       Receivable (reference: the T- number).

Rules: a transfer pays only a posted bill of the matter whose money it uses, never more than the
bill owes nor than the matter holds. Matters are row-locked (id order) before bills (id order), so
two people transferring for the same matter or bill at once wait for each other. A batch is all or
nothing. A reversal undoes both sides of a transfer or of an interest payout; nothing is deleted.
"""

from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from accounting.base import Base
from accounting.errors import InvalidAccount, InvalidReversal, LedgerError, MatterClosed, WouldOverdraw
from accounting.ledger.accounts import Account, AccountRole, account_for_role, office_bank_accounts
from accounting.ledger.journals import LineInput
from accounting.ledger.practice import get_practice
from accounting.lookup import clean_text, valid_id
from accounting.money import ZERO, format_money
from accounting.office import billing
from accounting.office.bills import Bill, BillEvent, BillStatus
from accounting.parties.clients import Matter, MatterStatus
from accounting.parties.users import User
from accounting.trust.ledger import (
    MAX_DESCRIPTION,
    MAX_TEXT,
    TrustAccount,
    TrustKind,
    TrustTransaction,
    get_trust_account,
    get_trust_transaction,
    matter_balance,
    matter_balances,
)
from accounting.trust.posting import (
    entered_date,
    lock_matters,
    positive_amount,
    post_trust,
    reverse_trust_transaction,
)
from accounting.trust.statutory import check_statutory_reversal


class TrustTransferLink(Base):
    """What a transfer out of trust paid: the bill's payment event, or the interest it passes on.
    Each transfer, payment event and interest is linked once, so reversing one undoes its partner."""

    __tablename__ = "trust_transfer_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("trust_transaction.id"), unique=True)
    bill_event_id: Mapped[int | None] = mapped_column(ForeignKey("bill_event.id"), unique=True,
                                                      default=None)
    interest_id: Mapped[int | None] = mapped_column(ForeignKey("trust_transaction.id"), unique=True,
                                                    default=None)

    transaction: Mapped[TrustTransaction] = relationship(foreign_keys=[transaction_id])
    bill_event: Mapped[BillEvent | None] = relationship()
    interest: Mapped[TrustTransaction | None] = relationship(foreign_keys=[interest_id])


def office_bank(session: Session, account_id) -> Account:
    """The office bank account chosen, else the chart's office bank (role OFFICE_BANK)."""
    if account_id in (None, ""):
        return account_for_role(session, AccountRole.OFFICE_BANK)
    banks = {account.id: account for account in office_bank_accounts(session)}
    try:
        return banks[int(account_id)]
    except (KeyError, TypeError, ValueError):
        raise InvalidAccount("Choose an office bank account.", "office_bank_account") from None


def practice_name(session: Session) -> str:
    """The practice's name, as the party of money it takes out of trust."""
    return get_practice(session).name[:MAX_TEXT]


# ---- Transfer to office --------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferLine:
    """One bill to pay from trust: the amount as typed, and the form field to blame when refused."""

    bill_id: int
    amount: object
    field: str = "amount"
    matter_id: int | None = None
    bill_field: str | None = None  # where a refusal of the bill itself goes (default: `field`)

    @property
    def bill_error_field(self) -> str:
        return self.bill_field or self.field


@dataclass
class Candidate:
    """A matter with trust money and posted bills owing, each bill with a suggested amount."""

    matter: Matter
    balance: Decimal
    bills: list[tuple[Bill, Decimal]] = field(default_factory=list)


def transfer_candidates(session: Session, trust_account: TrustAccount) -> list[Candidate]:
    """Every matter holding money in `trust_account` that has posted bills owing, oldest bill first.

    Each bill's suggestion is min(what it owes, what the matter still has after the bills above).
    """
    balances = {mid: amount for mid, amount in matter_balances(session, trust_account).items()
                if amount > ZERO}
    if not balances:
        return []
    bills = session.scalars(
        select(Bill).where(Bill.matter_id.in_(balances), Bill.status == BillStatus.POSTED,
                           Bill.applied < Bill.total)
        .order_by(Bill.matter_id, Bill.date, Bill.id)).all()
    candidates: dict[int, Candidate] = {}
    for bill in bills:
        candidate = candidates.setdefault(bill.matter_id, Candidate(bill.matter, balances[bill.matter_id]))
        left = candidate.balance - sum((amount for _, amount in candidate.bills), ZERO)
        candidate.bills.append((bill, min(bill.owed, left)))
    return sorted(candidates.values(), key=lambda c: c.matter.number)


def bills_owing(session: Session, matter_id: int) -> list[Bill]:
    """A matter's posted bills with something owing, oldest first."""
    return list(session.scalars(
        select(Bill).where(Bill.matter_id == matter_id, Bill.status == BillStatus.POSTED,
                           Bill.applied < Bill.total).order_by(Bill.date, Bill.id)))


def _parse_lines(session: Session, lines: list[TransferLine], *,
                 skip_empty: bool) -> list[tuple[TransferLine, Decimal]]:
    parsed = []
    for line in lines:
        if skip_empty and (line.amount is None or str(line.amount).strip() in ("", "0", "0.00")):
            continue
        try:
            parsed.append((line, positive_amount(line.amount, line.field)))
        except LedgerError as error:
            number = session.scalar(select(Bill.number).where(Bill.id == _bill_id(line)))
            raise type(error)(f"{number}: {error.message}" if number else error.message, line.field) from None
    if not parsed:
        raise LedgerError("Enter an amount for at least one bill.", lines[0].field if lines else "amount")
    return parsed


def transfer_to_office(session: Session, user: User | None, *, trust_account_id, date, authority: str,
                       lines: list[TransferLine], office_bank_account_id=None, description: str = "",
                       skip_empty: bool = False) -> list[TrustTransaction]:
    """Pay posted bills from their matters' trust money: all the lines, or none of them.

    Each line makes one transfer to office (Dr trust liability, Cr trust bank, the matter's ledger
    -amount) and pays its bill in the office books in the same database transaction
    (`billing.record_payment`: Dr office bank, Cr Accounts Receivable, reference the T- number).
    Matters are row-locked before their balances are read, and bills before what they owe is read.
    """
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    date = entered_date(date)
    authority = clean_text(authority, MAX_TEXT, "authority", "the client's authority for the transfer",
                      required=True)
    description = clean_text(description, MAX_DESCRIPTION, "description", "the description")
    bank = office_bank(session, office_bank_account_id)
    parsed = _parse_lines(session, lines, skip_empty=skip_empty)
    matter_of: dict[int, int] = {}
    for line, _ in parsed:
        matter_id = session.scalar(select(Bill.matter_id).where(Bill.id == _bill_id(line)))
        if matter_id is None:
            raise LedgerError("Choose a bill.", line.bill_error_field)
        if line.bill_id in matter_of:
            raise LedgerError("That bill is in the batch twice: pay it once.", line.bill_error_field)
        matter_of[line.bill_id] = matter_id
    lock_matters(session, matter_of.values())
    bills = {bill_id: billing.get_bill(session, bill_id, for_update=True) for bill_id in sorted(matter_of)}
    left: dict[int, Decimal] = {}
    for line, amount in parsed:
        bill = bills[line.bill_id]
        if bill.matter_id not in left:
            left[bill.matter_id] = matter_balance(session, trust_account, bill.matter_id)
        _check_transfer(bill, line, amount, left[bill.matter_id], date, trust_account)
        left[bill.matter_id] -= amount
    return [_transfer_one(session, user, trust_account, bills[line.bill_id], amount, date, authority,
                          description, bank, line.field) for line, amount in parsed]


def _bill_id(line: TransferLine) -> int:
    return valid_id(line.bill_id)


def _check_transfer(bill: Bill, line: TransferLine, amount: Decimal, available: Decimal, when: Date,
                    trust_account: TrustAccount) -> None:
    """Refuse, naming the bill and the field, what the transfer of `amount` to `bill` may not do."""
    name = bill.title
    if line.matter_id is not None and bill.matter_id != int(line.matter_id):
        raise LedgerError(f"{name} is not a bill of that matter: trust money pays only its own "
                          "matter's bills.", line.bill_error_field)
    if bill.status == BillStatus.DRAFT:
        raise LedgerError(f"{name} is a draft: only an approved (posted) bill can be paid from trust.",
                          line.bill_error_field)
    if bill.status != BillStatus.POSTED:
        raise LedgerError(f"{name} is voided: nothing can be paid to it.", line.bill_error_field)
    if bill.matter.status != MatterStatus.OPEN:
        raise MatterClosed(f"Matter {bill.matter.number} is closed: trust money cannot move for it.",
                           line.field)
    if amount > bill.owed:
        raise WouldOverdraw(f"{name}: that is more than is owed ({format_money(bill.owed)} owing).",
                            line.field)
    if amount > available:
        raise WouldOverdraw(
            f"{name}: that would overdraw matter {bill.matter.number}'s trust ledger: "
            f"{format_money(max(available, ZERO))} is available in {trust_account.name}.", line.field)
    if when < bill.date:
        raise LedgerError(f"{name}: the transfer cannot be dated before the bill "
                          f"({bill.date:%d %b %Y}).", "date")


def _transfer_one(session: Session, user: User | None, trust_account: TrustAccount, bill: Bill,
                  amount: Decimal, when: Date, authority: str, description: str, bank: Account,
                  field_name: str) -> TrustTransaction:
    matter = bill.matter
    label = f"Trust to office for {bill.number} ({matter.number})"
    transaction = post_trust(
        session, user, kind=TrustKind.TRANSFER_TO_OFFICE, trust_account=trust_account, date=when,
        amount=amount, entries=[(matter, -amount)], amount_field=field_name,
        narration=label + (f": {description}" if description else ""),
        gl_lines=[LineInput(trust_account.liability_account_id, amount, label),
                  LineInput(trust_account.account_id, -amount, label)],
        party=practice_name(session), authority=authority,
        description=description or f"Payment of {bill.number}", reference=bill.number, bill_id=bill.id)
    try:
        event = billing.record_payment(session, user, bill.id, amount=amount, date=when,
                                       bank_account_id=bank.id, reference=transaction.number,
                                       trust_transfer=transaction.number)
    except LedgerError as error:
        raise type(error)(f"{bill.title}: {error.message}",
                          field_name if error.field == "amount" else error.field) from None
    session.add(TrustTransferLink(transaction_id=transaction.id, bill_event_id=event.id))
    session.flush()
    return transaction


# ---- Reversals -----------------------------------------------------------------------------------


def link_of(session: Session, transaction_id: int) -> TrustTransferLink | None:
    return session.scalar(select(TrustTransferLink).where(TrustTransferLink.transaction_id == transaction_id))


def payout_of(session: Session, interest_id: int) -> TrustTransferLink | None:
    return session.scalar(select(TrustTransferLink).where(TrustTransferLink.interest_id == interest_id))


def transfer_for_payment(session: Session, bill_event_id: int) -> TrustTransaction | None:
    """The transfer to office that made this bill payment, if trust paid it.

    Billing should refuse to undo such a payment on its own (the trust side would stay spent): the
    transfer is reversed here instead, which undoes both sides.
    """
    return session.scalar(select(TrustTransaction).join(
        TrustTransferLink, TrustTransferLink.transaction_id == TrustTransaction.id)
        .where(TrustTransferLink.bill_event_id == bill_event_id))


def reverse_trust_transfer(session: Session, user: User | None, transaction_id, *, date,
                           reason: str) -> list[TrustTransaction]:
    """Reverse a transfer, interest or statutory movement with everything it caused, dated `date`.

    - a transfer to office for a bill: the trust transaction, and the bill's payment is undone
      (`billing.undo_trust_payment`: its journal reversed, the bill owes the amount again);
    - interest passed on to the practice or the statutory body: the payout, then the interest;
    - anything else: the trust transaction alone.
    """
    date = entered_date(date)
    original = get_trust_transaction(session, transaction_id, for_update=True)
    link = link_of(session, original.id)
    if link is not None and link.interest_id is not None:
        raise InvalidReversal(f"{original.number} passes on interest {link.interest.number}: reverse the "
                              "interest and its payout goes with it.")
    if link is not None and link.bill_event_id is not None:
        reversal = reverse_trust_transaction(session, user, original.id, date=date, reason=reason)
        billing.undo_trust_payment(session, user, link.bill_event_id, date=date, reason=reason[:200])
        return [reversal]
    if original.kind in (TrustKind.STATUTORY_DEPOSIT, TrustKind.STATUTORY_WITHDRAWAL):
        check_statutory_reversal(session, original)
    payout = payout_of(session, original.id) if original.kind is TrustKind.INTEREST else None
    reversals = []
    if payout is not None:
        reversals.append(reverse_trust_transaction(session, user, payout.transaction_id, date=date,
                                                   reason=reason))
    reversals.append(reverse_trust_transaction(session, user, original.id, date=date, reason=reason))
    return reversals


def recent_transfers(session: Session, limit: int = 20) -> list[TrustTransaction]:
    """The latest transfers to office, newest first."""
    return list(session.scalars(select(TrustTransaction).where(
        TrustTransaction.kind == TrustKind.TRANSFER_TO_OFFICE)
        .order_by(TrustTransaction.date.desc(), TrustTransaction.id.desc()).limit(limit)))
