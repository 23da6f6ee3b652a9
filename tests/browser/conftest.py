"""Real Chromium (Debian's /usr/bin/chromium) driving the app served on 127.0.0.1.

`live_app` serves a fresh app on a free port with the test practice (chart, admin, staff);
`page` is a new browser page, and `signed_in_page(email)` one already signed in. The last state of
every page is saved as a screenshot in test-artifacts/ so a person can look at it.
"""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.support import free_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class LiveApp:
    def __init__(self, app, url):
        self.app, self.url = app, url

    def session(self):
        from extensions import db

        return db.session


@pytest.fixture
def live_app(tmp_path):
    """The app on a free port, over a fresh SQLite file holding the test practice."""
    from accounting.base import Base
    from accounting.ledger.accounts import install_default_chart
    from accounting.ledger.practice import get_practice
    from accounting.parties.users import Role, create_user
    from app import create_app
    from extensions import db

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "browser-test",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite3'}",
    })
    with app.app_context():
        Base.metadata.create_all(db.engine)
        get_practice(db.session)
        install_default_chart(db.session)
        create_user(db.session, email="admin@example.com", name="Ada Admin", password=PASSWORD,
                    role=Role.ADMIN)
        create_user(db.session, email="staff@example.com", name="Stu Staff", password=PASSWORD,
                    role=Role.STAFF)
        db.session.commit()
        db.session.remove()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveApp(app, f"http://127.0.0.1:{port}")
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(chromium, live_app, request):
    context = chromium.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def sign_in(page):
    """sign_in(email) signs the page in through the real login form."""

    def _sign_in(email="admin@example.com", password=PASSWORD):
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        return page

    return _sign_in
