"""Reading rows by id, searching and paging, and cleaning typed text: one helper for each, so every
wing refuses the same inputs the same way.

Ids come from URLs and forms, so they may be anything: an id outside 1 .. MAX_ID is simply not
found (a larger one would overflow PostgreSQL's INTEGER and fail in the driver instead). A page
number is capped at MAX_PAGE, which keeps OFFSET inside what every database accepts.
"""

import re
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from accounting.errors import LedgerError, NotFound

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the narrowest primary key we run on
MAX_PAGE = 100_000
_ASCII_DIGITS = re.compile(r"[0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

Row = TypeVar("Row")


def valid_id(value) -> int | None:
    """`value` as a row id when it can be one (an integer from 1 to MAX_ID), else None.

    The one reader of ids from URLs, forms and query strings. Typed text must be ASCII digits
    alone: int() would also take "٣", "１２", " 7 " and "1_000", and str.isdigit() passes "²",
    which int() then refuses with a ValueError."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and not (
            _ASCII_DIGITS.fullmatch(value) and len(value) <= len(str(MAX_ID))):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def fetch(session: Session, model: type[Row], row_id, *, missing: str,
          for_update: bool = False) -> Row:
    """The `model` row with id `row_id`, or NotFound(`missing`).

    With `for_update` the row is locked and read again (not taken from the session's cache), so
    what the caller checks next is what it will change."""
    number = valid_id(row_id)
    row = None
    if number is not None:
        statement = select(model).where(model.id == number)
        if for_update:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        row = session.execute(statement).scalar_one_or_none()
    if row is None:
        raise NotFound(missing)
    return row


def like_pattern(query: str) -> str:
    """A lower-case LIKE pattern (use with `escape="\\\\"`) matching `query` anywhere, literally:
    its % and _ are not wildcards."""
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def page_number(value) -> int:
    """A page number from 1 to MAX_PAGE; junk means page 1."""
    try:
        return min(MAX_PAGE, max(1, int(value)))
    except (TypeError, ValueError):
        return 1


def page_of(session: Session, statement: Select, page: int, per_page: int) -> tuple[list, int]:
    """One page of `statement`'s rows (scalars) and how many rows there are in all."""
    counted = statement.order_by(None).subquery()
    total = session.execute(select(func.count()).select_from(counted)).scalar_one()
    rows = session.execute(
        statement.limit(per_page).offset((page_number(page) - 1) * per_page)
    ).scalars().all()
    return list(rows), total


def column_limit(column) -> int:
    """The length a String column holds (`column_limit(Client.name)` -> 200): forms and checks
    read it from the model, so a limit is written once, where the column is."""
    return column.type.length


def clean_text(value: str | None, limit: int, field: str | None, what: str, *,
               required: bool = False, multiline: bool = True) -> str:
    """`value` stripped; refused beside `field` when required and blank, longer than `limit` (the
    column's length, see column_limit), or holding a control character (NUL fails in
    PostgreSQL; tab is text, and line breaks are where `multiline`). `what` names the value in
    the message ("the reference")."""
    value = (value or "").strip()
    if required and not value:
        raise LedgerError(f"Enter {what}.", field)
    if _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
        raise LedgerError(f"Keep {what} to plain text: no control characters"
                          f"{'' if multiline else ' or line breaks'}.", field)
    if len(value) > limit:
        raise LedgerError(f"Keep {what} under {limit} characters.", field)
    return value
