"""Signing in and out. Every other page needs a signed-in user (see require_login_everywhere)."""

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from accounting.audit import record
from accounting.parties.users import check_credentials
from blueprints.pages import render
from blueprints.security import login_throttle
from extensions import db

bp = Blueprint("auth", __name__)

OPEN_ENDPOINTS = {"auth.login", "static"}


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


def require_login_everywhere(app: Flask) -> None:
    """Refuse every endpoint but sign-in and static files to anonymous visitors."""

    @app.before_request
    def _require_login():
        if request.endpoint in OPEN_ENDPOINTS or current_user.is_authenticated:
            return None
        return app.login_manager.unauthorized()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so "/\\evil.com" and
    "/<tab>/evil.com" lead off-site: refuse any control character or backslash, then demand a
    path with no scheme and no host.
    """
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return url_for("home.dashboard")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return url_for("home.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in; repeated failures for one email, or from one address, must wait longer each time."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render("auth/login.html", form=form, status=400 if request.method == "POST" else 200)
    throttle, email, address = login_throttle(), form.email.data, request.remote_addr or "unknown"
    wait = throttle.wait_seconds(email, address)
    if wait:
        form.form_errors.append(
            f"Too many failed sign-ins for this email or from this address. Wait {wait} seconds "
            "and try again."
        )
        return render("auth/login.html", form=form, status=429)
    user = check_credentials(db.session, email, form.password.data)
    if user is None:
        throttle.record_failure(email, address)
        db.session.commit()  # keep the failure count
        form.form_errors.append("That email and password do not match an active user.")
        return render("auth/login.html", form=form, status=401)
    throttle.clear(email)
    record(db.session, user, "signed in", "user", user.id, f"{user.email} signed in")
    db.session.commit()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")), 303)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST, so another site cannot sign people out with a link).

    Ends every session of this person, so a copied session cookie stops working too.
    """
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), 303)
