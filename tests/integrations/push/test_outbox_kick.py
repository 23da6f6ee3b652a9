"""The drain is kicked once after a commit that wrote a row waiting for Xero, never after a
rollback, and a queue that cannot take the kick does not undo the committed posting."""

from __future__ import annotations

import pytest

from integrations.xero import outbox


@pytest.fixture
def kicks(monkeypatch):
    heard = []
    monkeypatch.setattr(outbox, "_kick", lambda: heard.append("drain"))
    return heard


def test_one_kick_after_the_commit_none_after_a_rollback(pushing, kicks):
    pushing.bill(commit=False)
    pushing.bill(commit=False)
    assert kicks == []
    pushing.session.commit()
    assert kicks == ["drain"]
    pushing.bill(commit=False)
    pushing.session.rollback()
    pushing.session.commit()
    assert kicks == ["drain"]


def test_a_queue_that_refuses_the_kick_leaves_the_posting_committed(pushing, monkeypatch):
    def broken():
        raise ConnectionError("queue down")

    monkeypatch.setattr(outbox, "_kick", broken)
    bill = pushing.bill()
    [row] = pushing.outbox()
    assert row.journal_id == bill.journal_id and row.state is outbox.OutboxState.WAITING
