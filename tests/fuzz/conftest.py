"""The demo practice for fuzzing and the refusals it found: every page has real rows to show."""

import pytest

from tests.conftest import PASSWORD

STAFF_EMAIL = "fuzz-staff@example.com"


@pytest.fixture
def demo_app(app, db_session):
    """The app on the demo practice, with a staff user whose password the test knows."""
    from accounting.demo import seed_demo
    from accounting.parties.users import Role, create_user

    seed_demo(db_session, admin_password=PASSWORD)
    create_user(db_session, email=STAFF_EMAIL, name="Fuzz Staff", password=PASSWORD,
                role=Role.STAFF)
    db_session.commit()
    return app


@pytest.fixture
def admin(demo_app):
    """A test client signed in as the demo's admin."""
    client = demo_app.test_client()
    assert client.submit("/login", {"email": "admin@example.com", "password": PASSWORD}
                         ).status_code == 303
    return client
