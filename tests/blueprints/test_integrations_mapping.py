"""The Xero mapping pages over HTTP (BeautifulSoup), against the live sandbox with huey run at
once: the checks section, Map accounts, Map tax codes, Refresh Xero chart, Create in Xero, and
the switch warning; every bad form a 4xx with its message that changes nothing; staff 403."""

from __future__ import annotations

from dataclasses import replace

import pytest

from integrations.suggest import TaxUse
from sandbox import start_in_thread
from sandbox.seed import DEMO_ORG, TRIAL_ORG
from tests.integrations.conftest import consent_at_sandbox, xero_config
from tests.sandbox.conftest import REDIRECT_URI, sandbox_config
from tests.support import html, text_of


@pytest.fixture
def live_sandbox(tmp_path):
    running = start_in_thread(sandbox_config(tmp_path))
    yield running
    running.stop()


@pytest.fixture
def connected(app, client, auth, live_sandbox, immediate_tasks, db_session):
    """An admin signed in, the practice connected to Demo Company through the pages."""
    app.config.update(xero_config(live_sandbox), XERO_REDIRECT_URI=REDIRECT_URI)
    auth.login()
    connect(client, live_sandbox)
    return live_sandbox


def connect(client, live, tenants=(DEMO_ORG,)):
    start = client.submit("/integrations/xero/connect")
    answer = consent_at_sandbox(live, start.headers["Location"], tenants=tenants)
    query = {k: v[0] for k, v in answer.items()}
    return client.get("/integrations/xero/callback", query_string=query)


def _mappings(db_session):
    from integrations.mapping import AccountMapping, TaxMapping

    db_session.expire_all()
    accounts = {(m.tenant_id, m.account_id, m.xero_account_id)
                for m in db_session.query(AccountMapping)}
    taxes = {(m.tenant_id, m.tax_use, m.xero_tax_type) for m in db_session.query(TaxMapping)}
    return accounts, taxes


def _chart(db_session):
    from integrations.chart_store import stored_chart

    db_session.expire_all()
    return stored_chart(db_session, DEMO_ORG)


def _rewrite_chart(db_session, change):
    """Change the stored copy as a later read of Xero would have found it."""
    from integrations.chart_store import chart_copy, chart_to_json

    copy = chart_copy(db_session, DEMO_ORG)
    copy.chart_json = chart_to_json(change(_chart(db_session)))
    db_session.commit()


def _account_form(page) -> dict[str, str]:
    form = page.find("form", id="account-mapping")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]") if i["name"] != "csrf_token"}
    for select in form.find_all("select"):
        chosen = select.find("option", selected=True)
        data[select["name"]] = chosen["value"] if chosen else ""
    return data


def _our_account(db_session, code):
    from accounting.ledger.accounts import Account

    return db_session.query(Account).filter_by(code=code).one()


def test_connecting_reads_the_chart_and_shows_the_checks_and_completeness(connected, client,
                                                                          db_session):
    page = html(client.get("/integrations/"))
    assert page.find(id="xero-chart")["data-busy"] == "no"
    checks = {li["data-check"]: text_of(li) for li in page.select("#xero-checks li.check")}
    assert set(checks) >= {"Accrual basis", "One currency", "Live organisation", "Lock dates",
                           "Trust accounts", "Account codes"}
    assert "demo organisation" in checks["Live organisation"]
    summary = page.find(attrs={"data-complete": True})
    assert summary["data-complete"] == "no" and "mapped" in text_of(summary)
    missing = text_of(page.find(id="missing-mappings"))
    assert "is not mapped to a Xero account" in missing and "will wait until it is" in missing
    assert _chart(db_session).organisation.name == "Demo Company (AU)"


def test_the_status_panel_polls_while_reading_and_stops_with_286(connected, client, db_session):
    from integrations.chart_store import ask_for_read

    ask_for_read(db_session, DEMO_ORG)
    db_session.commit()
    reading = client.get("/integrations/xero/chart/status", headers={"HX-Request": "true"})
    assert reading.status_code == 200
    panel = html(reading).find(id="xero-chart")
    assert panel["hx-trigger"] == "every 1s" and "Reading Xero's chart" in text_of(panel)
    refreshed = client.submit("/integrations/xero/chart/refresh", {"tenant_id": DEMO_ORG})
    assert refreshed.status_code == 303
    done = client.get("/integrations/xero/chart/status", headers={"HX-Request": "true"})
    assert done.status_code == 286
    assert html(done).find(id="xero-chart").get("hx-trigger") is None


