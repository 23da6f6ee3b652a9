"""The drain: the outbox of one Xero organisation, sent in batches, in dependency order.

One run (`drain_outbox`), called by tasks.py's huey task after a commit that wrote a WAITING row
and by its periodic backstop:

1. Xero's lock date (GET /Organisation, once): WAITING rows dated on or before it become NOT_SENT
   with the reason (Xero refuses them: FACTS §7.4).
2. Contacts: the parties (clients, suppliers) of the documents about to go that are not yet
   linked are matched to Xero's contacts (by our code as ContactNumber, then by exact name) or
   created, in batches (integrations/xero/contacts.py); then changed parties already in Xero are
   updated.
3. Each document stage in `STAGES` order (invoices, payments, credit notes, refunds,
   supplier invoices, their payments): first any batch left SENDING
   by a crash or a stop is sent again exactly as it was, under the same Idempotency-Key (Xero
   replays its first answer within 6 minutes instead of making a copy); then the WAITING rows, in
   batches of up to `batch_size` elements and never over `max_bytes`, with summarizeErrors=false
   so one bad element fails alone and the rest link. A batch left SENDING for longer than
   `replay_window` (Xero forgets a key after 6 minutes) is not resent blindly: the stage's
   `find_sent` looks its elements up in Xero (invoices by number, payments on their invoice), the
   ones found are linked, and only the rest are sent again, as new. A stage without `find_sent`
   fails such rows with what to check in Xero, since a resend could make a copy.

Every batch is claimed (its rows SENDING, its key stored) and committed before the call, and its
answers recorded and committed after it, so a crash in between leaves a batch that is resent
with the same key. Errors, each handled here: 429 waits its Retry-After (or stops the drain when
that is long, rows back to WAITING, since Xero did nothing); 5xx and timeouts back off and try
again, then stop with the batch kept SENDING (Xero may have done it: the same key is replayed);
a lost connection stops the drain with nothing dropped; a 400 for the whole batch fails its rows
with Xero's message; anything else is a bug and propagates (the rows stay, the task fails loudly).

Next (not built yet): sharing the per-minute budget across consumers and steering by
X-MinLimit-Remaining.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType

from sqlalchemy import select
from sqlalchemy.orm import Session
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry
from xero_python.exceptions import AccountingBadRequestException, ApiException, RateLimitException

from accounting.base import utcnow
from accounting.events import PartyKind
from accounting.office.suppliers import Supplier
from accounting.parties.clients import Client
from integrations.connection import as_utc
from integrations.oauth import ConnectionLost, NotConnected
from integrations.ratelimit import DatabaseBudget, RedisBudget, budget_from_config, wait_text
from integrations.xero import (
    ap_payments,
    contacts,
    credit_notes,
    credit_refunds,
    invoices,
    payments,
    purchase_invoices,
)
from integrations.xero.chart import organisation_from_sdk
from integrations.xero.elements import (
    Answer,
    NotReady,
    NotSent,
    Unmappable,
    answer_of,
    batch_answer,
    what_to_do,
)
from integrations.xero.links import add_link, links_of
from integrations.xero.outbox import CONTACT, OutboxRow, OutboxState, Party, idempotency_key

# Dependency order: a payment needs its invoice's id.
STAGES: tuple[ModuleType, ...] = (invoices, payments, credit_notes, credit_refunds,
                                   purchase_invoices, ap_payments)
PARTY_MODELS = {PartyKind.CLIENT: Client, PartyKind.SUPPLIER: Supplier}
CONTACTS_PAGE = 1000
NOT_LOOKED_UP = ("Sent to Xero over 6 minutes ago and no answer was recorded: it may be in Xero "
                 "already. Look for it in Xero; if it is not there, retry.")
ENVELOPE_BYTES = 64  # {"Invoices": [...]} around the elements


@dataclass
class DrainSettings:
    """How one drain sends: batch sizes (FACTS §4.2: 50 elements, 3.5 MB) and patience."""

    batch_size: int = 50
    max_bytes: int = 3_500_000
    backoff: tuple[float, ...] = (1.0, 4.0, 15.0)
    # Long enough for a minute window of the shared budget (61 s) to come round.
    max_retry_after: float = 65.0
    timeout: float = 60.0
    # Xero replays an Idempotency-Key for 6 minutes (FACTS §5); a minute's margin for the call
    # itself and for clocks.
    replay_window: timedelta = timedelta(minutes=5)
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = utcnow
    # The call budget every consumer shares (integrations/ratelimit.py); None only in tests that
    # construct a drain by hand.
    budget: DatabaseBudget | RedisBudget | None = None

    @classmethod
    def from_config(cls, config, engine) -> DrainSettings:
        return cls(batch_size=int(config.get("XERO_PUSH_BATCH_SIZE", 50)),
                   max_bytes=int(config.get("XERO_PUSH_MAX_BYTES", 3_500_000)),
                   budget=budget_from_config(config, engine))


@dataclass
class DrainReport:
    """What one drain did: Xero calls made, elements linked and failed, why it stopped early."""

    calls: int = 0
    sent: int = 0
    failed: int = 0
    not_sent: int = 0
    stopped: str = ""
    calls_by_endpoint: dict[str, int] = field(default_factory=dict)
    # Seconds spent waiting for the shared call budget (Xero's limits, before Xero says 429).
    waited: float = 0.0


class StopDrain(Exception):
    """The drain cannot go on now (rate limit, Xero down, connection lost); nothing is dropped."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OverBudget(Exception):
    """The shared call budget says wait longer than the drain waits; Xero was not called."""


