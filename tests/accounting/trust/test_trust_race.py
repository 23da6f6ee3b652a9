"""The trust race, measured: 50 people paying $10 each at once out of a matter holding $100, each in
its own thread with its own session, on SQLite (a file database) and PostgreSQL. Ten are paid, forty
refused, and the ledger ends at $0.00, never below."""

import time
from decimal import Decimal

from accounting.errors import WouldOverdraw
from accounting.integrity import trust_problems
from accounting.trust.ledger import lowest_balance_from
from accounting.trust.posting import record_payment
from tests.support import run_at_once
from tests.trust_support import JULY

PEOPLE = 50


def test_fifty_ten_dollar_payments_at_once_from_a_hundred_pay_ten_and_never_overdraw(app, trust):
    trust.receive("100.00")
    trust.s.commit()
    account_id, matter_id = trust.account.id, trust.lease.id

    def pay_ten(session):  # no user: the test's User row belongs to the test's own session
        return record_payment(session, None, trust_account_id=account_id, matter_id=matter_id, date=JULY,
                              amount="10.00", payee="Vendor", method="eft", authority="Signed",
                              description="Settlement")

    started = time.monotonic()
    results = run_at_once(app, *[pay_ten] * PEOPLE, timeout=120)
    elapsed = time.monotonic() - started
    paid = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, WouldOverdraw)]
    print(f"\n{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: {len(paid)} paid, "
          f"{len(refused)} refused, in {elapsed:.2f} s")
    assert (len(paid), len(refused)) == (10, 40)
    trust.s.expire_all()
    account = trust.s.get(type(trust.account), account_id)
    assert trust.balance() == Decimal("0.00")
    assert lowest_balance_from(trust.s, account, matter_id, JULY) == (JULY, Decimal("0.00"))
    assert trust_problems(trust.s) == []
