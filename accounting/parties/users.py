"""People of the practice who sign in, and their roles.

Admins manage users, practice settings and the chart of accounts; staff do the daily work.
Repeated failed sign-ins for one email, and from one client address, are slowed down (see
`LoginThrottle`); an unknown email costs the same password hash as a known one.
"""

import enum
import math
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import Boolean, DateTime, Enum, Integer, String, bindparam, case, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from accounting.audit import record
from accounting.base import Base, utcnow
from accounting.errors import LedgerError
from accounting.lookup import fetch

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
MAX_NAME = 120
MAX_EMAIL = 254
# Deliberately loose: one @, something either side, a dot in the domain. Delivery is the real test.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(enum.StrEnum):
    """What a user may do: admins manage users, settings and the chart; staff do the daily work."""

    ADMIN = "admin"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class User(Base):
    """A person of the practice who signs in. The email is unique (stored lower-case); only a hash
    of the password is kept; an inactive user cannot sign in, and the last active admin stays one."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of every session's id (see get_id): raising it ends every session signed in before.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Flask-Login asks these; answering them here keeps Flask out of the books.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The session stores this; a session signed in under an older version no longer loads.
        return f"{self.id}.{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Make every session of this person stop working (logout, new password, deactivation)."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def set_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise LedgerError(
                f"Use at least {MIN_PASSWORD_LENGTH} characters for the password.", "password"
            )
        if len(password) > MAX_PASSWORD_LENGTH:
            raise LedgerError(
                f"Use at most {MAX_PASSWORD_LENGTH} characters for the password.", "password"
            )
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def user_for_session(session: Session, session_id: str) -> User | None:
    """The active user a session id (from `User.get_id`) belongs to, or None if it was ended."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    if len(user_id) > 18:  # beyond the database's integer range: no such user
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or (user.session_version or 0) != int(version):
        return None
    return user


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    return fetch(session, User, user_id, missing="There is no such user.")


def list_users(session: Session) -> list[User]:
    """Every user, active ones first, then by name."""
    return list(session.execute(select(User).order_by(User.active.desc(), User.name, User.id)).scalars())


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise LedgerError("Enter the person's name.", "name")
    if len(name) > MAX_NAME:
        raise LedgerError(f"Use at most {MAX_NAME} characters for the name.", "name")
    return name


def _check_email(email: str) -> str:
    email = normalise_email(email)
    if len(email) > MAX_EMAIL:
        raise LedgerError(f"Use at most {MAX_EMAIL} characters for the email.", "email")
    if not EMAIL_PATTERN.match(email):
        raise LedgerError("Enter an email address such as name@example.com.", "email")
    return email


def create_user(
    session: Session, *, email: str, name: str, password: str, role: Role, by: User | None = None
) -> User:
    """Add an active user; refuses an email already in use. `by` is the admin, for the audit log."""
    email, name = _check_email(email), _check_name(name)
    if find_user_by_email(session, email) is not None:
        raise LedgerError("A user with that email already exists.", "email")
    user = User(email=email, name=name, role=Role(role), active=True)
    user.set_password(password)
    session.add(user)
    session.flush()
    record(session, by, "created", "user", user.id, f"User {user.email} created as {user.role.value}")
    return user


def count_active_admins(session: Session, *, lock: bool = False) -> int:
    """How many admins may sign in. `lock` holds their rows (PostgreSQL) until commit, so two
    admins demoting each other at once cannot leave the practice with none."""
    query = select(User.id).where(User.role == Role.ADMIN, User.active)
    return len(session.execute(query.with_for_update() if lock else query).scalars().all())


def update_user(
    session: Session, user: User, *, name: str, role: Role, active: bool, by: User | None = None
) -> None:
    """Change a user's name, role or active flag; the last active admin cannot be demoted.

    An admin cannot deactivate their own account either: they would be signed out mid-change.
    """
    name, role = _check_name(name), Role(role)
    demoting = user.is_admin and user.active and (role != Role.ADMIN or not active)
    if demoting and count_active_admins(session, lock=True) <= 1:
        field = "role" if role != Role.ADMIN else "active"
        raise LedgerError(
            "The practice needs at least one active admin: make someone else an admin first.", field
        )
    if by is not None and by.id == user.id and user.active and not active:
        raise LedgerError("You cannot deactivate your own account; ask another admin.", "active")
    changes = [
        f"{label} {old} → {new}"
        for label, old, new in (
            ("name", user.name, name), ("role", user.role.value, role.value),
            ("active", "yes" if user.active else "no", "yes" if active else "no"),
        )
        if old != new
    ]
    if user.active and not active:
        user.end_sessions()
    user.name, user.role, user.active = name, role, active
    session.flush()
    if changes:
        record(session, by, "changed", "user", user.id, f"User {user.email}: " + "; ".join(changes))