def drain_outbox(session: Session, api, tenant_id: str,
                 settings: DrainSettings | None = None) -> DrainReport:
    """Push everything waiting for one organisation; returns what it did."""
    settings = settings or DrainSettings()
    own_the_retries(api)
    drain = _Drain(session, api, tenant_id, settings, DrainReport())
    try:
        drain.run()
    except StopDrain as stop:
        drain.report.stopped = stop.reason
    session.commit()
    return drain.report


@dataclass
class _Drain:
    session: Session
    api: object
    tenant_id: str
    settings: DrainSettings
    report: DrainReport
    contact_errors: dict[Party, str] = field(default_factory=dict)

    def run(self) -> None:
        if not self._due_rows_exist():
            return
        self.cut_off_at_lock_date()
        self.push_new_contacts()
        self.push_contact_changes()
        for stage in STAGES:
            self.push_stage(stage)

    # ------------------------------------------------------------ calls, with Xero's limits

    def call(self, endpoint: str, send: Callable[[], object]):
        """One Xero call: 429 waits its Retry-After, 5xx and timeouts back off, then StopDrain."""
        transient_tries = 0
        while True:
            try:
                return self._within_budget(endpoint, send)
            except (ConnectionLost, NotConnected) as lost:
                raise StopDrain(f"The Xero connection is lost: {lost}") from lost
            except RateLimitException as limited:
                wait = _retry_after(limited)
                if wait > self.settings.max_retry_after:
                    raise StopDrain(f"Xero's {limited.rate_limit or 'rate'} limit is reached: the "
                                    f"push resumes in {wait:.0f} s.") from limited
                self.settings.sleep(wait)
            except AccountingBadRequestException:
                raise
            except (ApiException, Urllib3Error) as error:
                status = getattr(error, "status", None)
                if isinstance(error, ApiException) and status is not None and status < 500:
                    raise
                if transient_tries >= len(self.settings.backoff):
                    raise StopDrain(f"Xero did not answer ({status or type(error).__name__}); "
                                    "the next drain sends it again.") from error
                self.settings.sleep(self.settings.backoff[transient_tries])
                transient_tries += 1

    def _within_budget(self, endpoint: str, send: Callable[[], object]):
        """Send once the shared budget lets the call go; give the budget Xero's counts after."""
        lease = self._take_budget()
        self.report.calls += 1
        self.report.calls_by_endpoint[endpoint] = self.report.calls_by_endpoint.get(endpoint, 0) + 1
        headers = None
        try:
            result = send()
            headers = _last_headers(self.api)
            return result
        except ApiException as error:
            headers = error.headers
            raise
        finally:
            if lease:
                # A lookup reads through the session while it calls: end that transaction
                # before the budget's own (SQLite: one writer, and ours would hold it).
                self.session.commit()
                self.settings.budget.release(self.tenant_id, lease, headers)

    def _take_budget(self) -> str:
        """A lease on one call from the budget every consumer shares; waits while the wait is
        short, else stops the drain (nothing sent, nothing lost: the next drain goes on)."""
        budget = self.settings.budget
        if budget is None:
            return ""
        # Never hold a transaction across a wait or a call (on SQLite it would hold the one
        # write lock the budget and the other consumers need); the drain has recorded its work.
        self.session.commit()
        while True:
            grant = budget.take(self.tenant_id)
            if grant.granted:
                return grant.lease
            if grant.wait > self.settings.max_retry_after:
                raise StopDrain(wait_text(grant)) from OverBudget(grant.limit)
            self.report.waited += grant.wait
            self.settings.sleep(grant.wait)

    # ------------------------------------------------------------ 1. the lock date

    def _due_rows_exist(self) -> bool:
        return self.session.execute(select(OutboxRow.id).where(
            OutboxRow.tenant_id == self.tenant_id,
            OutboxRow.state.in_((OutboxState.WAITING, OutboxState.SENDING))).limit(1)).first() is not None

    def cut_off_at_lock_date(self) -> None:
        found = self.call("Organisation", lambda: self.api.get_organisations(self.tenant_id))
        org = organisation_from_sdk(found.organisations[0])
        dates = [d for d in (org.period_lock_date, org.end_of_year_lock_date) if d is not None]
        if not dates:
            return
        cutoff = max(dates)
        for row in self.session.execute(select(OutboxRow).where(
                OutboxRow.tenant_id == self.tenant_id, OutboxRow.state == OutboxState.WAITING,
                OutboxRow.document_date <= cutoff)).scalars():
            row.mark_not_sent(f"Dated on or before Xero's lock date ({cutoff:%d %b %Y}).")
            self.report.not_sent += 1
        self.session.commit()

    # ------------------------------------------------------------ 2. contacts

    def push_new_contacts(self) -> None:
        """Link or create the contact of every party whose documents are about to go."""
        missing = self._parties_not_linked(self._parties_needed())
        if not missing:
            return
        existing = self._read_contacts()
        to_create = []
        for party, record in missing:
            match = contacts.match_contact(record, existing)
            if match is not None:
                add_link(self.session, self.tenant_id, party.kind.value, party.id, match.contact_id)
            else:
                to_create.append((party, record))
        self.session.commit()
        for batch in _chunks(to_create, self.settings.batch_size):
            elements = [contacts.contact_element(record) for _, record in batch]
            # No replay needed: a crash after Xero made them is recovered by the match above,
            # by ContactNumber, before anything is created again.
            answers = self._send_or_fail("Contacts", lambda elements=elements: batch_answer(
                self.api, "Contacts", lambda: self.api.create_contacts(
                    self.tenant_id, {"Contacts": elements}, summarize_errors=False,
                    idempotency_key=f"pl-contacts-{uuid.uuid4().hex}",
                    _request_timeout=self.settings.timeout)), len(batch))
            for (party, _), answer in zip(batch, answers, strict=True):
                if answer.accepted:
                    add_link(self.session, self.tenant_id, party.kind.value, party.id,
                             answer.xero_id)
                else:
                    self.contact_errors[party] = what_to_do("; ".join(answer.messages))
            self.session.commit()

    def _parties_not_linked(self, needed: set[Party]) -> list[tuple[Party, Client | Supplier]]:
        """The needed parties without a contact link, each with its record, in a stable order."""
        missing = []
        for kind in sorted({party.kind for party in needed}):
            ids = {party.id for party in needed if party.kind is kind}
            linked = links_of(self.session, self.tenant_id, kind.value, ids)
            missing += [(Party(kind, party_id), self.session.get(PARTY_MODELS[kind], party_id))
                        for party_id in sorted(ids - set(linked))]
        return missing

    def _parties_needed(self) -> set[Party]:
        needed = set()
        for stage in STAGES:
            for row in self._rows(stage.KIND, (OutboxState.WAITING, OutboxState.SENDING)):
                try:
                    party = stage.party_of(self.session, row)
                except Unmappable:
                    continue
                if party is not None:
                    needed.add(party)
        return needed

    def _read_contacts(self) -> list[contacts.XeroContact]:
        found, page = [], 1
        while True:
            answer = self.call("Contacts", lambda page=page: self.api.get_contacts(
                self.tenant_id, page=page, page_size=CONTACTS_PAGE))
            batch = answer.contacts or []
            found += [contacts.contact_from_sdk(contact) for contact in batch]
            if len(batch) < CONTACTS_PAGE:
                return found
            page += 1

    def push_contact_changes(self) -> None:
        """Changed parties already in Xero: their details again, by ContactID."""
        rows = self._rows(CONTACT, (OutboxState.SENDING, OutboxState.WAITING))
        linked = {}
        for kind in {row.party_kind for row in rows}:
            found = links_of(self.session, self.tenant_id, kind,
                             {row.party_id for row in rows if row.party_kind == kind})
            linked.update({(kind, party_id): link for party_id, link in found.items()})
        for batch in _chunks(rows, self.settings.batch_size):
            elements = [contacts.contact_element(
                self.session.get(PARTY_MODELS[PartyKind(row.party_kind)], row.party_id),
                linked[(row.party_kind, row.party_id)].xero_id) for row in batch]
            key = self._claim(batch, CONTACT)
            answers = self._send_or_fail(
                "Contacts", lambda elements=elements, key=key: batch_answer(
                    self.api, "Contacts", lambda: self.api.update_or_create_contacts(
                        self.tenant_id, {"Contacts": elements}, summarize_errors=False,
                        idempotency_key=key, _request_timeout=self.settings.timeout)),
                len(batch))
            for row, answer in zip(batch, answers, strict=True):
                self._record(row, answer, None)
            self.session.commit()

    # ------------------------------------------------------------ 3. documents

    def push_stage(self, stage: ModuleType) -> None:
        for key, rows in self._pending_batches(stage.KIND):
            self._send_batch(stage, rows, key)
        built = []
        for row in self._rows(stage.KIND, (OutboxState.WAITING,)):
            element = self._build(stage, row)
            if element is not None:
                built.append((row, element))
        self.session.commit()
        for batch in self._batches(built):
            rows = [row for row, _ in batch]
            self._send_batch(stage, rows, self._claim(rows, stage.KIND), [e for _, e in batch])

    def _build(self, stage: ModuleType, row: OutboxRow) -> dict | None:
        """The row's element, or None with the row marked waiting, failed or not sent."""
        try:
            party = stage.party_of(self.session, row)
            if party in self.contact_errors:
                raise Unmappable(f"Its {party.kind.value} could not become a Xero contact: "
                                 f"{self.contact_errors[party]}")
            return stage.build(self.session, self.tenant_id, row)
        except NotReady as waiting:
            row.wait_for(waiting.reason)
        except NotSent as never:
            row.mark_not_sent(never.reason)
            self.report.not_sent += 1
        except Unmappable as bad:
            row.mark_failed(bad.message)
            self.report.failed += 1
        return None

    def _pending_batches(self, kind: str) -> Iterator[tuple[str, list[OutboxRow]]]:
        """Batches left SENDING, each with its rows in the order they were sent."""
        batches: dict[str, list[OutboxRow]] = {}
        for row in self._rows(kind, (OutboxState.SENDING,)):
            batches.setdefault(row.batch_key or "", []).append(row)
        yield from batches.items()

    def _send_batch(self, stage: ModuleType, rows: list[OutboxRow], key: str,
                    elements: list[dict] | None = None) -> None:
        if elements is None:  # a resend: the same elements, rebuilt from the same rows
            rows = self._settle_if_past_replay(stage, rows)
            ready = [(row, self._build(stage, row)) for row in rows]
            rows = [row for row, element in ready if element is not None]
            elements = [element for _, element in ready if element is not None]
            if not rows:
                self.session.commit()
                return
            key = idempotency_key(self.tenant_id, stage.KIND, rows) if key == "" else key
            for row in rows:
                row.state, row.batch_key = OutboxState.SENDING, key
            self.session.commit()
        answers = self._send_or_fail(_endpoint(stage), lambda: [
            answer_of(item, stage.ID_FIELD, stage.NUMBER_FIELD) for item in stage.send(
                self.api, self.tenant_id, elements, key, timeout=self.settings.timeout)],
            len(rows), parsed=True)
        for row, answer in zip(rows, answers, strict=True):
            self._record(row, answer, stage)
        self.session.commit()

    def _settle_if_past_replay(self, stage: ModuleType, rows: list[OutboxRow]) -> list[OutboxRow]:
        """The rows of a batch left SENDING that may be resent under their key: all of them
        while Xero still replays it; after that none. Past the window the elements Xero has are
        linked (looked up), the rest wait again under a new send round, so the WAITING pass of
        this stage sends them as new, and a stage that cannot look up fails them."""
        if not rows or not self._past_replay_window(rows):
            return rows
        finder = getattr(stage, "find_sent", None)
        if finder is None:
            for row in rows:
                row.mark_failed(NOT_LOOKED_UP)
                self.report.failed += 1
            self.session.commit()
            return []
        found = self.call(f"{_endpoint(stage)} lookup",
                          lambda: finder(self.session, self.api, self.tenant_id, rows))
        for row in rows:
            if row.id in found:
                self._record(row, found[row.id], stage)
            else:
                row.send_round += 1
                row.wait_for("")
        self.session.commit()
        return []

    def _past_replay_window(self, rows: list[OutboxRow]) -> bool:
        claimed = [as_utc(row.claimed_at) for row in rows if row.claimed_at is not None]
        # Claimed before claimed_at was kept: its age is unknown, so look it up to be safe.
        return not claimed or self.settings.now() - min(claimed) > self.settings.replay_window

    def _send_or_fail(self, endpoint: str, send: Callable[[], list], size: int,
                      parsed: bool = False) -> list[Answer]:
        """The batch's answers, one per element; a 400 for the whole batch fails every element
        with Xero's message; a stop (429, Xero down) puts a claimed batch back as it should."""
        try:
            items = self.call(endpoint, send)
        except AccountingBadRequestException as refused:
            return [Answer(messages=(str(refused.reason),))] * size
        except StopDrain as stop:
            if isinstance(stop.__cause__, (RateLimitException, ConnectionLost, NotConnected,
                                           OverBudget)):
                self._unclaim()  # Xero did nothing: the rows wait again, free to be corrected
            raise
        if len(items) != size:
            raise RuntimeError(f"Xero answered {len(items)} elements for a batch of {size}")
        return items if parsed else [answer_of(item, "ContactID") for item in items]

    def _claim(self, rows: list[OutboxRow], kind: str) -> str:
        """Mark the batch SENDING under its key, and commit, before the call."""
        key = idempotency_key(self.tenant_id, kind, rows)
        claimed_at = self.settings.now()
        for row in rows:
            row.state, row.batch_key, row.attempts = OutboxState.SENDING, key, row.attempts + 1
            row.claimed_at = claimed_at
        self.session.commit()
        return key

    def _unclaim(self) -> None:
        for row in self.session.execute(select(OutboxRow).where(
                OutboxRow.tenant_id == self.tenant_id,
                OutboxRow.state == OutboxState.SENDING)).scalars():
            row.wait_for("")
        self.session.commit()

    def _record(self, row: OutboxRow, answer: Answer, stage: ModuleType | None) -> None:
        if answer.accepted:
            if stage is not None:
                stage.accept(self.session, self.tenant_id, row, answer)
            row.mark_sent()
            self.report.sent += 1
        else:
            row.mark_failed(what_to_do("; ".join(answer.messages)))
            self.report.failed += 1

    def _rows(self, kind: str, states: tuple[OutboxState, ...]) -> list[OutboxRow]:
        return list(self.session.execute(select(OutboxRow).where(
            OutboxRow.tenant_id == self.tenant_id, OutboxRow.kind == kind,
            OutboxRow.state.in_(states)).order_by(OutboxRow.id)).scalars())

    def _batches(self, built: list[tuple[OutboxRow, dict]]) -> Iterator[list[tuple[OutboxRow, dict]]]:
        """Up to batch_size elements a batch, and never over max_bytes of JSON."""
        batch, size = [], ENVELOPE_BYTES
        for row, element in built:
            element_size = len(json.dumps(element, default=str)) + 1
            if batch and (len(batch) >= self.settings.batch_size
                          or size + element_size > self.settings.max_bytes):
                yield batch
                batch, size = [], ENVELOPE_BYTES
            batch.append((row, element))
            size += element_size
        if batch:
            yield batch


