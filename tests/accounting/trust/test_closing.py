"""Money stranded: a matter holding trust or controlled money cannot be closed, nor its client
archived; closing with unbilled work is allowed but warned of."""

from datetime import date
from decimal import Decimal

import pytest

from accounting.errors import LedgerError
from accounting.office.work_in_progress import record_entry
from accounting.parties.clients import MatterStatus, archive_client, closing_warnings, update_matter
from accounting.trust.ledger import TrustAccount, matter_for_trust

D = Decimal
JULY = date(2026, 7, 1)


def close(trust, matter):
    update_matter(trust.s, trust.books.admin, matter, description=matter.description,
                  responsible_id=None, status="closed", today=date(2026, 8, 1))


def test_a_matter_holding_trust_money_cannot_be_closed_and_the_refusal_names_the_balance(trust):
    trust.receive("250.00")
    with pytest.raises(LedgerError) as refused:
        close(trust, trust.lease)
    message = refused.value.message
    assert f"Matter {trust.lease.number} cannot be closed" in message
    assert "250.00 in" in message and trust.account.name in message
    assert "Transfer it to office" in message and "pay it" in message
    assert refused.value.field == "status"
    assert trust.lease.status is MatterStatus.OPEN
    assert matter_for_trust(trust.s, trust.lease.id, "matter") is trust.lease  # still in the pickers


def test_a_matter_holding_controlled_money_cannot_be_closed(trust):
    controlled = trust.controlled()
    trust.receive("40.00", matter=trust.estate, account=controlled)
    with pytest.raises(LedgerError, match=r"40\.00 in Controlled: Bo estate"):
        close(trust, trust.estate)


def test_a_matter_whose_trust_money_is_all_paid_out_closes(trust):
    trust.receive("100.00")
    trust.pay("100.00")
    close(trust, trust.lease)
    assert trust.lease.status is MatterStatus.CLOSED


def test_a_client_with_a_matter_holding_trust_money_cannot_be_archived(trust):
    trust.receive("75.50")
    client = trust.lease.client
    with pytest.raises(LedgerError) as refused:
        archive_client(trust.s, trust.books.admin, client)
    assert f"Client {client.name} cannot be archived" in refused.value.message
    assert "75.50" in refused.value.message and "Transfer it to office" in refused.value.message
    assert client.archived is False
    trust.pay("75.50")
    archive_client(trust.s, trust.books.admin, client)
    assert client.archived is True


def test_closing_with_unbilled_work_warns_of_it(trust):
    record_entry(trust.s, trust.books.admin, matter_id=trust.lease.id, kind="time", on=JULY,
                 person_id=trust.books.staff.id, description="Drafting", hours=D("2"), rate=D("150"))
    assert closing_warnings(trust.s, trust.lease) == [
        f"Matter {trust.lease.number} has 1 unbilled entry (300.00): bill or write them off."]
    close(trust, trust.lease)  # a warning, not a refusal
    assert trust.lease.status is MatterStatus.CLOSED
    assert trust.s.get(TrustAccount, trust.account.id) is not None
