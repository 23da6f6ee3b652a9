"""`flask` commands for operators: set up the database, seed the demo, add an admin."""

import secrets

import click
from flask import Flask
from flask_migrate import upgrade

from accounting.base import Base
from accounting.demo import ADMIN_EMAIL, ensure_admin, seed_demo
from accounting.encryption import rotate_all
from accounting.errors import LedgerError
from accounting.integrity import check_ledger
from accounting.ledger.accounts import install_default_chart
from accounting.ledger.practice import get_practice
from accounting.parties.users import find_user_by_email
from extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Bring the database to the latest schema and install the default chart if empty."""
        upgrade()
        get_practice(db.session)
        added = install_default_chart(db.session)
        db.session.commit()
        click.echo(f"Database ready ({added} default accounts added).")

    @app.cli.command("demo")
    @click.option("--password", envvar="DEMO_ADMIN_PASSWORD", help="Admin password to set.")
    def demo(password):
        """Upgrade the database, seed the demo practice once, and print a fresh admin login."""
        upgrade()
        password = password or secrets.token_urlsafe(9)
        if seed_demo(db.session, admin_password=password) is None:
            find_user_by_email(db.session, ADMIN_EMAIL).set_password(password)
        db.session.commit()
        click.secho(f"\n  Sign in at http://127.0.0.1:5000 as {ADMIN_EMAIL} / {password}\n",
                    bold=True)

    @app.cli.command("check-ledger")
    def check_ledger_command():
        """Check the ledger's invariants now (the nightly huey task does the same)."""
        problems = check_ledger(db.session)
        db.session.commit()
        for problem in problems:
            click.echo(problem)
        if problems:
            raise SystemExit(1)
        click.echo("The ledger balances: every journal, and the trial balance.")

    @app.cli.command("rotate-encryption-keys")
    def rotate_encryption_keys():
        """Re-encrypt every encrypted value (TFNs, Xero's tokens) with ENCRYPTION_KEYS' newest key.

        Put the new key first in ENCRYPTION_KEYS, keeping the old ones after it, run this, then drop
        the old keys."""
        counts = rotate_all(db.session.connection(), Base.metadata)
        db.session.commit()
        for name, count in counts.items():
            click.echo(f"{name}: {count} value{'' if count == 1 else 's'} re-encrypted with the newest key.")

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.password_option()
    def create_admin(email, name, password):
        """Add an admin user."""
        try:
            ensure_admin(db.session, email, password, name)
        except LedgerError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Admin {email} created.")

    @app.cli.command("reset-password")
    @click.option("--email", default=ADMIN_EMAIL, show_default=True)
    @click.password_option()
    def reset_password(email, password):
        """Set a user's password."""
        user = find_user_by_email(db.session, email)
        if user is None:
            raise click.ClickException(f"No user {email}.")
        try:
            user.set_password(password)
        except LedgerError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Password for {email} changed.")