def own_the_retries(api) -> None:
    """Turn off urllib3's own retries under the SDK (by default it sleeps a 429's or 503's
    Retry-After and retries GETs and PUTs three times, unseen): the drain does the waiting, so
    it is counted, bounded by `max_retry_after` and stoppable."""
    pool = api.api_client.rest_client.pool_manager
    pool.connection_pool_kw["retries"] = Retry(total=0, connect=0, read=0, redirect=0,
                                               status=0, respect_retry_after_header=False,
                                               raise_on_status=False)
    pool.clear()


def _last_headers(api) -> dict | None:
    """The headers of the SDK's last answer (X-MinLimit-Remaining and the rest)."""
    response = getattr(getattr(api, "api_client", None), "last_response", None)
    return dict(response.getheaders()) if response is not None else None


def _retry_after(limited: RateLimitException) -> float:
    headers = getattr(limited, "headers", None) or {}
    try:
        return float(headers.get("Retry-After") or headers.get("retry-after") or 60)
    except ValueError:
        return 60.0


def _endpoint(stage: ModuleType) -> str:
    """The name a stage's calls are counted under ("invoices", "payments")."""
    return stage.__name__.rsplit(".", 1)[-1]


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def drain_connected(session: Session, config) -> DrainReport:
    """Drain the practice's Xero organisation, if it is connected (tasks.py's task calls this)."""
    from integrations.connection import current_connection
    from integrations.xero.client import accounting_api

    connection = current_connection(session)
    if connection is None or connection.is_lost:
        return DrainReport(stopped="Not connected to Xero.")
    try:
        api, tenant_id = accounting_api(session, config)
    except (ConnectionLost, NotConnected) as lost:
        return DrainReport(stopped=str(lost))
    return drain_outbox(session, api, tenant_id,
                        DrainSettings.from_config(config, session.get_bind()))
