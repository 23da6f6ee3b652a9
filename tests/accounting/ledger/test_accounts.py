"""The chart of accounts: unique codes, types, archive, delete only when never posted to."""

import pytest
from sqlalchemy import select

from accounting.audit import AuditEvent
from accounting.errors import InvalidAccount, LedgerError, NotFound
from accounting.ledger.accounts import (
    DEFAULT_CHART,
    Account,
    AccountClass,
    AccountRole,
    AccountType,
    account_for_role,
    create_account,
    delete_account,
    get_account,
    install_default_chart,
    list_accounts,
    missing_default_accounts,
    set_archived,
    update_account,
)


def add(session, user, **values) -> Account:
    data = {"code": "6-2450", "name": "Staff Training", "type": AccountType.OVERHEADS}
    data.update(values)
    return create_account(session, user, **data)


def edit(session, user, account, **values) -> None:
    data = {"code": account.code, "name": account.name, "type": account.type,
            "is_bank": account.is_bank, "description": account.description}
    data.update(values)
    update_account(session, user, account, **data)


def test_the_default_chart_has_every_account_the_books_need(db_session, books):
    assert {role for *_, role, _ in DEFAULT_CHART if role} == set(AccountRole)
    assert account_for_role(db_session, AccountRole.TRUST_LIABILITY).code == "2-2000"
    assert missing_default_accounts(db_session) == 0
    assert install_default_chart(db_session) == 0
    codes = [a.code for a in list_accounts(db_session)]
    assert codes == sorted(codes) and len(codes) == len(DEFAULT_CHART)


def test_types_know_their_class_and_label():
    assert AccountType.BANK.account_class == AccountClass.ASSET
    assert AccountType.CURRLIAB.label == "Current liability"
    assert AccountType.DEPRECIATN.account_class == AccountClass.EXPENSE
    assert AccountRole.GST_COLLECTED.label == "GST collected"
    assert AccountRole.ACCOUNTS_RECEIVABLE.label == "Accounts receivable"


def test_a_new_account_is_added_and_audited(db_session, books):
    account = add(db_session, books.admin, description="  CPD  ")
    assert (account.code, account.description, account.archived, account.role) == (
        "6-2450", "CPD", False, None)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.entity_id == account.id,
                                                        AuditEvent.entity_type == "account")).one()
    assert event.summary == "Account 6-2450 Staff Training created"


def test_a_bank_type_is_always_a_bank_account(db_session, books):
    assert add(db_session, books.admin, code="1-1050", type=AccountType.BANK).is_bank


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"code": "1-1000"}, "code", "already used by “Office Cheque Account”"),
    ({"code": ""}, "code", "Use up to 10"),
    ({"code": "-1"}, "code", "Use up to 10"),
    ({"code": "12345678901"}, "code", "Use up to 10"),
    ({"name": " "}, "name", "Give the account a name"),
    ({"name": "x" * 151}, "name", "at most 150"),
    ({"description": "x" * 501}, "description", "at most 500"),
    ({"type": "SAVINGS"}, "type", "listed account types"),
])
def test_bad_accounts_are_refused_with_the_field(db_session, books, values, field, message):
    with pytest.raises(LedgerError, match=message) as refused:
        add(db_session, books.admin, **values)
    assert refused.value.field == field
    assert db_session.scalar(select(Account).where(Account.name == "Staff Training")) is None


def test_an_account_keeps_its_own_code_when_edited(db_session, books):
    account = books.account("6-2400")
    edit(db_session, books.admin, account, name="Stationery", type=AccountType.EXPENSE)
    assert (account.code, account.name, account.type) == ("6-2400", "Stationery", "EXPENSE")
    with pytest.raises(LedgerError, match="already used") as refused:
        edit(db_session, books.admin, account, code="6-2500")
    assert refused.value.field == "code"


def test_an_account_with_postings_cannot_change_class(db_session, books):
    books.journal({"6-2400": "50.00", "1-1000": "-50.00"})
    account = books.account("6-2400")
    with pytest.raises(InvalidAccount, match="must stay in the expense class") as refused:
        edit(db_session, books.admin, account, type=AccountType.CURRENT)
    assert refused.value.field == "type"
    assert account.type == AccountType.OVERHEADS
    edit(db_session, books.admin, account, type=AccountType.EXPENSE)  # same class: fine
    assert account.type == AccountType.EXPENSE


def test_an_account_the_books_need_cannot_change_class(db_session, books):
    with pytest.raises(InvalidAccount, match="accounts receivable"):
        edit(db_session, books.admin, books.account("1-2000"), type=AccountType.REVENUE)


def test_archived_accounts_take_no_postings_until_restored(db_session, books):
    account = books.account("1-1200")
    assert account.can_archive()
    set_archived(db_session, books.admin, account, True)
    db_session.commit()
    assert account.archived and not account.can_archive()
    with pytest.raises(InvalidAccount, match="archived"):
        books.journal({"1-1200": "10.00", "3-1000": "-10.00"})
    db_session.rollback()
    set_archived(db_session, books.admin, account, False)
    db_session.commit()
    books.journal({"1-1200": "10.00", "3-1000": "-10.00"})
    actions = db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_id == account.id, AuditEvent.entity_type == "account")).all()
    assert actions == ["archived", "restored"]


def test_accounts_with_a_role_cannot_be_archived_or_deleted(db_session, books):
    account = books.account("2-2000")
    assert not account.can_archive() and "trust liability" in account.archive_blocker()
    assert not account.can_delete(db_session)
    with pytest.raises(InvalidAccount, match="cannot be archived"):
        set_archived(db_session, books.admin, account, True)
    with pytest.raises(InvalidAccount, match="needed by the books"):
        delete_account(db_session, books.admin, account)
    assert not account.archived


def test_an_account_never_posted_to_can_be_deleted(db_session, books):
    account = add(db_session, books.admin)
    assert account.can_delete(db_session) and account.delete_blocker(db_session) is None
    account_id = account.id
    delete_account(db_session, books.admin, account)
    assert db_session.get(Account, account_id) is None
    assert db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_id == account_id, AuditEvent.entity_type == "account")).all() == [
        "created", "deleted"]


def test_an_account_with_postings_can_only_be_archived(db_session, books):
    books.journal({"1-1200": "10.00", "3-1000": "-10.00"})
    account = books.account("1-1200")
    assert account.has_postings(db_session) and not account.can_delete(db_session)
    assert "archive it instead" in account.delete_blocker(db_session)
    with pytest.raises(InvalidAccount, match="Archive it instead"):
        delete_account(db_session, books.admin, account)
    assert get_account(db_session, account.id) is account


def test_get_account_refuses_an_unknown_id(db_session, books):
    with pytest.raises(NotFound):
        get_account(db_session, 999)


def test_install_default_chart_adds_only_what_is_missing(db_session, books):
    delete_account(db_session, books.admin, books.account("1-1200"))
    assert missing_default_accounts(db_session) == 1
    assert install_default_chart(db_session) == 1
    assert books.account("1-1200").name == "Petty Cash"