def test_map_accounts_preselects_the_suggestion_and_accept_all_completes_it(connected, client,
                                                                            db_session):
    page = html(client.get("/integrations/xero/mapping/accounts"))
    preselected = [s for s in page.find_all("select") if s.find("option", selected=True)]
    assert preselected and all("suggested" in text_of(s.find("option", selected=True))
                               for s in preselected)
    bank = _our_account(db_session, "1-1000")
    select = page.find("select", id=f"account-{bank.id}")
    assert all(o.get("value") == "" or "(BANK)" in text_of(o) for o in select.find_all("option"))
    accepted = client.submit("/integrations/xero/mapping/accept-suggestions",
                             {"tenant_id": DEMO_ORG}, follow_redirects=True)
    assert "Accepted" in text_of(html(accepted))
    accounts, taxes = _mappings(db_session)
    assert len(accounts) == len(preselected) and len(taxes) == len(TaxUse)


def test_saving_the_preselected_form_maps_the_accounts(connected, client, db_session):
    data = _account_form(html(client.get("/integrations/xero/mapping/accounts")))
    saved = client.submit("/integrations/xero/mapping/accounts", data, follow_redirects=True)
    assert "The account mapping was saved" in text_of(html(saved))
    accounts, _ = _mappings(db_session)
    assert len(accounts) == sum(1 for v in data.values() if v) - 1  # less the tenant id


@pytest.mark.parametrize("bad", ["incompatible", "archived", "unknown account", "unknown xero"])
def test_a_bad_account_choice_is_a_400_with_its_message_and_saves_nothing(
        connected, client, db_session, bad):
    page = html(client.get("/integrations/xero/mapping/accounts"))
    data = _account_form(page)
    bank = _our_account(db_session, "1-1000")
    sales = next(a for a in _chart(db_session).accounts if a.type == "REVENUE")
    if bad == "incompatible":
        data[f"account-{bank.id}"] = sales.account_id
        expected = "which Bank accounts cannot map to"
    elif bad == "archived":
        chosen = next(v for k, v in data.items() if k.startswith("account-") and v)
        _rewrite_chart(db_session, lambda c: replace(c, accounts=tuple(
            replace(a, status="ARCHIVED") if a.account_id == chosen else a for a in c.accounts)))
        expected = "is archived in Xero"
    elif bad == "unknown account":
        data["account-999999"] = sales.account_id
        expected = "not one of ours"
    else:
        data[f"account-{bank.id}"] = "00000000-0000-0000-0000-000000000000"
        expected = "not in the chart"
    response = client.submit("/integrations/xero/mapping/accounts", data)
    assert response.status_code == 400
    page = html(response)
    assert expected in text_of(page.find(class_="form-errors"))
    assert _mappings(db_session) == (set(), set())
    if bad == "incompatible":  # every other choice typed is kept (the refused one is not offered)
        assert _account_form(page) == {**data, f"account-{bank.id}": ""}


def test_map_tax_codes_shows_xeros_rate_and_warns_where_it_differs(connected, client, db_session):
    from integrations.xero.chart import XeroTaxRate

    page = html(client.get("/integrations/xero/mapping/tax"))
    row = page.find("tr", attrs={"data-tax": "gst_on_income"})
    assert [text_of(td) for td in row.select("td.num")] == ["10.00", "10.00"]
    assert row.find(attrs={"data-warning": True}) is None
    _rewrite_chart(db_session, lambda c: replace(c, tax_rates=tuple(
        replace(t, effective_rate=t.effective_rate + 5) if t.tax_type == "OUTPUT" else t
        for t in c.tax_rates)))
    row = html(client.get("/integrations/xero/mapping/tax")).find("tr", attrs={"data-tax": "gst_on_income"})
    assert "Xero's rate is 15 %, ours is 10 %" in text_of(row.find(attrs={"data-warning": True}))
    assert XeroTaxRate  # the stored copy keeps rates as Decimal (no float on the way)
    data = {"tenant_id": DEMO_ORG, "tax-gst_on_income": "OUTPUT", "tax-gst_on_expenses": "INPUT",
            "tax-gst_free_income": "EXEMPTOUTPUT", "tax-gst_free_expenses": "EXEMPTEXPENSES",
            "tax-input_taxed_income": "INPUTTAXED", "tax-input_taxed_expenses": "INPUTTAXED",
            "tax-bas_excluded_income": "BASEXCLUDED", "tax-bas_excluded_expenses": "BASEXCLUDED"}
    saved = client.submit("/integrations/xero/mapping/tax", data, follow_redirects=True)
    assert "The tax mapping was saved" in text_of(html(saved))
    assert len(_mappings(db_session)[1]) == len(TaxUse)


def test_an_unknown_tax_type_is_a_400_and_saves_nothing(connected, client, db_session):
    data = {"tenant_id": DEMO_ORG, "tax-gst_on_income": "OUTPUT", "tax-gst_on_expenses": "NOSUCH"}
    response = client.submit("/integrations/xero/mapping/tax", data)
    assert response.status_code == 400
    page = html(response)
    assert "Xero has no active tax rate 'NOSUCH'" in text_of(page.find(class_="form-errors"))
    assert page.find("select", id="tax-gst_on_expenses").find("option", selected=True) is None \
        or page.find("select", id="tax-gst_on_expenses").find("option", selected=True)["value"] != "INPUT"
    assert _mappings(db_session) == (set(), set())


