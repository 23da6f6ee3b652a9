"""Secrets at rest: a client's TFN (and, later, Xero's OAuth tokens) are stored encrypted.

Invariant: a column typed `EncryptedText` holds only Fernet tokens, or '' for "nothing on file".
Reading one gives back exactly what was written or raises `EncryptionKeyError` naming the setting
to fix; it never returns garbage (Fernet is authenticated: AES-128-CBC with an HMAC-SHA256).

Fernet uses a random IV, so the same TFN encrypts differently every time: the database cannot
compare or look up an encrypted value. A lookup by value would need a keyed-hash column beside it.

Keys are a list, newest first (MultiFernet): writes use the first key, reads try each in turn, so a
key kept at the end of the list still opens what it wrote while `rewrite_column(..., reencrypt)`
moves the values to the new key. accounting/ has no Flask: create_app calls `configure` once per
process with `keys_for(ENCRYPTION_KEYS, SECRET_KEY)`; when ENCRYPTION_KEYS is unset, one key is
derived from SECRET_KEY with HKDF so the demo and the tests need no extra setting.
"""

import base64
from collections.abc import Callable, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, MetaData, Text, column, select, table, update
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

SETTING = "ENCRYPTION_KEYS"
# Changing these would make every value written with a derived key unreadable.
_HKDF_SALT = b"practice-ledger"
_HKDF_INFO = b"practice-ledger encrypted columns v1"

_keyring: MultiFernet | None = None


class EncryptionKeyError(RuntimeError):
    """The encryption keys are missing or malformed, or none of them opens a stored value."""


def new_key() -> str:
    """A fresh random key, as ENCRYPTION_KEYS takes it (32 bytes, url-safe base64)."""
    return Fernet.generate_key().decode()


def key_from_secret(secret_key: str) -> str:
    """The key derived from SECRET_KEY (HKDF-SHA256), used when ENCRYPTION_KEYS is unset."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(derived).decode()


def parse_keys(value: str | Sequence[str]) -> list[str]:
    """ENCRYPTION_KEYS as a list of keys, newest first: a list, or one string separated by commas
    or whitespace. A key that is not a Fernet key is refused, naming the setting and its place."""
    keys = value.replace(",", " ").split() if isinstance(value, str) else [str(k).strip() for k in value]
    for place, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise EncryptionKeyError(
                f"{SETTING}: key {place} is not a Fernet key (32 bytes in url-safe base64; make one "
                "with python -c 'from accounting.encryption import new_key; print(new_key())')."
            ) from None
    return keys


def keys_for(encryption_keys: str | Sequence[str] | None, secret_key: str) -> list[str]:
    """The keys a process uses: ENCRYPTION_KEYS when set, else the one derived from SECRET_KEY."""
    keys = parse_keys(encryption_keys or [])
    return keys or [key_from_secret(secret_key)]


def configure(keys: Sequence[str]) -> None:
    """Use these keys (newest first) for every encrypted value this process reads or writes."""
    global _keyring
    if not keys:
        raise EncryptionKeyError(f"{SETTING}: give at least one key.")
    _keyring = MultiFernet([Fernet(key) for key in keys])


def _configured() -> MultiFernet:
    if _keyring is None:
        raise EncryptionKeyError(
            f"No encryption keys are configured: create_app sets them from {SETTING} "
            "(or derives one from SECRET_KEY); outside the app call accounting.encryption.configure."
        )
    return _keyring


def _opening(token: str, open_with: Callable[[bytes], bytes]) -> bytes:
    try:
        return open_with(token.encode())
    except InvalidToken:
        raise EncryptionKeyError(
            f"A stored encrypted value cannot be decrypted with the configured keys: {SETTING} "
            "(or SECRET_KEY, when ENCRYPTION_KEYS is unset) no longer holds the key it was written "
            f"with. Put that key back at the end of {SETTING}."
        ) from None


def encrypt(text: str) -> str:
    """`text` encrypted with the newest key, as a Fernet token (ASCII)."""
    return _configured().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text inside a token written by `encrypt` with any configured key."""
    return _opening(token, _configured().decrypt).decode()


def reencrypt(token: str) -> str:
    """The same text, encrypted again with the newest key (after a key rotation)."""
    return _opening(token, _configured().rotate).decode()


class _OnlyBlankComparisons(Text.Comparator):
    """SQL may ask whether a value is on file (== '', != '', IS NULL) and nothing else: a lookup by
    value, LIKE or ORDER BY over tokens would silently never match or mean nothing."""

    def operate(self, op, *other, **kwargs):
        blank = op in (operators.eq, operators.ne) and other in (("",), (None,))
        if not (blank or op in (operators.is_, operators.is_not)):
            raise TypeError(f"{self.expr} is encrypted: SQL can only ask whether it is blank.")
        return super().operate(op, *other, **kwargs)


class EncryptedText(TypeDecorator):
    """Text stored encrypted; '' (nothing on file) and None stay as they are. In SQL such a column
    can only be compared with '' or None (each write of the same text differs)."""

    impl = Text
    cache_ok = True
    comparator_factory = _OnlyBlankComparisons

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return encrypt(value) if value else value

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return decrypt(value) if value else value


def rewrite_column(connection: Connection, table_name: str, column_name: str,
                   change: Callable[[str], str], key: str = "id") -> int:
    """Apply `change` (encrypt, decrypt or reencrypt) to every non-empty value of one column, in
    place, row by row; returns how many rows changed. Migrations and key rotation use it."""
    target = table(table_name, column(key), column(column_name))
    value = target.c[column_name]
    rows = connection.execute(select(target.c[key], value).where(value != "")).all()
    for row_key, old in rows:
        connection.execute(update(target).where(target.c[key] == row_key).values({column_name: change(old)}))
    return len(rows)


def encrypted_columns(metadata: MetaData) -> list[tuple[str, str]]:
    """(table, column) of every EncryptedText column the models declare."""
    return [(t.name, c.name) for t in metadata.sorted_tables for c in t.columns
            if isinstance(c.type, EncryptedText)]


def rotate_all(connection: Connection, metadata: MetaData) -> dict[str, int]:
    """Re-encrypt every encrypted value with the newest key (after a new key was put first);
    returns how many values each "table.column" had. Older keys can be dropped afterwards."""
    return {f"{table_name}.{column_name}": rewrite_column(connection, table_name, column_name, reencrypt)
            for table_name, column_name in encrypted_columns(metadata)}
