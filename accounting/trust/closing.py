"""A matter holding trust or controlled money cannot be closed, nor its client archived: closed, it
would leave the trust pickers with the money stranded in it. Registered with parties' closing checks
(accounting.parties.clients.refuse_closing_when) when trust is imported."""

from sqlalchemy.orm import Session

from accounting.money import ZERO, format_money
from accounting.parties.clients import Matter, refuse_closing_when
from accounting.trust.ledger import matter_trust_balances


@refuse_closing_when
def trust_money_held(session: Session, matter: Matter) -> str | None:
    """The money `matter` still holds, per trust account, and what to do with it; None when none."""
    held = [(account, balance) for account, balance in matter_trust_balances(session, matter.id)
            if balance != ZERO]
    if not held:
        return None
    amounts = ", ".join(f"{format_money(balance)} in {account.name}" for account, balance in held)
    return (f"matter {matter.number} holds {amounts}. Transfer it to office against a bill or pay it "
            "out (to the client) first.")
