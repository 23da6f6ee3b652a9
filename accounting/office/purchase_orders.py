"""Purchase orders: what the practice asks a supplier for, raised as a draft and marked sent.

Invariants protected here:
- An order is a promise, not a liability: it posts nothing to the ledger.
- Each line's amount is quantity x unit price rounded half-up to the cent, and its GST is worked
  out from its tax code as an invoice line's is; the order's total is their sum.
- Only a draft order is changed; once marked sent it stays as sent.
"""

import datetime as dt
import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from accounting.audit import record
from accounting.base import Base
from accounting.errors import InvalidAmount, LedgerError, NotADraft
from accounting.ledger.accounts import Account
from accounting.ledger.practice import get_practice
from accounting.ledger.tax import TaxCode
from accounting.lookup import fetch, page_of, valid_id
from accounting.money import ZERO, Money, format_money, money_product
from accounting.office.suppliers import MAX_LINES, GstFreeCheckbox, Supplier, check_expense_account, line_gst
from accounting.parties.users import User
from accounting.sequences import next_number


class OrderStatus(enum.StrEnum):
    """A purchase order is a draft (editable) until it is marked sent to the supplier."""

    DRAFT = "draft"
    SENT = "sent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PurchaseOrder(Base):
    """An order to a supplier. It is a promise, not a liability: it posts nothing to the ledger."""

    __tablename__ = "purchase_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    delivery_date: Mapped[dt.date | None] = mapped_column(Date)  # `date` is the column above
    status: Mapped[OrderStatus] = mapped_column(
        Enum(OrderStatus, native_enum=False, length=10), default=OrderStatus.DRAFT)

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        back_populates="order", order_by="PurchaseOrderLine.line_no", cascade="all, delete-orphan")

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def gst(self) -> Decimal:
        return sum((line.gst_amount for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.gst

    def is_draft(self) -> bool:
        return self.status == OrderStatus.DRAFT


class PurchaseOrderLine(Base):
    """One line of a purchase order: a quantity at a unit price on an account, its amount (the two
    multiplied, to the cent), tax code and GST."""

    __tablename__ = "purchase_order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    # Quantities have at most two decimals, so the exact cents column type serves them too.
    quantity: Mapped[Decimal] = mapped_column(Money)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    tax: Mapped[TaxCode] = mapped_column(Enum(TaxCode, native_enum=False, length=12))
    amount: Mapped[Decimal] = mapped_column(Money)
    gst_amount: Mapped[Decimal] = mapped_column(Money, default=ZERO)

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()


@dataclass(frozen=True)
class OrderLineInput(GstFreeCheckbox):
    """One typed order line. `gst_free` is the form's GST-free checkbox; `tax` is the tax code it
    stands for."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    account_id: int | None
    gst_free: bool = False


@dataclass(frozen=True)
class OrderDetails:
    """A purchase order as typed: header and lines."""

    supplier_id: int | None
    date: date
    delivery_date: date | None
    lines: list[OrderLineInput]


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity x unit price, rounded half-up to the cent; refused beyond MAX_AMOUNT."""
    return money_product(quantity, unit_price)


def order_totals(lines: list[OrderLineInput], rate: Decimal) -> dict:
    """Subtotal, GST and total of order lines (the live totals of the order form)."""
    amounts = [(line_amount(x.quantity, x.unit_price), x.tax) for x in lines]
    subtotal = sum((a for a, _ in amounts), ZERO)
    gst = sum((line_gst(a, tax, rate) for a, tax in amounts), ZERO)
    return {"subtotal": subtotal, "gst": gst, "total": subtotal + gst}


def _check_order(session: Session, details: OrderDetails) -> Supplier:
    supplier_id = valid_id(details.supplier_id) if details.supplier_id is not None else None
    supplier = session.get(Supplier, supplier_id) if supplier_id is not None else None
    if supplier is None:
        raise LedgerError("Choose the supplier.", "supplier_id")
    if details.delivery_date is not None and details.delivery_date < details.date:
        raise LedgerError("The delivery date cannot be before the order date.", "delivery_date")
    if not details.lines:
        raise LedgerError("An order needs at least one line.", "lines")
    if len(details.lines) > MAX_LINES:
        raise LedgerError(f"An order has at most {MAX_LINES} lines.", "lines")
    for i, line in enumerate(details.lines):
        n = i + 1
        if not line.description.strip() or len(line.description.strip()) > 300:
            raise LedgerError(f"Line {n}: describe what is ordered (up to 300 characters).",
                              f"lines-{i}-description")
        if line.quantity <= ZERO:
            raise InvalidAmount(f"Line {n}: the quantity must be more than zero.", f"lines-{i}-quantity")
        if line.unit_price < ZERO:
            raise InvalidAmount(f"Line {n}: the unit price cannot be negative.", f"lines-{i}-unit_price")
        check_expense_account(session, line.account_id, f"lines-{i}-account", f"Line {n}: ")
    return supplier


def _write_order(order: PurchaseOrder, details: OrderDetails, supplier: Supplier, rate: Decimal):
    order.supplier_id, order.date, order.delivery_date = supplier.id, details.date, details.delivery_date
    order.lines.clear()
    for i, line in enumerate(details.lines):
        amount = line_amount(line.quantity, line.unit_price)
        order.lines.append(PurchaseOrderLine(
            line_no=i + 1, description=line.description.strip(), quantity=line.quantity,
            unit_price=line.unit_price, account_id=line.account_id, tax=line.tax,
            amount=amount, gst_amount=line_gst(amount, line.tax, rate)))


def create_order(session: Session, user: User, details: OrderDetails) -> PurchaseOrder:
    """Raise a purchase order (a draft, numbered PO-); it posts nothing."""
    supplier = _check_order(session, details)
    order = PurchaseOrder(number=next_number(session, "purchase_order", "PO-", 5))
    _write_order(order, details, supplier, get_practice(session).gst_rate)
    session.add(order)
    session.flush()
    record(session, user, "created", "purchase_order", order.id,
           f"Purchase order {order.number} to {supplier.name}: {format_money(order.total)}")
    return order


def update_order(session: Session, user: User, order: PurchaseOrder, details: OrderDetails) -> None:
    """Change a draft purchase order."""
    if not order.is_draft():
        raise NotADraft(f"{order.number} has been sent: only a draft order can be edited.")
    supplier = _check_order(session, details)
    _write_order(order, details, supplier, get_practice(session).gst_rate)
    session.flush()
    record(session, user, "changed", "purchase_order", order.id,
           f"Purchase order {order.number} changed: {format_money(order.total)}")


def mark_order_sent(session: Session, user: User, order: PurchaseOrder) -> None:
    """Mark a draft order as sent to the supplier; it can no longer be edited."""
    if not order.is_draft():
        raise NotADraft(f"{order.number} is already marked sent.")
    order.status = OrderStatus.SENT
    session.flush()
    record(session, user, "sent", "purchase_order", order.id, f"Purchase order {order.number} sent")


def get_order(session: Session, order_id: int) -> PurchaseOrder:
    """The purchase order with this id, or NotFound."""
    return fetch(session, PurchaseOrder, order_id, missing="There is no such purchase order.")


def list_orders(session: Session, *, page: int = 1, per_page: int = 25):
    """Purchase orders, newest first; returns (rows, total)."""
    statement = select(PurchaseOrder).options(selectinload(PurchaseOrder.supplier)).order_by(
        PurchaseOrder.date.desc(), PurchaseOrder.id.desc())
    return page_of(session, statement, page, per_page)
