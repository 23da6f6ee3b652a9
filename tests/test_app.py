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
    app = create_app({"SECRET_KEY": "x" * 32})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/practice-ledger.sqlite3")


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db.example/ledger")
    monkeypatch.setenv("FLASK_XERO_API_URL", "http://127.0.0.1:5050/api.xro/2.0")
    app = create_app({"SECRET_KEY": "x" * 32})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/ledger"
    assert app.config["XERO_API_URL"] == "http://127.0.0.1:5050/api.xro/2.0"


def test_real_xero_is_the_default(monkeypatch):
    monkeypatch.delenv("FLASK_XERO_API_URL", raising=False)
    monkeypatch.delenv("FLASK_XERO_TOKEN_URL", raising=False)
    app = create_app({"SECRET_KEY": "x" * 32})
    assert app.config["XERO_API_URL"] == "https://api.xero.com/api.xro/2.0"
    assert app.config["XERO_TOKEN_URL"] == "https://identity.xero.com/connect/token"


def _without_key_settings(monkeypatch):
    for name in ("SECRET_KEY", "FLASK_SECRET_KEY", "PRACTICE_LEDGER_DEMO", "FLASK_TESTING"):
        monkeypatch.delenv(name, raising=False)


def test_testing_alone_does_not_let_the_app_start_without_a_key(monkeypatch):
    _without_key_settings(monkeypatch)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"TESTING": True})


@pytest.mark.parametrize("key", ["x", "k" * 31])
def test_a_short_secret_key_is_refused_outside_the_demo_and_tests(monkeypatch, key):
    _without_key_settings(monkeypatch)
    with pytest.raises(RuntimeError, match="SECRET_KEY is too short"):
        create_app({"SECRET_KEY": key})


def test_a_32_character_key_is_enough(monkeypatch):
    _without_key_settings(monkeypatch)
    assert create_app({"SECRET_KEY": "k" * 32}).config["SECRET_KEY"] == "k" * 32


def test_the_demo_makes_its_key_file_readable_by_its_owner_alone(monkeypatch, tmp_path):
    import app as app_module

    _without_key_settings(monkeypatch)
    monkeypatch.setenv("PRACTICE_LEDGER_DEMO", "1")
    monkeypatch.setattr(app_module, "Flask", _flask_with_instance(tmp_path))
    demo = create_app()
    key_file = tmp_path / "demo-secret-key"
    assert (key_file.stat().st_mode & 0o777) == 0o600
    assert demo.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(demo.config["SECRET_KEY"]) >= 32


def test_the_demo_tightens_an_older_key_file(monkeypatch, tmp_path):
    import app as app_module

    _without_key_settings(monkeypatch)
    monkeypatch.setenv("PRACTICE_LEDGER_DEMO", "1")
    key_file = tmp_path / "demo-secret-key"
    key_file.write_text("a" * 64)
    key_file.chmod(0o644)
    monkeypatch.setattr(app_module, "Flask", _flask_with_instance(tmp_path))
    create_app()
    assert (key_file.stat().st_mode & 0o777) == 0o600


def _flask_with_instance(folder):
    """Flask, with its instance folder in a temporary place (the demo's key file goes there)."""
    from flask import Flask

    def make(name, **kwargs):
        return Flask(name, **{**kwargs, "instance_path": str(folder)})

    return make
