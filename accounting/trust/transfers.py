"""Trust money that leaves the matters' ledgers for the office or the statutory authority, interest
earned on trust accounts, statutory deposits and the practice's trust settings.

Every movement goes through `accounting.trust.ledger.post_trust` (the one way trust money moves), so the
matters' ledgers, the trust cash book (plus any statutory deposit) and the trust liability agree
after every step. Postings:

- transfer to office for a bill (T-):  Dr trust liability; Cr trust bank (matter ledger -amount)
                                       and, in the same database transaction, the bill's payment
                                       through `billing.record_payment`: Dr office bank; Cr Accounts
                                       Receivable (reference: the T- number).
- interest to matters (I-):            Dr trust bank; Cr trust liability per matter (ledgers +share).
- interest to the practice:            I-: Dr trust bank; Cr interest income, then at once
                                       T-: Dr office bank; Cr trust bank. Matter ledgers untouched,
                                       the trust bank nets to zero and both statement lines match.
- interest to the statutory body:      I-: Dr trust bank; Cr payable to the statutory body, then
                                       P-: Dr payable to the statutory body; Cr trust bank.
- statutory deposit (D-):              Dr statutory deposit (holds trust); Cr trust bank.
- statutory withdrawal (W-):           Dr trust bank; Cr statutory deposit.

Rules: a transfer pays only a posted bill of the matter whose money it uses, never more than the
bill owes nor than the matter holds. Matters are row-locked (id order) before bills (id order), so
two people transferring for the same matter or bill at once wait for each other. A batch is all or
nothing. A reversal undoes both sides of a transfer or of an interest payout; nothing is deleted.
"""

import enum
from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from accounting.audit import record
from accounting.base import Base
from accounting.errors import InvalidAccount, InvalidAmount, LedgerError, NotFound
from accounting.ledger.accounts import (
    Account,
    AccountRole,
    AccountType,
    account_for_role,
    office_bank_accounts,
)
from accounting.ledger.journals import LineInput
from accounting.ledger.practice import get_practice
from accounting.money import ZERO, format_money, parse_money
from accounting.office import billing
from accounting.office.bills import Bill, BillEvent, BillStatus
from accounting.parties.clients import Matter, MatterStatus
from accounting.parties.users import User
from accounting.trust.ledger import (
    TrustAccount,
    TrustAccountKind,
    TrustKind,
    TrustLedgerEntry,
    TrustStatus,
    TrustTransaction,
    account_balance,
    clean_text,
    get_trust_account,
    get_trust_transaction,
    lock_matters,
    matter_balance,
    matter_balances,
    post_trust,
    reverse_trust_transaction,
    statutory_deposit_balance,
    trust_accounts,
)

MAX_TEXT = 200
INTEREST_INCOME_CODE = "4-3000"


# ---- Settings ------------------------------------------------------------------------------------


class Jurisdiction(enum.StrEnum):
    """The state whose trust account law the practice follows: it decides whether statutory
    deposits are kept and where interest goes."""

    NSW = "NSW"
    VIC = "VIC"
    QLD = "QLD"
    SA = "SA"
    WA = "WA"
    TAS = "TAS"
    ACT = "ACT"
    NT = "NT"

    @property
    def label(self) -> str:
        return JURISDICTION_NAMES[self]

    @property
    def requires_statutory_deposit(self) -> bool:
        """NSW and Victoria require part of general trust money to be lodged with the authority."""
        return self in (Jurisdiction.NSW, Jurisdiction.VIC)


JURISDICTION_NAMES = {
    Jurisdiction.NSW: "New South Wales", Jurisdiction.VIC: "Victoria", Jurisdiction.QLD: "Queensland",
    Jurisdiction.SA: "South Australia", Jurisdiction.WA: "Western Australia",
    Jurisdiction.TAS: "Tasmania", Jurisdiction.ACT: "Australian Capital Territory",
    Jurisdiction.NT: "Northern Territory",
}
DEFAULT_AUTHORITIES = {
    Jurisdiction.NSW: "Law Society of New South Wales", Jurisdiction.VIC: "Victorian Legal Services Board",
    Jurisdiction.QLD: "Queensland Law Society", Jurisdiction.SA: "Law Society of South Australia",
    Jurisdiction.WA: "Legal Practice Board of Western Australia", Jurisdiction.TAS: "Solicitors' Trust",
    Jurisdiction.ACT: "ACT Law Society", Jurisdiction.NT: "Law Society Northern Territory",
}


