"""`flask` commands for operators: set up the database, seed the demo, add an admin."""

import click
from flask import Flask
from flask_migrate import upgrade

from accounting.accounts import install_default_chart
from accounting.demo import ADMIN_EMAIL, ensure_admin, seed_demo
from accounting.errors import LedgerError
from accounting.practice import get_practice
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
        """Upgrade the database and fill it with the demo practice (once)."""
        upgrade()
        created = seed_demo(db.session, admin_password=password)
        db.session.commit()
        if created:
            click.echo(f"Demo practice created. Sign in as {ADMIN_EMAIL} / {created}")
        else:
            click.echo(f"Demo practice already present. Sign in as {ADMIN_EMAIL} "
                       "(password as printed when it was created, or set DEMO_ADMIN_PASSWORD "
                       "and run `flask reset-password`).")

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
    @click.password_option(envvar="DEMO_ADMIN_PASSWORD")
    def reset_password(email, password):
        """Set a user's password."""
        from accounting.users import find_user_by_email

        user = find_user_by_email(db.session, email)
        if user is None:
            raise click.ClickException(f"No user {email}.")
        try:
            user.set_password(password)
        except LedgerError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Password for {email} changed.")
