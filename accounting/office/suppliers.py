"""Suppliers: the practice's directory of who it buys from, and the accounts their documents charge.

Invariants protected here:
- A supplier's ABN passes its checksum and is stored compact (11 digits, no spaces); its name is
  never blank; no text is longer than its column.
- A supplier document's line (invoice, credit note, purchase order) is charged only to an active
  expense, direct cost or asset account that is not a bank and plays no role in the books
  (`check_expense_account`), the same list the forms offer (`expense_accounts`); its GST is worked
  out from its tax code (`line_gst`): none when GST-free.

The documents live beside this module: supplier_documents (the rows of invoices, payments and
credit notes), supplier_invoices (invoices and their payments), supplier_credits (credit notes
and where they are applied) and purchase_orders.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ForeignKey, String, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from accounting.audit import record
from accounting.base import Base
from accounting.errors import InvalidAccount, LedgerError
from accounting.events import PartyChanged, PartyKind, emit
from accounting.ledger.accounts import Account, AccountType
from accounting.ledger.tax import TaxCode, gst_on
from accounting.lookup import fetch, like_pattern, page_of, valid_id
from accounting.money import ZERO
from accounting.parties.clients import check_email, check_lengths, validate_abn
from accounting.parties.users import User

MAX_LINES = 200  # lines on one supplier invoice, credit note or purchase order
# Accounts a supplier invoice line may be charged to: expenses, direct costs and assets bought.
EXPENSE_TYPES = (AccountType.EXPENSE, AccountType.OVERHEADS, AccountType.DIRECTCOSTS,
                 AccountType.DEPRECIATN, AccountType.FIXED, AccountType.NONCURRENT,
                 AccountType.CURRENT, AccountType.PREPAYMENT)


class Supplier(Base):
    """Someone the practice buys from. Its ABN is stored compact (checksummed on saving); its
    default account is offered on the first line of a new invoice."""

    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    abn: Mapped[str] = mapped_column(String(11), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    default_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    default_account: Mapped[Account | None] = relationship()

    @property
    def abn_display(self) -> str:
        a = self.abn
        return f"{a[:2]} {a[2:5]} {a[5:8]} {a[8:]}" if len(a) == 11 else a


@dataclass(frozen=True)
class SupplierDetails:
    """A supplier's details as typed."""

    name: str
    abn: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    default_account_id: int | None = None


def expense_accounts(session: Session) -> list[Account]:
    """Active accounts a supplier invoice line may be charged to, in code order."""
    return list(session.scalars(
        select(Account).where(Account.archived.is_(False), Account.type.in_(EXPENSE_TYPES),
                              Account.is_bank.is_(False), Account.role.is_(None))
        .order_by(Account.code)))


def check_expense_account(session: Session, account_id, field: str, label: str = "") -> Account:
    """The account `account_id` when a supplier document's line may be charged to it; else a
    refusal beside `field`, its message starting with `label` ("Line 2: ")."""
    number = valid_id(account_id) if isinstance(account_id, int) else None
    account = session.get(Account, number) if number is not None else None
    if account is None or account not in expense_accounts(session):
        raise InvalidAccount(f"{label}Choose an expense, direct cost or asset account.", field)
    return account


class GstFreeCheckbox:
    """A typed supplier-document line whose tax comes from the form's GST-free checkbox:
    `gst_free` is the box, `tax` the tax code it stands for."""

    gst_free: bool

    @property
    def tax(self) -> TaxCode:
        return TaxCode.GST_FREE if self.gst_free else TaxCode.GST


def line_gst(amount: Decimal, tax: TaxCode, rate: Decimal) -> Decimal:
    """The GST on one supplier document's line: none when GST-free."""
    return ZERO if tax == TaxCode.GST_FREE else gst_on(amount, rate)


def save_supplier(session: Session, user: User, details: SupplierDetails,
                  supplier: Supplier | None = None) -> Supplier:
    """Add a supplier, or change one; the ABN is checked (checksum) and stored compact."""
    name = details.name.strip()
    if not name:
        raise LedgerError("Enter the supplier's name.", "name")
    values = {"name": name, "abn": validate_abn(details.abn), "email": details.email.strip(),
              "phone": details.phone.strip(), "address": details.address.strip()}
    check_lengths(Supplier, values)
    check_email(values["email"])
    if details.default_account_id is not None:
        check_expense_account(session, details.default_account_id, "default_account_id")
    is_new = supplier is None
    if supplier is None:
        supplier = Supplier()
        session.add(supplier)
    for key, value in values.items():
        setattr(supplier, key, value)
    supplier.default_account_id = details.default_account_id
    session.flush()
    record(session, user, "created" if is_new else "changed", "supplier", supplier.id,
           f"Supplier {supplier.name} {'added' if is_new else 'changed'}")
    emit(session, PartyChanged(PartyKind.SUPPLIER, supplier.id, created=is_new))
    return supplier


def search_suppliers(session: Session, query: str = "", *, page: int = 1, per_page: int = 25):
    """Suppliers whose name, email or ABN contains `query`, by name; returns (rows, total)."""
    statement = select(Supplier)
    query = query.strip()
    if query:
        statement = statement.where(or_(
            func.lower(Supplier.name).like(like_pattern(query), escape="\\"),
            func.lower(Supplier.email).like(like_pattern(query), escape="\\"),
            Supplier.abn.like(like_pattern(query.replace(" ", "")), escape="\\"),
        ))
    return page_of(session, statement.order_by(Supplier.name, Supplier.id), page, per_page)


def all_suppliers(session: Session) -> list[Supplier]:
    """Every supplier, by name (the forms' choice of supplier)."""
    return list(session.scalars(select(Supplier).order_by(Supplier.name, Supplier.id)))


def get_supplier(session: Session, supplier_id: int) -> Supplier:
    """The supplier with this id, or NotFound."""
    return fetch(session, Supplier, supplier_id, missing="There is no such supplier.")
