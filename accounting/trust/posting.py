"""How trust money moves: `post_trust`, the one way a trust transaction is written, and the
receipts, payments, journals between matters and reversals built on it.

`post_trust` writes one TrustTransaction, its ledger entries (accounting/trust/ledger.py) and one
journal of a trust kind through `accounting.ledger.journals` (`post`, or `reverse` for a
reversal). Postings:

- receipt:            Dr trust bank; Cr trust liability.   Matter ledger +amount.
- payment:            Dr trust liability; Cr trust bank.   Matter ledger -amount.
- trust journal:      Dr trust liability; Cr trust liability (same account, both lines kept for
                      the audit trail).                      One matter -amount, the other +amount.
- reversal:           the journal's lines negated (kind trust_reversal); the entries negated.

Rules enforced here, in the same database transaction as the write:

- No matter's ledger goes below zero. The matters a transaction draws on are row-locked
  (SELECT ... FOR UPDATE, in id order so two people never deadlock) before their balances are
  read, so two payments out of one matter at once cannot both spend the same money.
- Nothing is dated on or before the trust account's last completed reconciliation
  (TrustAccount.reconciled_to), nor before the practice's lock date.
- Nothing is deleted or edited once posted: a correction is a reversal, dated when made, with a
  reason; a reversal is never reversed.
- A closed trust account takes nothing; controlled money takes only its own matter.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting.audit import record
from accounting.dates import check_trust_date
from accounting.errors import InvalidAmount, InvalidReversal, LedgerError, WouldOverdraw
from accounting.ledger.journals import LineInput, post, reverse
from accounting.ledger.practice import get_practice
from accounting.lookup import clean_text
from accounting.money import ZERO, format_money, parse_money
from accounting.parties.clients import Matter
from accounting.parties.users import User
from accounting.sequences import next_number
from accounting.trust.ledger import (
    MAX_DESCRIPTION,
    MAX_TEXT,
    PaymentMethod,
    TrustAccount,
    TrustAccountKind,
    TrustKind,
    TrustLedgerEntry,
    TrustStatus,
    TrustTransaction,
    account_balance,
    get_trust_account,
    get_trust_transaction,
    lowest_balance_from,
    matter_for_trust,
)

# ---- What every trust form is checked for --------------------------------------------------------


def positive_amount(value, field: str = "amount") -> Decimal:
    """`value` as money more than zero, in cents (refused beside `field`)."""
    if not isinstance(value, Decimal):
        value = parse_money(value, field)
    if value <= ZERO:
        raise InvalidAmount("Enter an amount more than zero.", field)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidAmount("Use at most two decimals.", field)
    return value


def entered_date(value, field: str = "date") -> date:
    """`value`, which must be a date (a form's empty date is None)."""
    if not isinstance(value, date):
        raise LedgerError("Enter the date.", field)
    return value


def _method(value) -> PaymentMethod:
    try:
        return PaymentMethod(value)
    except ValueError:
        raise LedgerError("Choose how the money moved (EFT, cheque, ...).", "method") from None


# ---- The checks, under the locks -----------------------------------------------------------------


def lock_matters(session: Session, matter_ids) -> None:
    """Row-lock the matters a transaction draws on, in id order (no deadlock between two people)."""
    ids = sorted(set(matter_ids))
    if ids:
        session.execute(select(Matter.id).where(Matter.id.in_(ids)).order_by(Matter.id).with_for_update())


def _check_draws(session: Session, trust_account: TrustAccount, entries: list[tuple[Matter, Decimal]],
                 when: date, field: str) -> None:
    """Refuse when any matter would end a day below zero, on `when` or any later day (money already
    paid out later, against a balance this would take away); call with the matters locked."""
    drawn: dict[int, Decimal] = {}
    for matter, amount in entries:
        drawn[matter.id] = drawn.get(matter.id, ZERO) + amount
    for matter, _ in entries:
        change = drawn.pop(matter.id, None)
        if change is None or change >= ZERO:
            continue
        day, available = lowest_balance_from(session, trust_account, matter.id, when)
        if available + change < ZERO:
            raise WouldOverdraw(
                f"That would overdraw matter {matter.number}'s trust ledger: "
                f"{format_money(available)} is available in {trust_account.name} on "
                f"{day:%d %b %Y}, which would end at {format_money(available + change)}.", field)


def _lock_open_account(session: Session, trust_account: TrustAccount) -> None:
    """Lock the trust account's row (always after the matters) and refuse it once closed.

    Read under the lock, so a posting racing a close either lands first or sees the account closed.
    """
    closed = session.scalar(select(TrustAccount.closed).where(TrustAccount.id == trust_account.id)
                            .with_for_update())
    if closed:
        raise LedgerError(f"{trust_account.name} is closed.", "trust_account")


def _check_cash(session: Session, trust_account: TrustAccount, gl_lines, field: str) -> None:
    """Refuse money out of the trust bank beyond its cash book balance.

    Matter balances alone do not guard the bank: money lodged as a statutory deposit is still the
    matters' but is not in the bank. Call with the trust account's row locked (_lock_open_account)
    so two withdrawals at once read each other's result.
    """
    change = sum((line.amount for line in gl_lines if line.account_id == trust_account.account_id), ZERO)
    if change >= ZERO:
        return
    cash = account_balance(session, trust_account.account_id)
    if cash + change < ZERO:
        raise WouldOverdraw(
            f"{trust_account.name} has {format_money(cash)} in the bank (the rest of the matters' money "
            "is lodged as a statutory deposit): withdraw from the deposit first.", field)


# ---- The one way in ------------------------------------------------------------------------------


def post_trust(session: Session, user: User | None, *, kind: TrustKind, trust_account: TrustAccount,
               date: date, amount: Decimal, entries: list[tuple[Matter, Decimal]],
               gl_lines: list[LineInput], narration: str = "", party: str = "",
               method: PaymentMethod | None = None, authority: str = "", description: str = "",
               reference: str = "", bill_id: int | None = None, amount_field: str = "amount",
               number: str | None = None, reverses: TrustTransaction | None = None,
               reason: str = "") -> TrustTransaction:
    """Check the trust rules and write one trust transaction, its ledger entries and its journal.

    The one way trust money moves. Callers validate their own fields first; this checks the
    date against the reconciled period and the lock date, and that no matter is overdrawn.

    With `reverses` (kind REVERSAL, `gl_lines` the original's negated, `reason` given) the journal
    is `journals.reverse` of the original's, so the general ledger links the two, `narration` is
    not used, the original is marked reversed and the audit log says it was reversed.
    """
    if trust_account.kind is TrustAccountKind.CONTROLLED:
        strangers = [m.number for m, _ in entries if m.id != trust_account.matter_id]
        if strangers:
            raise LedgerError(f"{trust_account.name} is controlled money for one matter only; "
                              f"{', '.join(strangers)} cannot use it.", "matter")
    check_trust_date(date)
    trust_account.check_date(date)
    get_practice(session).check_open(date)
    lock_matters(session, (matter.id for matter, amount in entries if amount < ZERO))
    _lock_open_account(session, trust_account)
    _check_draws(session, trust_account, entries, date, amount_field)
    _check_cash(session, trust_account, gl_lines, amount_field)
    if reverses is None:
        number = number or next_number(session, f"trust:{kind.value}", kind.number_prefix, 6)
        journal = post(session, user, date=date, kind=kind.journal_kind, reference=number,
                       narration=narration[:500], lines=gl_lines)
    else:
        journal = reverse(session, user, reverses.journal, date=date, reason=reason, kind=kind.journal_kind)
        number = number or next_number(session, f"trust:{kind.value}", kind.number_prefix, 6)
    transaction = TrustTransaction(
        number=number, kind=kind, trust_account_id=trust_account.id, date=date, amount=amount,
        party=party, method=method, authority=authority, description=description, reference=reference,
        journal_id=journal.id, bill_id=bill_id, recorded_by_id=user.id if user else None,
        reverses_id=reverses.id if reverses else None, reason=reason,
        entries=[TrustLedgerEntry(trust_account_id=trust_account.id, matter_id=matter.id, date=date,
                                  amount=change) for matter, change in entries])
    if reverses is not None:
        reverses.status = TrustStatus.REVERSED
    session.add(transaction)
    session.flush()
    if reverses is None:
        record(session, user, "posted", "trust_transaction", transaction.id,
               f"{transaction.title} posted: {narration[:200]} ({format_money(amount)})")
    else:
        record(session, user, "reversed", "trust_transaction", reverses.id,
               f"{reverses.title} reversed by {transaction.number}: {reason}")
    return transaction


# ---- Receipts, payments, journals ----------------------------------------------------------------


def record_receipt(session: Session, user: User | None, *, trust_account_id, matter_id, date: date,
                   amount, payer: str, method: str, description: str = "",
                   reference: str = "") -> TrustTransaction:
    """Money received into trust for a matter: Dr trust bank, Cr trust liability."""
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    matter = matter_for_trust(session, matter_id, "matter")
    amount = positive_amount(amount)
    payer = clean_text(payer, MAX_TEXT, "party", "who the money is from", required=True)
    method = _method(method)
    description = clean_text(description, MAX_DESCRIPTION, "description", "the description")
    reference = clean_text(reference, 100, "reference", "the reference")
    label = f"Trust receipt from {payer} for {matter.number}"
    return post_trust(
        session, user, kind=TrustKind.RECEIPT, trust_account=trust_account, date=date, amount=amount,
        entries=[(matter, amount)], narration=label + (f": {description}" if description else ""),
        gl_lines=[LineInput(trust_account.account_id, amount, label),
                  LineInput(trust_account.liability_account_id, -amount, label)],
        party=payer, method=method, description=description, reference=reference)


def record_payment(session: Session, user: User | None, *, trust_account_id, matter_id, date: date,
                   amount, payee: str, method: str, authority: str, description: str = "",
                   reference: str = "") -> TrustTransaction:
    """Money paid out of trust from a matter, with the client's authority: Dr liability, Cr trust bank."""
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    matter = matter_for_trust(session, matter_id, "matter")
    amount = positive_amount(amount)
    payee = clean_text(payee, MAX_TEXT, "party", "who the money is paid to", required=True)
    method = _method(method)
    authority = clean_text(authority, MAX_TEXT, "authority", "the authority for the payment", required=True)
    description = clean_text(description, MAX_DESCRIPTION, "description", "what the payment is for",
                             required=True)
    reference = clean_text(reference, 100, "reference", "the reference")
    label = f"Trust payment to {payee} from {matter.number}"
    return post_trust(
        session, user, kind=TrustKind.PAYMENT, trust_account=trust_account, date=date, amount=amount,
        entries=[(matter, -amount)], narration=f"{label}: {description}",
        gl_lines=[LineInput(trust_account.liability_account_id, amount, label),
                  LineInput(trust_account.account_id, -amount, label)],
        party=payee, method=method, authority=authority, description=description, reference=reference)


def record_trust_journal(session: Session, user: User | None, *, trust_account_id, from_matter_id,
                         to_matter_id, date: date, amount, authority: str,
                         description: str) -> TrustTransaction:
    """Move trust money from one matter to another in the same trust account, with authority.

    The general ledger does not change in total (Dr and Cr the same liability account); the journal
    is still posted so the movement has a number in the audit trail.
    """
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    source = matter_for_trust(session, from_matter_id, "from_matter")
    target = matter_for_trust(session, to_matter_id, "to_matter")
    if source.id == target.id:
        raise LedgerError("Choose two different matters: a journal moves money from one matter to "
                          "another.", "to_matter")
    amount = positive_amount(amount)
    authority = clean_text(authority, MAX_TEXT, "authority", "the authority for the transfer", required=True)
    description = clean_text(description, MAX_DESCRIPTION, "description", "what the journal is for",
                             required=True)
    label = f"Trust journal {source.number} to {target.number}"
    liability = trust_account.liability_account_id
    return post_trust(
        session, user, kind=TrustKind.JOURNAL, trust_account=trust_account, date=date, amount=amount,
        entries=[(source, -amount), (target, amount)], narration=f"{label}: {description}",
        gl_lines=[LineInput(liability, amount, f"{label} (from {source.number})"),
                  LineInput(liability, -amount, f"{label} (to {target.number})")],
        authority=authority, description=description)


# ---- Reversal ------------------------------------------------------------------------------------


def reverse_trust_transaction(session: Session, user: User | None, transaction_id, *, date: date,
                              reason: str) -> TrustTransaction:
    """Correct a trust transaction by reversing it, dated `date`, with a reason.

    The reversal draws on the matters the original paid into, so reversing a receipt whose money has
    already been paid out is refused as an overdraw, like any other payment.
    """
    original = get_trust_transaction(session, transaction_id, for_update=True)
    reason = clean_text(reason, MAX_DESCRIPTION, "reason", "the reason for the reversal", required=True)
    refusal = original.reversal_refusal()
    if refusal is not None:
        raise refusal
    if date < original.date:
        raise InvalidReversal(f"A reversal cannot be dated before {original.number} "
                              f"({original.date:%d %b %Y}).", "date")
    return post_trust(
        session, user, kind=TrustKind.REVERSAL, trust_account=original.trust_account, date=date,
        amount=original.amount, entries=[(entry.matter, -entry.amount) for entry in original.entries],
        gl_lines=[LineInput(line.account_id, -line.amount) for line in original.journal.lines],
        party=original.party, authority=original.authority, reference=original.number,
        description=f"Reversal of {original.number}: {reason}"[:MAX_DESCRIPTION],
        bill_id=original.bill_id, amount_field="date", reverses=original, reason=reason)
