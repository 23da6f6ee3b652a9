"""Users, roles, the last-admin rule and sign-in throttling."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from accounting.audit import AuditEvent
from accounting.errors import LedgerError, NotFound
from accounting.parties.users import (
    LoginThrottle,
    Role,
    User,
    authenticate,
    count_active_admins,
    create_user,
    find_user_by_email,
    get_user,
    list_users,
    login_wait_seconds,
    record_login_failure,
    reset_password,
    update_user,
)
from tests.conftest import PASSWORD
from tests.support import new_session, second_person_waits

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def test_a_new_user_has_a_normalised_email_and_a_hashed_password(db_session, books):
    user = create_user(db_session, email="  Nina@Example.COM ", name=" Nina ", password="a-long-password",
                       role=Role.STAFF, by=books.admin)
    assert (user.email, user.name, user.role, user.active) == ("nina@example.com", "Nina", "staff", True)
    assert "a-long-password" not in user.password_hash
    assert user.check_password("a-long-password") and not user.check_password("wrong-password")
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.entity_id == user.id)).one()
    assert event.user_id == books.admin.id and "created as staff" in event.summary


def test_an_email_already_in_use_is_refused_whatever_its_case(db_session, books):
    with pytest.raises(LedgerError, match="already exists") as refused:
        create_user(db_session, email="ADMIN@example.com", name="Other", password=PASSWORD,
                    role=Role.STAFF)
    assert refused.value.field == "email"


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"password": "nine-char"}, "password", "at least 10"),
    ({"password": "x" * 201}, "password", "at most 200"),
    ({"name": "   "}, "name", "Enter the person's name"),
    ({"name": "x" * 121}, "name", "at most 120"),
    ({"email": "nobody"}, "email", "Enter an email address"),
    ({"email": "a@b"}, "email", "Enter an email address"),
])
def test_bad_user_details_are_refused_with_the_field(db_session, books, values, field, message):
    data = {"email": "nina@example.com", "name": "Nina", "password": "a-long-password",
            "role": Role.STAFF, **values}
    with pytest.raises(LedgerError, match=message) as refused:
        create_user(db_session, **data)
    assert refused.value.field == field
    assert find_user_by_email(db_session, "nina@example.com") is None


def test_users_are_listed_active_first_then_by_name(db_session, books):
    update_user(db_session, books.admin, name="Zed Admin", role=Role.ADMIN, active=True)
    create_user(db_session, email="b@example.com", name="Bea", password=PASSWORD, role=Role.ADMIN)
    update_user(db_session, books.staff, name="Abe", role=Role.STAFF, active=False)
    assert [u.name for u in list_users(db_session)] == ["Bea", "Zed Admin", "Abe"]


def test_get_user_refuses_an_unknown_id(db_session, books):
    assert get_user(db_session, books.staff.id) is books.staff
    with pytest.raises(NotFound):
        get_user(db_session, 999)


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(db_session, books):
    with pytest.raises(LedgerError, match="at least one active admin") as refused:
        update_user(db_session, books.admin, name="Ada", role=Role.STAFF, active=True)
    assert refused.value.field == "role"
    with pytest.raises(LedgerError, match="at least one active admin") as refused:
        update_user(db_session, books.admin, name="Ada", role=Role.ADMIN, active=False)
    assert refused.value.field == "active"
    assert books.admin.role == Role.ADMIN and books.admin.active and books.admin.name == "Ada Admin"


def test_an_admin_may_be_demoted_once_another_is_active(db_session, books):
    update_user(db_session, books.staff, name="Stu Staff", role=Role.ADMIN, active=True)
    assert count_active_admins(db_session) == 2
    update_user(db_session, books.admin, name="Ada Admin", role=Role.STAFF, active=True, by=books.staff)
    assert books.admin.role == Role.STAFF
    assert count_active_admins(db_session) == 1
    summary = db_session.scalars(select(AuditEvent.summary).where(
        AuditEvent.entity_id == books.admin.id, AuditEvent.action == "changed")).one()
    assert summary == "User admin@example.com: role admin → staff"


def test_an_inactive_admin_does_not_count(db_session, books):
    other = create_user(db_session, email="b@example.com", name="Bea", password=PASSWORD,
                        role=Role.ADMIN)
    update_user(db_session, other, name="Bea", role=Role.ADMIN, active=False)
    with pytest.raises(LedgerError):
        update_user(db_session, books.admin, name="Ada", role=Role.STAFF, active=True)


def test_an_inactive_user_cannot_sign_in(db_session, books):
    update_user(db_session, books.staff, name="Stu Staff", role=Role.STAFF, active=False)
    assert authenticate(db_session, "staff@example.com", PASSWORD) is None
    assert authenticate(db_session, "admin@example.com", PASSWORD) is books.admin


def test_a_reset_password_replaces_the_old_one(db_session, books):
    reset_password(db_session, books.staff, "brand-new-secret", by=books.admin)
    assert books.staff.check_password("brand-new-secret")
    assert not books.staff.check_password(PASSWORD)
    with pytest.raises(LedgerError, match="at least 10") as refused:
        reset_password(db_session, books.staff, "short")
    assert refused.value.field == "password"
    assert books.staff.check_password("brand-new-secret")


def test_five_failures_are_free_then_each_try_waits_longer(db_session, books):
    email = "admin@example.com"
    for minute in range(4):
        record_login_failure(db_session, email, now=T0 + timedelta(minutes=minute))
        assert login_wait_seconds(db_session, email, now=T0 + timedelta(minutes=minute)) == 0
    fifth = T0 + timedelta(minutes=5)
    record_login_failure(db_session, email, now=fifth)  # the sixth try must wait 16 seconds
    assert login_wait_seconds(db_session, email, now=fifth) == 16
    assert login_wait_seconds(db_session, email, now=fifth + timedelta(seconds=10.5)) == 6
    assert login_wait_seconds(db_session, email, now=fifth + timedelta(seconds=16)) == 0
    sixth = fifth + timedelta(seconds=16)
    record_login_failure(db_session, email, now=sixth)  # then 32 seconds, and so on
    assert login_wait_seconds(db_session, email, now=sixth + timedelta(seconds=1)) == 31


def test_the_wait_is_capped_and_forgotten_after_the_window(db_session, books):
    email = "Admin@Example.com"
    for _ in range(30):
        record_login_failure(db_session, email, now=T0)
    assert db_session.get(LoginThrottle, "admin@example.com").failures == 30
    assert login_wait_seconds(db_session, email, now=T0) == 15 * 60
    assert login_wait_seconds(db_session, email, now=T0 + timedelta(minutes=16)) == 0
    record_login_failure(db_session, email, now=T0 + timedelta(minutes=16))
    assert db_session.get(LoginThrottle, "admin@example.com").failures == 1


def test_a_successful_sign_in_clears_the_count(db_session, books):
    for _ in range(3):
        assert authenticate(db_session, "admin@example.com", "wrong-password") is None
    assert db_session.get(LoginThrottle, "admin@example.com").failures == 3
    assert authenticate(db_session, "admin@example.com", PASSWORD) is books.admin
    assert db_session.get(LoginThrottle, "admin@example.com") is None


def test_an_admin_cannot_deactivate_themselves(db_session, books):
    update_user(db_session, books.staff, name="Stu Staff", role=Role.ADMIN, active=True)
    with pytest.raises(LedgerError, match="your own account") as refused:
        update_user(db_session, books.admin, name="Ada Admin", role=Role.ADMIN, active=False,
                    by=books.admin)
    assert refused.value.field == "active"
    update_user(db_session, books.admin, name="Ada Admin", role=Role.ADMIN, active=False,
                by=books.staff)
    assert not books.admin.active


# SQLite serialises writers by itself; the row lock under test matters on PostgreSQL.
def test_two_admins_demoting_each_other_at_once_leave_one_admin(db_session, books, database_url):
    update_user(db_session, books.staff, name="Stu Staff", role=Role.ADMIN, active=True)
    db_session.commit()
    first_id, second_id = books.admin.id, books.staff.id
    first = new_session()
    update_user(first, first.get(User, first_id), name="Ada Admin", role=Role.STAFF, active=True)
    result = second_person_waits(first, lambda second: update_user(
        second, second.get(User, second_id), name="Stu Staff", role=Role.STAFF, active=True))
    assert "at least one active admin" in result
    with new_session() as check:
        assert count_active_admins(check) == 1


def test_failures_at_once_all_count_and_none_meets_the_key(db_session, books, database_url):
    """Twenty failed sign-ins of one new email at once, each in its own transaction on its own
    connection, under real threads: no error, and the count is twenty."""
    import threading

    from sqlalchemy.orm import Session

    from accounting.parties.users import LoginThrottle

    db_session.commit()
    engine, errors, start = db_session.get_bind(), [], threading.Barrier(20)

    def fail_once():
        try:
            with Session(engine) as session:
                start.wait(timeout=10)
                record_login_failure(session, "Race@Example.com")
                session.commit()
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=fail_once) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db_session.expire_all()
    assert db_session.get(LoginThrottle, "race@example.com").failures == 20