@pytest.mark.parametrize("url", ["/integrations/xero/mapping/accounts",
                                 "/integrations/xero/mapping/accept-suggestions",
                                 "/integrations/xero/mapping/tax",
                                 "/integrations/xero/chart/refresh",
                                 "/integrations/xero/trust-accounts/create"])
def test_a_tampered_tenant_id_is_refused_and_changes_nothing(connected, client, db_session, url):
    from integrations.chart_store import chart_copy

    before = chart_copy(db_session, DEMO_ORG).requested_at
    response = client.submit(url, {"tenant_id": TRIAL_ORG, "tax-gst_on_income": "OUTPUT"})
    assert response.status_code == 400
    assert "another Xero organisation" in text_of(html(response))
    assert _mappings(db_session) == (set(), set())
    db_session.expire_all()
    copy = chart_copy(db_session, DEMO_ORG)
    assert copy.requested_at == before and copy.trust_status == ""


def test_refresh_flags_a_mapping_whose_xero_account_changed_code(connected, client, db_session):
    client.submit("/integrations/xero/mapping/accept-suggestions", {"tenant_id": DEMO_ORG})
    mapped = sorted(_mappings(db_session)[0])[0]
    ours = db_session.get(_our_account(db_session, "1-1000").__class__, mapped[1])
    _rewrite_chart(db_session, lambda c: replace(c, accounts=tuple(
        replace(a, code="ZZ9") if a.account_id == mapped[2] else a for a in c.accounts)))
    stale = html(client.get("/integrations/")).find(id="stale-mappings")
    assert "changed code" in text_of(stale) and ours.code in text_of(stale)
    # A real refresh reads Xero again (unchanged there), and the flag goes.
    client.submit("/integrations/xero/chart/refresh", {"tenant_id": DEMO_ORG})
    assert html(client.get("/integrations/")).find(id="stale-mappings") is None


def test_create_in_xero_creates_the_missing_trust_accounts_and_shows_the_result(
        connected, client, db_session, trust):
    page = html(client.get("/integrations/"))
    missing = page.find(id="missing-trust")
    assert missing is not None, "the Demo Company has no trust accounts"
    codes = [text_of(tr.td) for tr in missing.select("tbody tr")]
    assert codes and missing.find("button", string="Create in Xero") is not None
    done = html(client.submit("/integrations/xero/trust-accounts/create", {"tenant_id": DEMO_ORG},
                              follow_redirects=True))
    result = text_of(done.find(id="trust-created"))
    assert "Created in Xero and mapped" in result or "BSB" in result
    created = {a.code for a in _chart(db_session).accounts}
    assert any(code in created for code in codes) or "BSB" in result


def test_connecting_another_organisation_after_a_disconnect_warns_then_clears(
        connected, client, db_session):
    client.submit("/integrations/xero/mapping/accept-suggestions", {"tenant_id": DEMO_ORG})
    client.submit("/integrations/xero/disconnect")
    assert _mappings(db_session)[0], "a disconnect keeps the mappings"
    # No connection now, but the mappings were made for Demo Company: connecting Trial warns.
    warning = connect(client, connected, tenants=(TRIAL_ORG,))
    assert "The mappings made for Demo Company (AU) no longer apply" in text_of(html(warning))
    assert {a[0] for a in _mappings(db_session)[0]} == {DEMO_ORG}
    confirmed = client.submit("/integrations/xero/choose",
                              {"tenant_id": TRIAL_ORG, "confirm_switch": "yes"},
                              follow_redirects=True)
    assert "The mappings made for Demo Company (AU) were cleared" in text_of(html(confirmed))
    assert _mappings(db_session) == (set(), set())


def test_staff_see_the_status_and_get_403_on_every_post_route(connected, client, auth, app,
                                                              db_session):
    auth.logout()
    auth.login("staff@example.com")
    page = html(client.get("/integrations/"))
    assert page.find(id="xero-checks") is not None
    assert page.find("button", string="Create in Xero") is None
    assert page.find("button", string="Refresh Xero chart") is None
    accounts = html(client.get("/integrations/xero/mapping/accounts"))
    assert accounts.find("button", string="Save") is None
    assert all(s.has_attr("disabled") for s in accounts.find_all("select"))
    posts = [rule.rule for rule in app.url_map.iter_rules()
             if rule.endpoint.split(".")[0] in ("integrations", "xero_mapping")
             and "POST" in rule.methods]
    # Found by walking the URL map, so a route added later is covered without a change here.
    assert {"/integrations/xero/connect", "/integrations/xero/mapping/accounts"} <= set(posts), posts
    for url in posts:
        assert client.submit(url, {"tenant_id": DEMO_ORG}).status_code == 403, url
    assert _mappings(db_session) == (set(), set())


def test_the_mapping_pages_need_a_connection(app, client, auth, db_session):
    auth.login()
    response = client.get("/integrations/xero/mapping/accounts")
    assert response.status_code == 409 and "not connected" in text_of(html(response))
