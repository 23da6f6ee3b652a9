"""Form pieces more than one blueprint uses: the correction form (when and why), a text field's
length from its column, the date-order check, and the prefix a refusal's field takes on a page
with several forms."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from accounting.errors import LedgerError
from accounting.lookup import column_limit


def fits(column) -> Length:
    """A Length validator with the column's own limit: refused on the server beyond it, and
    rendered as the input's maxlength (WTForms adds it from the validator)."""
    limit = column_limit(column)
    return Length(max=limit, message=f"Use at most {limit} characters.")


class NotBefore:
    """A date field no earlier than the form's `other` date field (a due date and its bill's date).

    The books refuse it too; checking it in the form as well shows it with every other field's
    error at once, rather than only after those are fixed."""

    def __init__(self, other: str, message: str):
        self.other, self.message = other, message

    def __call__(self, form, field) -> None:
        earliest = form[self.other].data
        if field.data and isinstance(earliest, date) and field.data < earliest:
            raise ValidationError(self.message)


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
