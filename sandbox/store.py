"""The sandbox's own storage: JSON documents in one SQLite table, keyed by (kind, id).

Xero is a document store from the API's point of view (each object is read and written whole), so
the sandbox keeps each object as one JSON document and derives everything else (balances, the trial
balance) from them. Money inside documents is kept as decimal strings, never floats.

One connection is shared by the server's threads; an RLock serialises units of work, which is what
makes a batch (all its elements' checks and writes) atomic, like Xero's own per-request processing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS doc (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    org TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX IF NOT EXISTS doc_kind_org ON doc (kind, org, seq);
CREATE INDEX IF NOT EXISTS doc_ref ON doc (kind, json_extract(body, '$.DocID'));
CREATE INDEX IF NOT EXISTS doc_inv ON doc (kind, json_extract(body, '$.InvoiceID'));
CREATE INDEX IF NOT EXISTS doc_cn ON doc (kind, json_extract(body, '$.CreditNoteID'));
"""
# Fields `where` may filter on; each has an expression index above.
INDEXED = {"DocID", "InvoiceID", "CreditNoteID"}

Doc = dict[str, Any]


def _exact(value: Any) -> str:
    """Decimals from request bodies are stored as their exact text, never as floats."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__}")


class Store:
    """A tiny document store with nested savepoints."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self.lock = threading.RLock()
        self._depth = 0

    def close(self) -> None:
        """Close the underlying connection."""
        with self.lock:
            self._conn.close()

    def is_empty(self) -> bool:
        """True when nothing has been seeded yet."""
        with self.lock:
            return self._conn.execute("SELECT 1 FROM doc LIMIT 1").fetchone() is None

    def wipe(self) -> None:
        """Delete every document (used by --reset before seeding)."""
        with self.lock:
            self._conn.execute("DELETE FROM doc")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A unit of work; nested calls become savepoints, so one element can fail alone."""
        with self.lock:
            name = f"sp{self._depth}"
            self._conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._conn.execute(f"ROLLBACK TO {name}")
                self._conn.execute(f"RELEASE {name}")
                raise
            else:
                self._conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1

    def get(self, kind: str, doc_id: str, org: str | None = None) -> Doc | None:
        """One document by kind and id (and organisation, when given), or None."""
        with self.lock:
            row = self._conn.execute(
                "SELECT body, org FROM doc WHERE kind = ? AND id = ?", (kind, doc_id)
            ).fetchone()
        if row is None or (org is not None and row[1] != org):
            return None
        return json.loads(row[0])

    def put(self, kind: str, doc_id: str, body: Doc, org: str = "") -> Doc:
        """Insert or replace a document, keeping its original insertion order."""
        text = json.dumps(body, separators=(",", ":"), default=_exact)
        with self.lock:
            self._conn.execute(
                "INSERT INTO doc (kind, id, org, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, org = excluded.org",
                (kind, doc_id, org, text),
            )
        return body

    def delete(self, kind: str, doc_id: str) -> None:
        """Remove a document (identity records only; accounting objects are never deleted)."""
        with self.lock:
            self._conn.execute("DELETE FROM doc WHERE kind = ? AND id = ?", (kind, doc_id))

    def all(self, kind: str, org: str | None = None) -> list[Doc]:
        """Every document of a kind (optionally of one organisation) in insertion order."""
        with self.lock:
            if org is None:
                rows = self._conn.execute(
                    "SELECT body FROM doc WHERE kind = ? ORDER BY seq", (kind,)
                ).fetchall()
            else:
                rows = self._conn.execute(
                    "SELECT body FROM doc WHERE kind = ? AND org = ? ORDER BY seq", (kind, org)
                ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def where(self, kind: str, field: str, value: str) -> list[Doc]:
        """Documents of a kind whose top-level `field` equals `value` (indexed fields only)."""
        if field not in INDEXED:
            raise ValueError(f"{field} is not indexed")
        with self.lock:
            rows = self._conn.execute(
                f"SELECT body FROM doc WHERE kind = ? AND json_extract(body, '$.{field}') = ? "
                "ORDER BY seq", (kind, value)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def next_number(self, kind: str, org: str) -> int:
        """The next document number of a kind in an organisation (1, 2, 3...)."""
        key = f"{org}:{kind}"
        with self.lock:
            current = self.get("counter", key) or {"value": 0}
            self.put("counter", key, {"value": current["value"] + 1})
        return int(current["value"]) + 1
