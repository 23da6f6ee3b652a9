"""`./demo` prints the port the web app really listens on: the script passes its PORT to
`flask demo`, which prints the sign-in address with it."""

from pathlib import Path

import commands

DEMO_SCRIPT = Path(__file__).resolve().parents[1] / "demo"


def test_the_demo_script_passes_the_port_it_runs_flask_on():
    script = DEMO_SCRIPT.read_text()
    assert '.venv/bin/flask demo --port "$PORT"' in script
    assert '.venv/bin/flask run --host 127.0.0.1 --port "$PORT"' in script


def test_flask_demo_prints_the_sign_in_address_with_the_port_it_is_given(app, monkeypatch):
    monkeypatch.setattr(commands, "upgrade", lambda: None)  # the test database is already built
    monkeypatch.setattr(commands, "seed_demo", lambda session, admin_password: object())
    result = app.test_cli_runner().invoke(args=["demo", "--port", "5123", "--password", "pw"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5123 as" in result.output
    default = app.test_cli_runner().invoke(args=["demo", "--password", "pw"], env={"PORT": ""})
    assert "http://127.0.0.1:5000 as" in default.output