class InterestDestination(enum.StrEnum):
    """Who trust account interest is credited to: the matters pro rata, the practice, or the
    statutory body."""

    MATTERS = "matters"
    PRACTICE = "practice"
    STATUTORY = "statutory"

    @property
    def label(self) -> str:
        return {"matters": "To the matters", "practice": "To the practice",
                "statutory": "To the statutory body"}[self.value]


class TrustSettings(Base):
    """The practice's trust rules (one row): where it practises and where trust interest goes."""

    __tablename__ = "trust_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[Jurisdiction] = mapped_column(
        Enum(Jurisdiction, native_enum=False, length=3), default=Jurisdiction.NSW)
    interest_destination: Mapped[InterestDestination] = mapped_column(
        Enum(InterestDestination, native_enum=False, length=10), default=InterestDestination.STATUTORY)
    statutory_authority: Mapped[str] = mapped_column(String(150), default="")

    @property
    def authority(self) -> str:
        """The statutory authority's name: as set, else the jurisdiction's usual body."""
        return self.statutory_authority or DEFAULT_AUTHORITIES[self.jurisdiction]


class TrustTransferLink(Base):
    """What a transfer out of trust paid: the bill's payment event, or the interest it passes on."""

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


def get_trust_settings(session: Session) -> TrustSettings:
    """The practice's trust settings, created with defaults the first time."""
    settings = session.scalar(select(TrustSettings).order_by(TrustSettings.id).limit(1))
    if settings is None:
        settings = TrustSettings(jurisdiction=Jurisdiction.NSW,
                                 interest_destination=InterestDestination.STATUTORY, statutory_authority="")
        session.add(settings)
        session.flush()
    return settings


def save_trust_settings(session: Session, user: User | None, *, jurisdiction: str,
                        interest_destination: str, statutory_authority: str) -> TrustSettings:
    """Change the trust settings (admins only, checked by the view)."""
    try:
        jurisdiction = Jurisdiction(jurisdiction)
    except ValueError:
        raise LedgerError("Choose the state or territory the practice holds trust money in.",
                          "jurisdiction") from None
    try:
        destination = InterestDestination(interest_destination)
    except ValueError:
        raise LedgerError("Choose where trust interest goes.", "interest_destination") from None
    authority = clean_text(statutory_authority, 150, "statutory_authority", "the authority's name")
    settings = get_trust_settings(session)
    settings.jurisdiction, settings.interest_destination = jurisdiction, destination
    settings.statutory_authority = authority
    session.flush()
    record(session, user, "changed", "trust_settings", settings.id,
           f"Trust settings: {jurisdiction.value}, interest {destination.label.lower()}, "
           f"authority {settings.authority}")
    return settings


# ---- Small checks --------------------------------------------------------------------------------


def _positive(value, field: str) -> Decimal:
    amount = value if isinstance(value, Decimal) else parse_money(value, field)
    if amount <= ZERO:
        raise InvalidAmount("Enter an amount more than zero.", field)
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidAmount("Use at most two decimals.", field)
    return amount


def _date(value, field: str = "date") -> Date:
    if not isinstance(value, Date):
        raise LedgerError("Enter the date.", field)
    return value


def _office_bank(session: Session, account_id) -> Account:
    """The office bank account chosen, else the chart's office bank (role OFFICE_BANK)."""
    if account_id in (None, ""):
        return account_for_role(session, AccountRole.OFFICE_BANK)
    banks = {account.id: account for account in office_bank_accounts(session)}
    try:
        return banks[int(account_id)]
    except (KeyError, TypeError, ValueError):
        raise InvalidAccount("Choose an office bank account.", "office_bank_account") from None


def _practice_name(session: Session) -> str:
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
            parsed.append((line, _positive(line.amount, line.field)))
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
    date = _date(date)
    authority = clean_text(authority, MAX_TEXT, "authority", "the client's authority for the transfer",
                      required=True)
    description = clean_text(description, 300, "description", "the description")
    bank = _office_bank(session, office_bank_account_id)
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


