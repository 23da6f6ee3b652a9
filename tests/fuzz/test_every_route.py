"""Every route, fed hostile input, answers without a server error and refuses without changing data.

The routes come from app.url_map, so a new route is fuzzed without anyone listing it. The demo
practice gives every page real rows. For each route, as an admin and as staff:

* GET: the URL with ids found in the app's own links, then with hostile ids (0, 2**31, 2**63), and
  query strings made of hostile values for the names the app's GET forms use;
* POST: the fields the app's own forms name for that URL (or, for htmx fragment endpoints, the
  fields of the form that posts there), each filled at random from the hostile values or the value
  the page gave it, with the real CSRF token (CSRF stays on: the token is fetched like a browser).

No answer may be a 5xx (an exception raised in a view counts as one). A POST answered with a 4xx
must leave every table exactly as it was (a checksum of all rows before and after). At the end no
stored text may be longer than its column (SQLite would keep it; PostgreSQL would fail).

The generator is seeded, so a failure repeats; set FUZZ_SEED to explore other draws and
FUZZ_POSTS for more POSTs a route.
"""

import hashlib
import os
import random
import time
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from tests.conftest import PASSWORD
from tests.fuzz.conftest import STAFF_EMAIL

SEED = int(os.environ.get("FUZZ_SEED", "20261203"))
POSTS_A_ROUTE = int(os.environ.get("FUZZ_POSTS", "6"))
HOSTILE = [
    "", " ", "0", "-1", str(2**31), str(2**63), "1e309", "-1e309", "NaN", "Infinity", "1_000",
    "٣", "１２", "a\x00b", "\x00", "line\r\nbreak", "x" * 5000, "9" * 40, "0001-01-01",
    "9999-12-31", "2026-02-30", "99999999999.99", "999999999", "0.001", "<script>x</script>",
    "%", "'; drop table x; --", "1,2,3", "-0.00", "on",
]
HOSTILE_IDS = [0, 2**31, 2**63]
QUERY_NAMES = ["page", "q", "from", "to", "as_at", "on", "status", "period", "account_id",
               "matter_id", "client_id", "party_id", "kind", "sort", "start", "end",
               "_method", "_scheme", "_external", "_anchor"]  # url_for's own: not for links
# Signing out or in would end the fuzzing session; the sign-in page is fuzzed by tests/blueprints.
SKIPPED_ENDPOINTS = {"static", "auth.logout", "auth.login"}


class Fuzzer:
    """One signed-in client, the routes' known ids and fields, and what went wrong."""

    def __init__(self, app, email: str, rng: random.Random):
        self.app, self.email, self.rng = app, email, rng
        self.client = app.test_client()
        self.failures: list[str] = []
        self.requests = 0
        self.server_errors = 0
        self.sign_in()

    def sign_in(self):
        response = self.client.submit("/login", {"email": self.email, "password": PASSWORD})
        assert response.status_code == 303, f"{self.email} could not sign in"

    def send(self, method: str, url: str, data=None):
        """The response, or None after recording a 5xx or an exception raised by the view."""
        self.requests += 1
        try:
            if method == "GET":
                response = self.client.get(url)
            else:
                response = self.client.submit(url, data or {})
        except Exception as error:  # noqa: BLE001 - every exception is the finding
            self._server_error(method, url, data, f"{type(error).__name__}: {error}"[:300])
            from extensions import db

            db.session.rollback()
            return None
        if response.status_code >= 500:
            self._server_error(method, url, data, f"status {response.status_code}")
            return None
        if response.status_code in (302, 303) and "/login" in response.headers.get("Location", ""):
            self.sign_in()  # a refused change may have ended the session; carry on signed in
        return response

    def _server_error(self, method, url, data, what):
        self.server_errors += 1
        sample = {k: (v[:20] + "…" if len(v) > 20 else v) for k, v in (data or {}).items()}
        self.failures.append(f"{self.email} {method} {url[:120]} {sample} -> {what}")


def fingerprint(session) -> str:
    """A checksum of every row of every table: equal before and after means nothing changed."""
    import accounting.models  # noqa: F401
    import integrations.models  # noqa: F401
    from accounting.base import Base

    session.rollback()  # read what is committed, not a stale snapshot
    tables = Base.metadata.sorted_tables
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: the fuzzer takes a fingerprint around each refused POST.
        rows = " UNION ALL ".join(
            f"SELECT '{t.name}:' || md5(r::text) AS h FROM \"{t.name}\" AS r" for t in tables)
        digest = session.execute(text(
            f"SELECT md5(coalesce(string_agg(h, ',' ORDER BY h), '')) FROM ({rows}) AS all_rows"
        )).scalar_one()
        session.rollback()
        return digest
    digest = hashlib.sha256()
    for table in tables:
        ordering = list(table.primary_key.columns) or list(table.columns)
        for row in session.execute(select(table).order_by(*ordering)):
            digest.update(repr((table.name, *row)).encode())
    session.rollback()
    return digest.hexdigest()


def overlong_values(session) -> list[str]:
    """Columns holding text longer than their declared length (SQLite does not refuse it)."""
    from sqlalchemy import String, func

    from accounting.base import Base

    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length:
                over = session.scalar(select(func.count()).select_from(table).where(
                    func.length(column) > column.type.length))
                if over:
                    found.append(f"{table.name}.{column.name} has {over} value(s) over "
                                 f"{column.type.length} characters")
    session.rollback()
    return found


