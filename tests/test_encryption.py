"""Secrets at rest (accounting/encryption.py): what is written comes back exactly, with any of the
configured keys, and a value no key opens is an error naming ENCRYPTION_KEYS, never garbage."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from accounting import encryption
from accounting.encryption import (
    EncryptionKeyError,
    configure,
    decrypt,
    encrypt,
    key_from_secret,
    keys_for,
    new_key,
    parse_keys,
    reencrypt,
    rewrite_column,
)

OLD, NEW, OTHER = new_key(), new_key(), new_key()


@pytest.fixture(autouse=True)
def keep_the_process_keys(monkeypatch):
    """Each test may configure its own keys; the app's come back afterwards."""
    monkeypatch.setattr(encryption, "_keyring", encryption._keyring)


def test_a_value_comes_back_exactly_and_its_token_does_not_show_it():
    configure([NEW])
    token = encrypt("123456782")
    assert "123456782" not in token and token.startswith("gAAAAA")  # a Fernet token
    assert decrypt(token) == "123456782"


def test_the_same_value_encrypts_differently_each_time():
    configure([NEW])
    assert encrypt("123456782") != encrypt("123456782")


def test_after_rotation_old_tokens_still_open_and_new_ones_use_the_new_key():
    configure([OLD])
    written_before = encrypt("123456782")
    configure([NEW, OLD])
    written_after = encrypt("876543210")
    assert decrypt(written_before) == "123456782"
    configure([NEW])
    assert decrypt(written_after) == "876543210"
    with pytest.raises(EncryptionKeyError):
        decrypt(written_before)


def test_reencrypting_moves_a_value_to_the_newest_key():
    configure([OLD])
    token = encrypt("123456782")
    configure([NEW, OLD])
    moved = reencrypt(token)
    configure([NEW])
    assert decrypt(moved) == "123456782"


def test_a_value_written_with_another_key_is_an_error_naming_the_setting():
    configure([OTHER])
    token = encrypt("123456782")
    configure([NEW])
    with pytest.raises(EncryptionKeyError, match="ENCRYPTION_KEYS") as caught:
        decrypt(token)
    assert "123456782" not in str(caught.value)


@pytest.mark.parametrize("stored", ["123456782", "gAAAAAnot-a-token", "gAAAAA" + "A" * 94])
def test_a_value_that_is_not_a_token_of_ours_is_an_error_not_garbage(stored):
    configure([NEW])
    with pytest.raises(EncryptionKeyError, match="ENCRYPTION_KEYS"):
        decrypt(stored)


def test_without_configured_keys_nothing_is_encrypted_or_decrypted(monkeypatch):
    monkeypatch.setattr(encryption, "_keyring", None)
    with pytest.raises(EncryptionKeyError, match="No encryption keys are configured"):
        encrypt("123456782")
    with pytest.raises(EncryptionKeyError, match="No encryption keys are configured"):
        decrypt("gAAAAA")


# Configuration


def test_encryption_keys_are_a_list_or_one_string_separated_by_commas_or_spaces():
    assert parse_keys(f"{NEW},{OLD}") == [NEW, OLD]
    assert parse_keys(f" {NEW}  {OLD}\n") == [NEW, OLD]
    assert parse_keys([NEW, OLD]) == [NEW, OLD]
    assert parse_keys("") == [] and parse_keys([]) == []


def test_a_malformed_key_is_refused_naming_the_setting_and_its_place():
    with pytest.raises(EncryptionKeyError, match="ENCRYPTION_KEYS: key 2 is not a Fernet key"):
        parse_keys(f"{NEW},not-a-key")


def test_without_encryption_keys_one_key_is_derived_from_the_secret_key():
    assert keys_for("", "s3cret") == [key_from_secret("s3cret")] == keys_for(None, "s3cret")
    assert key_from_secret("s3cret") != key_from_secret("another")
    assert parse_keys([key_from_secret("s3cret")])  # a usable Fernet key
    assert keys_for(f"{NEW},{OLD}", "s3cret") == [NEW, OLD]


def test_create_app_uses_the_encryption_keys_from_the_environment(monkeypatch):
    from app import create_app

    monkeypatch.setenv("ENCRYPTION_KEYS", f"{NEW},{OLD}")
    create_app({"SECRET_KEY": "x" * 32})
    assert decrypt(encrypt("123456782")) == "123456782"
    configure([NEW])  # what the app wrote opens with the first key alone
    assert decrypt(encrypt("1")) == "1"


