"""The inspection pages ("the Xero side") and running the sandbox on its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup
from flask import Flask

from sandbox.config import load_config
from sandbox.seed import DEMO_ORG, PRACTICE
from tests.sandbox.conftest import REPO_ROOT, Connected

API = "/api.xro/2.0"


def test_home_lists_organisations_practice_and_people(demo: Connected) -> None:
    page = BeautifulSoup(demo.client.get("/").data, "html.parser")
    links = {a.get_text(strip=True) for a in page.select("table a")}
    assert {"Demo Company (AU)", "Trial Practice (AU)", "Nocode Legal Pty Ltd",
            "Demo Practice"} <= links
    assert "bookkeeper@example.com" in page.get_text()


def test_org_page_shows_what_arrived_escaped(demo: Connected) -> None:
    demo.put(f"{API}/Invoices", {"Invoices": [{
        "Type": "ACCREC", "Contact": {"Name": "<script>alert(1)</script>"}, "Status": "AUTHORISED",
        "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10,
                       "AccountCode": "200"}]}]})
    html = demo.client.get(f"/_sandbox/org/{DEMO_ORG}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    page = BeautifulSoup(html, "html.parser")
    invoices = page.find(id="invoices").find_next("table")
    assert "<script>alert(1)</script>" in invoices.get_text()  # shown as text, not markup
    assert "Trial balance" in page.get_text()


def test_practice_page_lists_xpm_clients(demo: Connected) -> None:
    text = demo.client.get(f"/_sandbox/practice/{PRACTICE}").get_data(as_text=True)
    assert "Acme Holdings Pty Ltd" in text and "Annual Accounts 2026" in text


def test_unknown_org_page_is_404(demo: Connected) -> None:
    assert demo.client.get("/_sandbox/org/nope").status_code == 404


def test_environment_overrides_defaults_and_explicit_config_wins(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_LIMIT_MINUTE", "7")
    monkeypatch.setenv("SANDBOX_CLOCK_SPEED", "2.5")
    config = load_config({"CLOCK_SPEED": 60.0})
    assert config["LIMIT_MINUTE"] == 7
    assert config["CLOCK_SPEED"] == 60.0
    assert config["LIMIT_DAY"] == 5000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_python_m_sandbox_serves_a_fresh_seeded_sandbox(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--db",
         str(tmp_path / "cli.sqlite3"), "--reset"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("sandbox did not start")
        assert "Demo Company (AU)" in page.text
        meta = requests.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration",
                            timeout=5).json()
        assert meta["token_endpoint"] == f"http://127.0.0.1:{port}/connect/token"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "cli.sqlite3").exists()


def test_missing_openapi_files_fail_in_ci_and_skip_elsewhere(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.sandbox.conftest import skip_or_fail

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        skip_or_fail("files missing")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("files missing")


def test_consent_page_offers_another_account(sandbox_app: Flask) -> None:
    from tests.sandbox.conftest import authorize_params

    client = sandbox_app.test_client()
    client.post("/identity/login", data={"email": "demo@example.com", "password": "demo",
                                         "query": ""})
    page = client.get("/identity/connect/authorize",
                      query_string=authorize_params(sandbox_app)).get_data(as_text=True)
    assert "Use another account" in page
    out = client.post("/identity/logout", data={"next": "https://evil.example/"})
    assert out.location.startswith("/") and "evil" not in out.location


def test_credentials_from_config_apply_to_an_existing_database(tmp_path: Path) -> None:
    from sandbox import create_app
    from tests.sandbox.conftest import sandbox_config

    first = create_app(sandbox_config(tmp_path))
    first.extensions["sandbox"].store.close()
    again = create_app(sandbox_config(tmp_path, RESET=False, CLIENT_ID="OTHERCLIENT"))
    store = again.extensions["sandbox"].store
    assert store.get("app", "OTHERCLIENT") is not None
    store.close()
