"""The sandbox's own storage: JSON documents in one SQLite table, keyed by (kind, id).

Xero is a document store from the API's point of view (each object is read and written whole), so
the sandbox keeps each object as one JSON document and derives everything else (balances, the trial
balance) from them. Money inside documents is kept as decimal strings, never floats.

Concurrency, narrowed to what Xero itself serialises: a unit of work (`transaction(scope)`) holds
the lock of its *scope* only, an organisation's id for API calls (so one organisation's requests
run one at a time and its data stays consistent: numbers unique, no lost update of an amount due),
"" for identity and control work. Two organisations' requests proceed in parallel. A unit of work
writes into a private overlay (nested units are layers, so one element can fail alone) that is
committed to SQLite in one short write at the end; other threads read committed data only. The
single SQLite connection is guarded by a short lock held per statement, never across a request.
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


class _Work(threading.local):
    """The calling thread's unit of work: overlay layers of (kind, id) -> (org, body JSON) or None
    (deleted), and whether it wiped the store."""

    def __init__(self) -> None:
        self.layers: list[dict[tuple[str, str], tuple[str, str] | None]] = []
        self.wiped = False


class Store:
    """A tiny document store with per-scope units of work and nested layers."""

    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._conn_lock = threading.Lock()
        self._scope_locks: dict[str, threading.Lock] = {}
        self._scope_guard = threading.Lock()
        self._work = _Work()

    def close(self) -> None:
        """Close the underlying connection."""
        with self._conn_lock:
            self._conn.close()

    def is_empty(self) -> bool:
        """True when nothing has been seeded yet (committed data)."""
        return self._query("SELECT 1 FROM doc LIMIT 1", ()) == []

    def wipe(self) -> None:
        """Delete every document (--reset, /_sandbox/reset); inside a unit of work, at its commit."""
        if self._work.layers:
            self._work.wiped = True
            for layer in self._work.layers:
                layer.clear()
            return
        with self._conn_lock:
            self._conn.execute("DELETE FROM doc")

    # ------------------------------------------------------------ units of work

    def _scope_lock(self, scope: str) -> threading.Lock:
        with self._scope_guard:
            return self._scope_locks.setdefault(scope, threading.Lock())

    @contextmanager
    def transaction(self, scope: str = "") -> Iterator[None]:
        """A unit of work holding `scope`'s lock (an organisation id, or "" for identity and
        control work); nested calls are layers of the outer one, whatever their scope, so one
        element can fail alone and no thread ever waits for a second lock."""
        if self._work.layers:
            yield from self._layer()
            return
        with self._scope_lock(scope):
            self._work.layers.append({})
            self._work.wiped = False
            try:
                yield
                self._commit(self._work.layers[0], self._work.wiped)
            finally:
                self._work.layers.clear()
                self._work.wiped = False

    def _layer(self) -> Iterator[None]:
        layers = self._work.layers
        layers.append({})
        try:
            yield
        except BaseException:
            layers.pop()
            raise
        top = layers.pop()
        below = layers[-1]
        for key, value in top.items():
            below[key] = value

    def _commit(self, layer: dict[tuple[str, str], tuple[str, str] | None], wiped: bool) -> None:
        """Write a finished unit of work in one SQLite transaction."""
        if not layer and not wiped:
            return
        with self._conn_lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                if wiped:
                    self._conn.execute("DELETE FROM doc")
                for (kind, doc_id), value in layer.items():
                    if value is None:
                        self._conn.execute("DELETE FROM doc WHERE kind = ? AND id = ?",
                                           (kind, doc_id))
                    else:
                        self._write_row(kind, doc_id, *value)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _write_row(self, kind: str, doc_id: str, org: str, text: str) -> None:
        self._conn.execute(
            "INSERT INTO doc (kind, id, org, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, org = excluded.org",
            (kind, doc_id, org, text),
        )

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Committed rows (none once this unit of work has wiped the store)."""
        if self._work.wiped:
            return []
        with self._conn_lock:
            return self._conn.execute(sql, params).fetchall()

    def _overlay(self, kind: str) -> Iterator[tuple[str, tuple[str, str] | None]]:
        """This thread's pending changes of one kind, oldest layer first."""
        for layer in self._work.layers:
            for (entry_kind, doc_id), value in layer.items():
                if entry_kind == kind:
                    yield doc_id, value

    # ------------------------------------------------------------ reading and writing

    def get(self, kind: str, doc_id: str, org: str | None = None) -> Doc | None:
        """One document by kind and id (and organisation, when given), or None."""
        row: tuple[str, str] | None = None
        for layer in reversed(self._work.layers):
            if (kind, doc_id) in layer:
                pending = layer[(kind, doc_id)]
                row = None if pending is None else (pending[1], pending[0])
                break
        else:
            rows = self._query("SELECT body, org FROM doc WHERE kind = ? AND id = ?",
                               (kind, doc_id))
            row = rows[0] if rows else None
        if row is None or (org is not None and row[1] != org):
            return None
        return json.loads(row[0])

    def put(self, kind: str, doc_id: str, body: Doc, org: str = "") -> Doc:
        """Insert or replace a document, keeping its original insertion order."""
        text = json.dumps(body, separators=(",", ":"), default=_exact)
        if self._work.layers:
            self._work.layers[-1][(kind, doc_id)] = (org, text)
        else:
            with self._conn_lock:
                self._write_row(kind, doc_id, org, text)
        return body

    def delete(self, kind: str, doc_id: str) -> None:
        """Remove a document (identity records only; accounting objects are never deleted)."""
        if self._work.layers:
            self._work.layers[-1][(kind, doc_id)] = None
            return
        with self._conn_lock:
            self._conn.execute("DELETE FROM doc WHERE kind = ? AND id = ?", (kind, doc_id))

    def all(self, kind: str, org: str | None = None) -> list[Doc]:
        """Every document of a kind (optionally of one organisation) in insertion order."""
        if org is None:
            rows = self._query("SELECT id, org, body FROM doc WHERE kind = ? ORDER BY seq",
                               (kind,))
        else:
            rows = self._query("SELECT id, org, body FROM doc WHERE kind = ? AND org = ? "
                               "ORDER BY seq", (kind, org))
        found = {doc_id: (doc_org, text) for doc_id, doc_org, text in rows}
        for doc_id, value in self._overlay(kind):
            if value is None:
                found.pop(doc_id, None)
            else:
                found[doc_id] = value  # a replaced document keeps its place; a new one goes last
        return [json.loads(text) for doc_org, text in found.values()
                if org is None or doc_org == org]

    def where(self, kind: str, field: str, value: str) -> list[Doc]:
        """Documents of a kind whose top-level `field` equals `value` (indexed fields only)."""
        if field not in INDEXED:
            raise ValueError(f"{field} is not indexed")
        rows = self._query(
            f"SELECT id, body FROM doc WHERE kind = ? AND json_extract(body, '$.{field}') = ? "
            "ORDER BY seq", (kind, value))
        found = {doc_id: text for doc_id, text in rows}
        for doc_id, pending in self._overlay(kind):
            if pending is not None and json.loads(pending[1]).get(field) == value:
                found[doc_id] = pending[1]
            else:
                found.pop(doc_id, None)
        return [json.loads(text) for text in found.values()]

    def next_number(self, kind: str, org: str) -> int:
        """The next document number of a kind in an organisation (1, 2, 3...); unique because
        the organisation's requests hold its scope while they number."""
        key = f"{org}:{kind}"
        with self.transaction(org):
            current = self.get("counter", key) or {"value": 0}
            self.put("counter", key, {"value": current["value"] + 1})
        return int(current["value"]) + 1
