"""Form pieces more than one blueprint uses: the correction form (when and why) and the prefix a
refusal's field takes on a page with several forms."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length

from accounting.errors import LedgerError


class CorrectionForm(FlaskForm):
    """Undo a payment, credit, write-off or refund, or void a credit note: when and why."""

    date = DateField("Date of the correction", validators=[InputRequired("Enter the date.")],
                     default=date.today)
    reason = StringField("Reason", validators=[
        InputRequired("Say why."), Length(max=200, message="Keep the reason under 200 characters.")])


@contextmanager
def fields_prefixed(prefix: str) -> Iterator[None]:
    """The books name fields plainly ("amount"); on a page with several forms they carry a prefix,
    so a refusal raised in the block names `prefix-amount` and shows beside the right field."""
    try:
        yield
    except LedgerError as error:
        if error.field:
            error.field = f"{prefix}-{error.field}"
        raise