def discover(fuzzer: Fuzzer):
    """Real URL values per endpoint (from the app's links) and the fields each POST URL takes."""
    adapter = fuzzer.app.url_map.bind("localhost")
    samples: dict[str, list[dict]] = defaultdict(list)
    fields: dict[str, dict[str, str]] = {}
    query_names = set(QUERY_NAMES)
    pages = [rule for rule in fuzzer.app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint not in SKIPPED_ENDPOINTS]
    seen = set()

    def read_page(url):
        if url in seen or len(seen) > 400:
            return
        seen.add(url)
        response = fuzzer.send("GET", url)
        if response is None or response.mimetype != "text/html":
            return
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for link in page.find_all("a", href=True):
            path = urlsplit(link["href"]).path
            try:
                endpoint, values = adapter.match(path, method="GET")
            except HTTPException:
                continue
            if values and len(samples[endpoint]) < 3 and values not in samples[endpoint]:
                samples[endpoint].append(values)
        for form in page.find_all("form"):
            names = _form_values(form)
            if (form.get("method") or "get").lower() == "get":
                query_names.update(names)
                continue
            targets = {form.get("action") or url}
            targets.update(node["hx-post"] for node in form.find_all(attrs={"hx-post": True}))
            if form.get("hx-post"):
                targets.add(form["hx-post"])
            for target in targets:
                fields.setdefault(urlsplit(target).path, {}).update(names)

    for rule in pages:
        if not rule.arguments:
            read_page(adapter.build(rule.endpoint, {}))
    for rule in pages:  # the pages of rows, now that the lists gave their ids
        for values in samples.get(rule.endpoint, [])[:1]:
            read_page(adapter.build(rule.endpoint, values))
    return samples, fields, sorted(query_names)


def _form_values(form) -> dict[str, str]:
    values = {}
    for node in form.find_all(["input", "select", "textarea"]):
        name = node.get("name")
        if not name or name == "csrf_token":
            continue
        if node.name == "select":
            chosen = node.find("option", selected=True) or node.find("option")
            values[name] = chosen.get("value", chosen.text) if chosen else ""
        elif node.name == "textarea":
            values[name] = node.text
        else:
            values[name] = node.get("value", "")
    return values


def urls_for(rule, samples, rng) -> list[str]:
    """The rule's URL with real values (when the app linked to one) and with hostile ids."""
    from werkzeug.routing import AnyConverter

    real = samples.get(rule.endpoint, [])
    base = dict(real[0]) if real else {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if name not in base:
            if isinstance(converter, AnyConverter):
                base[name] = next(iter(converter.items))
            elif isinstance(converter, IntegerConverter):
                base[name] = 1
            else:
                base[name] = "money_in"
    urls = [rule.build(base, append_unknown=False)[1]]
    for name in rule.arguments:
        if isinstance(rule._converters[name], IntegerConverter):
            urls.append(rule.build({**base, name: rng.choice(HOSTILE_IDS)},
                                   append_unknown=False)[1])
    return urls


def fuzz(app, db_session, email, rng, report):
    fuzzer = Fuzzer(app, email, rng)
    samples, fields, query_names = discover(fuzzer)
    refused_posts = changed = 0
    before = None
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED_ENDPOINTS),
                   key=lambda r: r.rule)
    for rule in rules:
        for url in urls_for(rule, samples, rng):
            if "GET" in rule.methods:
                fuzzer.send("GET", url)
                for _ in range(3):
                    names = rng.sample(query_names, k=min(4, len(query_names)))
                    query = {name: rng.choice(HOSTILE) for name in names}
                    fuzzer.send("GET", url + "?" + "&".join(
                        f"{k}={_quote(v)}" for k, v in query.items()))
            if "POST" not in rule.methods:
                continue
            known = fields.get(urlsplit(url).path) or fields.get(
                urlsplit(urls_for(rule, samples, rng)[0]).path) or {"amount": "", "date": ""}
            for _ in range(POSTS_A_ROUTE):
                data = {name: rng.choice(HOSTILE) if rng.random() < 0.6 else typed
                        for name, typed in known.items()}
                before = before or fingerprint(db_session)  # still good after a refusal
                response = fuzzer.send("POST", url, data)
                if response is not None and 400 <= response.status_code < 500:
                    refused_posts += 1
                    after = fingerprint(db_session)
                    if after != before:
                        changed += 1
                        fuzzer.failures.append(
                            f"{email} POST {url} answered {response.status_code} but changed data")
                    before = after
                else:
                    before = None  # an accepted change: take the next fingerprint afresh
    fuzzer.failures.extend(overlong_values(db_session))
    report.update({f"{email} requests": fuzzer.requests, f"{email} 5xx": fuzzer.server_errors,
                   f"{email} refused POSTs": refused_posts, f"{email} refused but changed": changed,
                   "routes": len(rules)})
    return fuzzer.failures


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@pytest.mark.timeout(900)  # ~30 s on an idle machine; much longer on a loaded one
@pytest.mark.parametrize("email", ["admin@example.com", STAFF_EMAIL], ids=["admin", "staff"])
def test_no_route_answers_a_server_error_or_changes_data_when_it_refuses(demo_app, db_session,
                                                                         email):
    rng = random.Random(f"{SEED}-{email}")
    report: dict = {}
    started = time.monotonic()
    failures = fuzz(demo_app, db_session, email, rng, report)
    report["seconds"] = round(time.monotonic() - started, 1)
    print("fuzz:", report)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])