def _valid_id(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return 0
    return value if 0 < value < 2**31 else 0


def _bill_id(line: TransferLine) -> int:
    return _valid_id(line.bill_id)


def _free_code(session: Session, code: str) -> str:
    """`code`, or the next free code after it in the chart (1-1190, 1-1191, ...)."""
    prefix, number = code.rsplit("-", 1)
    candidate, n = code, int(number)
    while session.scalar(select(Account.id).where(Account.code == candidate)) is not None:
        n += 1
        candidate = f"{prefix}-{n}"
    return candidate


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
        raise LedgerError(f"Matter {bill.matter.number} is closed: trust money cannot move for it.",
                          line.field)
    if amount > bill.owed:
        raise InvalidAmount(f"{name}: that is more than is owed ({format_money(bill.owed)} owing).",
                            line.field)
    if amount > available:
        raise InvalidAmount(
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
        party=_practice_name(session), authority=authority,
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
      (`billing.undo_event`: its journal reversed, the bill owes the amount again);
    - interest passed on to the practice or the statutory body: the payout, then the interest;
    - anything else: the trust transaction alone.
    """
    date = _date(date)
    original = get_trust_transaction(session, transaction_id, for_update=True)
    link = link_of(session, original.id)
    if link is not None and link.interest_id is not None:
        raise LedgerError(f"{original.number} passes on interest {link.interest.number}: reverse the "
                          "interest and its payout goes with it.")
    if link is not None and link.bill_event_id is not None:
        reversal = reverse_trust_transaction(session, user, original.id, date=date, reason=reason)
        billing.undo_trust_payment(session, user, link.bill_event_id, date=date, reason=reason[:200])
        return [reversal]
    if original.kind in (TrustKind.STATUTORY_DEPOSIT, TrustKind.STATUTORY_WITHDRAWAL):
        _check_statutory_reversal(session, original)
    payout = payout_of(session, original.id) if original.kind is TrustKind.INTEREST else None
    reversals = []
    if payout is not None:
        reversals.append(reverse_trust_transaction(session, user, payout.transaction_id, date=date,
                                                   reason=reason))
    reversals.append(reverse_trust_transaction(session, user, original.id, date=date, reason=reason))
    return reversals


def _check_statutory_reversal(session: Session, original: TrustTransaction) -> None:
    """Reversing a deposit takes money back from the deposit, a withdrawal from the trust bank:
    never more than is there (the trust account's row locked first, as for a deposit)."""
    trust_account = get_trust_account(session, original.trust_account_id, for_update=True)
    if original.kind is TrustKind.STATUTORY_DEPOSIT:
        held = statutory_deposit_balance(session, trust_account)
        if original.amount > held and original.status is TrustStatus.POSTED:
            raise InvalidAmount(f"The statutory deposit holds {format_money(held)}: reversing "
                                f"{original.number} ({format_money(original.amount)}) would overdraw it.")
    else:
        cash = account_balance(session, trust_account.account_id)
        if original.amount > cash and original.status is TrustStatus.POSTED:
            raise InvalidAmount(f"{trust_account.name} holds {format_money(cash)}: reversing "
                                f"{original.number} ({format_money(original.amount)}) would overdraw it.")


# ---- Interest ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterestShare:
    matter_id: int
    amount: object
    field: str = "amount"


def interest_income_accounts(session: Session) -> list[Account]:
    """Income accounts interest kept by the practice may be credited to (Interest Income first)."""
    accounts = session.scalars(select(Account).where(
        Account.type.in_([AccountType.OTHERINCOME, AccountType.REVENUE]), Account.archived.is_(False),
        Account.holds_trust.is_(False)).order_by(Account.code)).all()
    return sorted(accounts, key=lambda a: (a.code != INTEREST_INCOME_CODE, a.code))


def _income_account(session: Session, account_id) -> Account:
    accounts = {a.id: a for a in interest_income_accounts(session)}
    if account_id in (None, ""):
        if not accounts:
            raise InvalidAccount("The chart has no income account for interest.", "income_account")
        return next(iter(accounts.values()))
    try:
        return accounts[int(account_id)]
    except (KeyError, TypeError, ValueError):
        raise InvalidAccount("Choose an income account.", "income_account") from None


def statutory_payable_account(session: Session, user: User | None) -> Account:
    """The liability for interest owed to the statutory body (created the first time)."""
    from accounting.ledger.accounts import create_account

    name = f"Payable to {get_trust_settings(session).authority}"[:150]
    existing = session.scalar(select(Account).where(Account.name == name,
                                                    Account.type == AccountType.CURRLIAB))
    if existing is not None:
        return existing
    return create_account(session, user, code=_free_code(session, "2-2190"), name=name,
                          type=AccountType.CURRLIAB,
                          description="Trust interest owed to the statutory body, passed on at once.")


def record_interest(session: Session, user: User | None, *, trust_account_id, date, amount,
                    destination: str | None = None, shares: list[InterestShare] | None = None,
                    income_account_id=None, office_bank_account_id=None, reference: str = "",
                    description: str = "") -> list[TrustTransaction]:
    """Interest the bank paid into a trust account, and where it goes.

    To matters: one I- transaction (Dr trust bank, Cr liability per matter; the shares must add up
    to the interest). To the practice or the statutory body: an I- transaction crediting interest
    income or the payable to the body, and at once the payout out of trust (T- to the office bank, or
    P- to the body), so the trust bank nets to zero and no matter's ledger changes.
    """
    trust_account = get_trust_account(session, trust_account_id, "trust_account")
    date = _date(date)
    amount = _positive(amount, "amount")
    settings = get_trust_settings(session)
    try:
        destination = InterestDestination(destination or settings.interest_destination)
    except ValueError:
        raise LedgerError("Choose where the interest goes.", "destination") from None
    if trust_account.kind is TrustAccountKind.CONTROLLED and destination is not InterestDestination.MATTERS:
        raise LedgerError("Interest on controlled money belongs to its client: it goes to the matter.",
                          "destination")
    reference = clean_text(reference, 100, "reference", "the bank's reference")
    description = clean_text(description, 300, "description", "the description")
    bank_line = LineInput(trust_account.account_id, amount, f"Interest on {trust_account.name}")
    common = dict(trust_account=trust_account, date=date, amount=amount, reference=reference,
                  party=trust_account.bank_name or "Bank")
    if destination is InterestDestination.MATTERS:
        entries = _interest_shares(session, shares or [], amount)
        label = f"Interest on {trust_account.name} to {len(entries)} matter(s)"
        return [post_trust(
            session, user, kind=TrustKind.INTEREST, entries=entries, narration=label,
            description=description or label,
            gl_lines=[bank_line, *(LineInput(trust_account.liability_account_id, -share,
                                             f"Interest to {matter.number}") for matter, share in entries)],
            **common)]
    if destination is InterestDestination.PRACTICE:
        income = _income_account(session, income_account_id)
        office = _office_bank(session, office_bank_account_id)
        label = f"Interest on {trust_account.name} to the practice"
        interest = post_trust(session, user, kind=TrustKind.INTEREST, entries=[], narration=label,
                              description=description or label,
                              gl_lines=[bank_line, LineInput(income.id, -amount, label)], **common)
        payout = post_trust(
            session, user, kind=TrustKind.TRANSFER_TO_OFFICE, trust_account=trust_account, date=date,
            amount=amount, entries=[], narration=f"{label} ({interest.number}) to {office.name}",
            gl_lines=[LineInput(office.id, amount, label),
                      LineInput(trust_account.account_id, -amount, label)],
            party=_practice_name(session), description=f"Interest {interest.number} to the practice",
            reference=interest.number)
    else:
        payable = statutory_payable_account(session, user)
        label = f"Interest on {trust_account.name} to {settings.authority}"[:200]
        interest = post_trust(session, user, kind=TrustKind.INTEREST, entries=[], narration=label,
                              description=description or label,
                              gl_lines=[bank_line, LineInput(payable.id, -amount, label)], **common)
        payout = post_trust(
            session, user, kind=TrustKind.PAYMENT, trust_account=trust_account, date=date, amount=amount,
            entries=[], narration=f"{label} ({interest.number}) paid", party=settings.authority[:MAX_TEXT],
            gl_lines=[LineInput(payable.id, amount, label),
                      LineInput(trust_account.account_id, -amount, label)],
            authority="Statutory interest", description=f"Interest {interest.number} paid to the body",
            reference=interest.number)
    session.add(TrustTransferLink(transaction_id=payout.id, interest_id=interest.id))
    session.flush()
    return [interest, payout]


def _interest_shares(session: Session, shares: list[InterestShare], amount: Decimal) -> list:
    entries, seen = [], set()
    for share in shares:
        if share.amount is None or str(share.amount).strip() in ("", "0", "0.00"):
            continue
        value = _positive(share.amount, share.field)
        matter_id = _valid_id(share.matter_id)
        matter = session.get(Matter, matter_id) if matter_id else None
        if matter is None:
            raise LedgerError("Choose a matter.", share.field)
        if matter.status != MatterStatus.OPEN:
            raise LedgerError(f"Matter {matter.number} is closed: it cannot take interest.", share.field)
        if matter.id in seen:
            raise LedgerError(f"Matter {matter.number} is listed twice.", share.field)
        seen.add(matter.id)
        entries.append((matter, value))
    if not entries:
        raise LedgerError("Share the interest among at least one matter.",
                          shares[0].field if shares else "amount")
    total = sum((value for _, value in entries), ZERO)
    if total != amount:
        raise InvalidAmount(f"The matters' shares add up to {format_money(total)}, not the interest of "
                            f"{format_money(amount)}.", shares[0].field)
    return entries


def proportional_shares(balances: dict[int, Decimal], amount: Decimal) -> dict[int, Decimal]:
    """`amount` shared by the matters in proportion to their balances, to the cent, adding up exactly
    (largest remainder: the cents left over go to the biggest remainders, then the lowest ids)."""
    held = {mid: value for mid, value in balances.items() if value > ZERO}
    total = sum(held.values(), ZERO)
    if total == ZERO or amount <= ZERO:
        return {}
    cents = int(amount * 100)
    exact = {mid: cents * value / total for mid, value in held.items()}
    shares = {mid: int(value) for mid, value in exact.items()}
    left = cents - sum(shares.values())
    for mid in sorted(exact, key=lambda m: (-(exact[m] - shares[m]), m))[:left]:
        shares[mid] += 1
    return {mid: Decimal(c) / 100 for mid, c in shares.items() if c}


def interest_history(session: Session, trust_account: TrustAccount) -> list[tuple[TrustTransaction,
                                                                                   TrustTransaction | None]]:
    """Interest received into a trust account, newest first, with each one's payout (if any)."""
    rows = session.scalars(select(TrustTransaction).where(
        TrustTransaction.trust_account_id == trust_account.id, TrustTransaction.kind == TrustKind.INTEREST)
        .order_by(TrustTransaction.date.desc(), TrustTransaction.id.desc()).limit(50)).all()
    result = []
    for interest in rows:
        link = payout_of(session, interest.id)
        result.append((interest, link.transaction if link else None))
    return result


# ---- Statutory deposits --------------------------------------------------------------------------


def statutory_deposits_required(session: Session) -> bool:
    return get_trust_settings(session).jurisdiction.requires_statutory_deposit


def statutory_account(session: Session, user: User | None, trust_account: TrustAccount) -> Account:
    """The statutory deposit asset of a general trust account (holds trust), created the first time."""
    if trust_account.statutory_account_id is not None:
        return trust_account.statutory_account
    from accounting.ledger.accounts import create_account

    authority = get_trust_settings(session).authority
    account = create_account(session, user, code=_free_code(session, "1-1190"),
                             name=f"Statutory Deposit — {authority}"[:150], type=AccountType.CURRENT,
                             description=f"Part of {trust_account.name} lodged with {authority}."[:500])
    account.holds_trust = True
    trust_account.statutory_account_id, trust_account.statutory_account = account.id, account
    session.flush()
    return account


def _statutory_trust_account(session: Session, trust_account_id) -> TrustAccount:
    if not statutory_deposits_required(session):
        raise LedgerError(f"{get_trust_settings(session).jurisdiction.label} does not require statutory "
                          "deposits.")
    # Locked: two deposits or withdrawals at once must not both spend the same cash.
    trust_account = get_trust_account(session, trust_account_id, "trust_account", for_update=True)
    if trust_account.kind is not TrustAccountKind.GENERAL:
        raise LedgerError("Only a general trust account lodges statutory deposits.", "trust_account")
    return trust_account


def lodge_statutory_deposit(session: Session, user: User | None, *, trust_account_id, date, amount,
                            reference: str = "", description: str = "") -> TrustTransaction:
    """Lodge part of a general trust account with the statutory authority: Dr deposit, Cr trust bank.

    Matters' ledgers do not change (the money is still theirs); never more than the cash book holds.
    """
    trust_account = _statutory_trust_account(session, trust_account_id)
    date, amount = _date(date), _positive(amount, "amount")
    reference = clean_text(reference, 100, "reference", "the reference")
    description = clean_text(description, 300, "description", "the description")
    cash = account_balance(session, trust_account.account_id)
    if amount > cash:
        raise InvalidAmount(f"{trust_account.name} holds {format_money(cash)}: a deposit cannot be more "
                            "than that.", "amount")
    deposit = statutory_account(session, user, trust_account)
    authority = get_trust_settings(session).authority
    label = f"Statutory deposit with {authority}"[:200]
    return post_trust(session, user, kind=TrustKind.STATUTORY_DEPOSIT, trust_account=trust_account, date=date,
                      amount=amount, entries=[], narration=label, party=authority[:MAX_TEXT],
                      description=description or label, reference=reference,
                      gl_lines=[LineInput(deposit.id, amount, label),
                                LineInput(trust_account.account_id, -amount, label)])


def withdraw_statutory_deposit(session: Session, user: User | None, *, trust_account_id, date, amount,
                               reference: str = "", description: str = "") -> TrustTransaction:
    """Take money back from the statutory deposit: Dr trust bank, Cr deposit; never more than lodged."""
    trust_account = _statutory_trust_account(session, trust_account_id)
    date, amount = _date(date), _positive(amount, "amount")
    reference = clean_text(reference, 100, "reference", "the reference")
    description = clean_text(description, 300, "description", "the description")
    held = statutory_deposit_balance(session, trust_account)
    if amount > held:
        raise InvalidAmount(f"The statutory deposit holds {format_money(held)}: withdraw no more than that.",
                            "amount")
    authority = get_trust_settings(session).authority
    label = f"Statutory deposit withdrawn from {authority}"[:200]
    return post_trust(session, user, kind=TrustKind.STATUTORY_WITHDRAWAL, trust_account=trust_account,
                      date=date, amount=amount, entries=[], narration=label, party=authority[:MAX_TEXT],
                      description=description or label, reference=reference,
                      gl_lines=[LineInput(trust_account.account_id, amount, label),
                                LineInput(trust_account.statutory_account_id, -amount, label)])


def statutory_ledger(session: Session, trust_account: TrustAccount) -> list[tuple[TrustTransaction, Decimal,
                                                                                   Decimal]]:
    """Deposits, withdrawals (and their reversals), oldest first: (transaction, change, running balance)."""
    if trust_account.statutory_account_id is None:
        return []
    from accounting.ledger.journals import JournalLine

    rows = session.execute(
        select(TrustTransaction, JournalLine.amount)
        .join(JournalLine, JournalLine.journal_id == TrustTransaction.journal_id)
        .where(JournalLine.account_id == trust_account.statutory_account_id,
               TrustTransaction.trust_account_id == trust_account.id)
        .order_by(TrustTransaction.date, TrustTransaction.id)).all()
    ledger, running = [], ZERO
    for transaction, change in rows:
        running += change
        ledger.append((transaction, change, running))
    return ledger


# ---- Controlled money ----------------------------------------------------------------------------


def controlled_accounts(session: Session) -> list[tuple[TrustAccount, Decimal]]:
    """Controlled money accounts with what each holds (its cash book balance)."""
    return [(account, account_balance(session, account.account_id))
            for account in trust_accounts(session, include_closed=True)
            if account.kind is TrustAccountKind.CONTROLLED]


def account_ledger(session: Session, trust_account: TrustAccount) -> list[tuple[TrustTransaction, Decimal,
                                                                                 Decimal]]:
    """A trust account's ledger, oldest first: (transaction, change to its matters, running balance)."""
    rows = session.execute(
        select(TrustTransaction, TrustLedgerEntry.amount)
        .join(TrustLedgerEntry, TrustLedgerEntry.transaction_id == TrustTransaction.id)
        .where(TrustTransaction.trust_account_id == trust_account.id)
        .order_by(TrustTransaction.date, TrustTransaction.id, TrustLedgerEntry.id)).all()
    ledger, running = [], ZERO
    for transaction, change in rows:
        running += change
        ledger.append((transaction, change, running))
    return ledger


def get_controlled_account(session: Session, trust_account_id) -> TrustAccount:
    account = get_trust_account(session, trust_account_id)
    if account.kind is not TrustAccountKind.CONTROLLED:
        raise NotFound("There is no such controlled money account.")
    return account


def recent_transfers(session: Session, limit: int = 20) -> list[TrustTransaction]:
    """The latest transfers to office, newest first."""
    return list(session.scalars(select(TrustTransaction).where(
        TrustTransaction.kind == TrustKind.TRANSFER_TO_OFFICE)
        .order_by(TrustTransaction.date.desc(), TrustTransaction.id.desc()).limit(limit)))

