"""Form pieces several blueprints share."""

import pytest

from accounting.errors import LedgerError
from blueprints.forms import fields_prefixed


def test_a_refusal_about_a_field_names_the_field_with_the_forms_prefix():
    with pytest.raises(LedgerError) as refused, fields_prefixed("payment"):
        raise LedgerError("Enter an amount.", "amount")
    assert refused.value.field == "payment-amount"
    assert refused.value.message == "Enter an amount."


def test_a_refusal_of_the_whole_form_stays_on_the_whole_form():
    with pytest.raises(LedgerError) as refused, fields_prefixed("payment"):
        raise LedgerError("The bill is not approved.")
    assert refused.value.field is None


def test_other_errors_pass_through_untouched():
    with pytest.raises(KeyError), fields_prefixed("payment"):
        raise KeyError("a bug")