def test_create_app_refuses_a_malformed_encryption_key(monkeypatch):
    from app import create_app

    monkeypatch.setenv("ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(EncryptionKeyError, match="ENCRYPTION_KEYS"):
        create_app({"SECRET_KEY": "x" * 32})


def test_without_encryption_keys_the_app_writes_with_the_key_derived_from_its_secret(monkeypatch):
    from app import create_app

    monkeypatch.delenv("ENCRYPTION_KEYS", raising=False)
    create_app({"SECRET_KEY": "x" * 32})
    token = encrypt("123456782")
    configure([key_from_secret("x" * 32)])
    assert decrypt(token) == "123456782"


# Properties (the autouse fixture only restores the keys, so sharing it between examples is fine)

ONE_FIXTURE_FOR_ALL_EXAMPLES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@ONE_FIXTURE_FOR_ALL_EXAMPLES
@given(st.text())
def test_any_text_comes_back_exactly(value):
    configure([NEW, OLD])
    assert decrypt(encrypt(value)) == value


@ONE_FIXTURE_FOR_ALL_EXAMPLES
@given(st.from_regex(r"\A[0-9]{8,9}\Z"))
def test_no_token_contains_the_digits_it_hides(tfn):
    configure([NEW])
    assert tfn not in encrypt(tfn)


# Rewriting a column in place (migrations and key rotation)


def test_rewriting_a_column_moves_every_stored_tfn_to_the_newest_key(books):
    from accounting.parties.clients import Client, ClientDetails, save_client

    configure([OLD])
    for name, tfn in (("Acme", "123456782"), ("Brown", ""), ("Chen", "876543210")):
        save_client(books.session, books.admin, ClientDetails(kind="company", name=name, tfn=tfn))
    books.session.commit()
    configure([NEW, OLD])
    assert rewrite_column(books.session.connection(), "client", "tfn", reencrypt) == 2
    books.session.commit()
    books.session.expire_all()
    configure([NEW])
    tfns = [c.tfn for c in books.session.scalars(select(Client).order_by(Client.name))]
    assert tfns == ["123456782", "", "876543210"]
    raw = books.session.execute(text("SELECT tfn FROM client ORDER BY name")).scalars().all()
    assert raw[1] == "" and not any(digits in "".join(raw) for digits in ("123456782", "876543210"))


def test_flask_rotate_encryption_keys_moves_every_encrypted_value_to_the_newest_key(app, books):
    from accounting.parties.clients import Client, ClientDetails, save_client

    configure([OLD])
    save_client(books.session, books.admin, ClientDetails(kind="company", name="Acme", tfn="123456782"))
    books.session.commit()
    configure([NEW, OLD])  # the new key put first
    result = app.test_cli_runner().invoke(args=["rotate-encryption-keys"])
    assert result.exit_code == 0, result.output
    # Every encrypted column is listed: the TFNs and Xero's tokens (none stored here).
    assert result.output.splitlines() == [
        "client.tfn: 1 value re-encrypted with the newest key.",
        "integration_connection.access_token: 0 values re-encrypted with the newest key.",
        "integration_connection.refresh_token: 0 values re-encrypted with the newest key.",
    ]
    configure([NEW])  # the old key dropped
    books.session.expire_all()
    assert books.session.scalars(select(Client.tfn)).all() == ["123456782"]


def test_sql_can_ask_whether_a_tfn_is_on_file_but_never_look_one_up(books):
    from accounting.parties.clients import Client, ClientDetails, save_client

    for name, tfn in (("Acme", "123456782"), ("Brown", "")):
        save_client(books.session, books.admin, ClientDetails(kind="company", name=name, tfn=tfn))

    def names(condition):
        return books.session.scalars(select(Client.name).where(condition).order_by(Client.name)).all()

    assert names(Client.tfn != "") == ["Acme"] and names(Client.tfn == "") == ["Brown"]
    for lookup in (lambda: Client.tfn == "123456782", lambda: Client.tfn.like("%782"),
                   lambda: Client.tfn.in_(["123456782"]), lambda: Client.tfn.desc()):
        with pytest.raises(TypeError, match="client.tfn is encrypted"):
            lookup()
