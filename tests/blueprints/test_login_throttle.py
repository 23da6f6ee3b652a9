"""Sign-in throttling per client address as well as per email, shared across processes (Redis when
configured, the database otherwise), and an unknown email costing the same as a known one."""

import pytest

from tests.conftest import PASSWORD
from tests.support import RedisServer, html, text_of

OFFICE = {"REMOTE_ADDR": "203.0.113.7"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.9"}


def _try(client, email, password="wrong-password", address=OFFICE):
    return client.submit("/login", {"email": email, "password": password}, environ_base=address)


def _guess_many_emails(client, count):
    for number in range(count):
        assert _try(client, f"guess{number}@example.com").status_code == 401


def test_one_address_guessing_many_emails_is_slowed_down(client, books):
    _guess_many_emails(client, 20)  # each email alone stays under its own limit
    response = _try(client, "admin@example.com", PASSWORD)
    assert response.status_code == 429
    assert "from this address" in text_of(html(response).find(class_="form-errors"))


def test_another_address_is_not_held_up_by_one_address_guessing(client, books):
    _guess_many_emails(client, 20)
    assert _try(client, "admin@example.com", PASSWORD, address=ELSEWHERE).status_code == 303


def test_a_right_password_does_not_wipe_the_addresses_record_of_guesses(client, books):
    _guess_many_emails(client, 19)
    assert _try(client, "staff@example.com", PASSWORD).status_code == 303
    client.submit("/logout")
    assert _try(client, "guess99@example.com").status_code == 401
    assert _try(client, "admin@example.com", PASSWORD).status_code == 429


def test_the_per_email_limit_holds_whatever_the_address(client, books):
    for number in range(6):
        _try(client, "admin@example.com", address={"REMOTE_ADDR": f"192.0.2.{number + 1}"})
    assert _try(client, "admin@example.com", PASSWORD, address=ELSEWHERE).status_code == 429


def test_an_unknown_email_costs_one_password_hash_like_a_known_one(db_session, books, monkeypatch):
    from accounting.parties import users

    checked = []
    real_check = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash",
                        lambda stored, given: checked.append(stored.split("$")[0])
                        or real_check(stored, given))
    assert users.check_credentials(db_session, "nobody@example.com", "some-password") is None
    assert users.check_credentials(db_session, "admin@example.com", "some-password") is None
    unknown, known = checked
    assert unknown == known  # the same hashing method and cost parameters


def test_a_deactivated_user_is_refused_after_the_same_hash_check(db_session, books, monkeypatch):
    from accounting.parties import users

    books.staff.active = False
    db_session.commit()
    checked = []
    real_check = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash",
                        lambda stored, given: checked.append(1) or real_check(stored, given))
    assert users.check_credentials(db_session, "staff@example.com", PASSWORD) is None
    assert checked == [1]


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


@pytest.mark.redis
def test_with_redis_two_processes_share_the_count_and_the_database_keeps_none(
        books, database_url, redis_server):
    from accounting.parties.users import LoginThrottle
    from app import create_app
    from tests.conftest import FormClient

    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database_url,
              "LOGIN_THROTTLE_REDIS_URL": redis_server.url}
    first, second = create_app(config), create_app(config)
    first.extensions["login_throttle"].redis.flushdb()
    for web in (first, second):
        web.test_client_class = FormClient
    one, two = first.test_client(), second.test_client()
    try:
        for number in range(5):  # five free tries in all, made alternately by the two processes
            assert _try((one, two)[number % 2], "admin@example.com").status_code == 401
        assert _try(two, "admin@example.com", PASSWORD).status_code == 429
        assert books.session.query(LoginThrottle).count() == 0
    finally:
        for web in (first, second):
            _close(web)


def _close(web):
    from extensions import db

    web.extensions["login_throttle"].redis.close()
    with web.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
