"""The app factory's configuration rules."""

import pytest

from app import create_app


def test_a_secret_key_is_required_outside_the_demo_and_tests(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PRACTICE_LEDGER_DEMO", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


def test_database_url_defaults_to_a_sqlite_file_in_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/practice-ledger.sqlite3")


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db.example/ledger")
    monkeypatch.setenv("FLASK_XERO_API_URL", "http://127.0.0.1:5050/api.xro/2.0")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/ledger"
    assert app.config["XERO_API_URL"] == "http://127.0.0.1:5050/api.xro/2.0"


def test_real_xero_is_the_default(monkeypatch):
    monkeypatch.delenv("FLASK_XERO_API_URL", raising=False)
    monkeypatch.delenv("FLASK_XERO_TOKEN_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["XERO_API_URL"] == "https://api.xero.com/api.xro/2.0"
    assert app.config["XERO_TOKEN_URL"] == "https://identity.xero.com/connect/token"
