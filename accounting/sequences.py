"""Number sequences (journal numbers, later bill and receipt numbers) that never repeat.

The counter row is incremented in the caller's transaction, so a rolled-back posting gives its
number back and the sequence stays without gaps. On PostgreSQL the row is locked FOR UPDATE, so
two concurrent postings wait for each other instead of taking the same number.
"""

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounting.base import Base, insert_if_missing


class NumberSequence(Base):
    """One named counter (e.g. journal:GJ-, client, matter): the next number to hand out, with its
    prefix and width. It only ever goes up, inside the transaction that uses the number."""

    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(10))
    next_value: Mapped[int] = mapped_column(Integer, default=1)
    width: Mapped[int] = mapped_column(Integer, default=6)


def next_number(session: Session, name: str, prefix: str, width: int = 6) -> str:
    """Take the next number of sequence `name`, e.g. 'GJ-000042'."""
    return take_numbers(session, name, prefix, 1, width)[0]


def take_numbers(session: Session, name: str, prefix: str, count: int, width: int = 6) -> list[str]:
    """Take the next `count` numbers of sequence `name` in one update (the sequence starts at 1 the
    first time, even when two people take its first number at once)."""
    insert_if_missing(session, NumberSequence, {"name": name}, prefix=prefix, next_value=1, width=width)
    seq = session.execute(
        select(NumberSequence).where(NumberSequence.name == name).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    first = seq.next_value
    seq.next_value = first + count
    session.flush()
    return [f"{seq.prefix}{value:0{seq.width}d}" for value in range(first, first + count)]