def reset_password(session: Session, user: User, password: str, by: User | None = None) -> None:
    """Give a user a new password (an admin's reset); the old one stops working at once."""
    user.set_password(password)
    session.flush()
    record(session, by, "reset password", "user", user.id, f"Password of {user.email} reset")


class LoginThrottle(Base):
    """Failed sign-ins per key: after a number of free tries, each further try must wait longer.

    The key (column `email`, named before addresses were throttled too) is a normalised email, or
    "address:" and the client's address: an email always holds an @, so the two never collide.
    """

    __tablename__ = "login_throttle"

    FREE_ATTEMPTS = 5
    # One office signs in from one address: it gets more free tries than one email does.
    FREE_ATTEMPTS_PER_ADDRESS = 20
    WINDOW = timedelta(minutes=15)

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def address_key(address: str) -> str:
    """The throttle key of a client address."""
    return f"address:{address}"[:254]


def wait_after_failures(failures: int, last_failure_at: datetime, free_attempts: int,
                        now: datetime) -> int:
    """Seconds still to wait after `failures` failures, the last at `last_failure_at`: the rule
    shared by the database throttle here and the Redis one in blueprints/security.py."""
    if now - _aware(last_failure_at) > LoginThrottle.WINDOW:
        return 0
    extra = failures - free_attempts
    if extra < 0:
        return 0
    delay = timedelta(seconds=min(2 ** (extra + 4), 15 * 60))  # 16 s, 32 s, ... up to 15 min
    remaining = (_aware(last_failure_at) + delay - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else 0


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone=True columns; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def login_wait_seconds(session: Session, key: str, now: datetime | None = None,
                       free_attempts: int = LoginThrottle.FREE_ATTEMPTS) -> int:
    """Seconds this email (or `address_key`) must still wait before another try (0 = may try now)."""
    row = session.get(LoginThrottle, normalise_email(key))
    if row is None:
        return 0
    return wait_after_failures(row.failures, row.last_failure_at, free_attempts, now or utcnow())


def record_login_failure(session: Session, email: str, now: datetime | None = None) -> None:
    """Count one failure, in one statement: two failures at once (on PostgreSQL, where nothing
    serialises two sign-ins) both count, and the first failures of a key never meet at the
    primary key. A count older than WINDOW starts again at 1."""
    now = now or utcnow()
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    table = LoginThrottle.__table__
    stale = table.c.last_failure_at < bindparam("cutoff", now - LoginThrottle.WINDOW,
                                                type_=table.c.last_failure_at.type)
    statement = insert(table).values(email=normalise_email(email), failures=1,
                                     last_failure_at=now)
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.email], set_={
        "failures": case((stale, 1), else_=table.c.failures + 1),
        "last_failure_at": statement.excluded.last_failure_at}))
    session.expire_all()  # a LoginThrottle already loaded would show the count before this one


def clear_login_failures(session: Session, email: str) -> None:
    row = session.get(LoginThrottle, normalise_email(email))
    if row is not None:
        session.delete(row)
        session.flush()


_DUMMY_PASSWORD_HASH: list[str] = []


def _dummy_password_hash() -> str:
    # Made once, with the same method as real hashes, so checking it costs what a real check does.
    if not _DUMMY_PASSWORD_HASH:
        _DUMMY_PASSWORD_HASH.append(generate_password_hash("no-such-user-" + "x" * 20))
    return _DUMMY_PASSWORD_HASH[0]


def check_credentials(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None, in the same time whether the email is
    known or not: an unknown email still pays for one password hash, so timing tells nothing."""
    user = find_user_by_email(session, email)
    if user is None:
        check_password_hash(_dummy_password_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Records the failure or clears the count."""
    user = check_credentials(session, email, password)
    if user is None:
        record_login_failure(session, email)
        return None
    clear_login_failures(session, email)
    return user
