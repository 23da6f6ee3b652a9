"""accounting/dashboard.py: the figures the dashboard shows, counted the way the page says."""

from datetime import date
from decimal import Decimal

from accounting.dashboard import RECENT_JOURNALS, practice_at_a_glance
from accounting.ledger.journals import LineInput, post
from accounting.parties.clients import ClientDetails, archive_client, open_matter, save_client, update_matter

JULY = date(2026, 7, 15)


def test_archived_clients_and_closed_matters_are_not_counted(books):
    s = books.session
    kept = save_client(s, books.admin, ClientDetails(kind="company", name="Acme Pty Ltd"))
    gone = save_client(s, books.admin, ClientDetails(kind="individual", name="Bo Smith"))
    archive_client(s, books.admin, gone)
    open_matter(s, books.admin, kept, description="Lease", responsible_id=None, opened_on=JULY)
    closed = open_matter(s, books.admin, kept, description="Sale", responsible_id=None, opened_on=JULY)
    update_matter(s, books.admin, closed, description="Sale", responsible_id=None, status="closed",
                  today=JULY)
    glance = practice_at_a_glance(s)
    assert (glance.clients, glance.open_matters, glance.journals, glance.recent) == (1, 1, 0, [])


def test_the_latest_journals_come_newest_first_and_no_more_than_the_page_shows(books):
    s = books.session
    lines = [LineInput(books.account("6-2000").id, Decimal("10.00")),
             LineInput(books.account("1-1000").id, Decimal("-10.00"))]
    posted = [post(s, books.admin, date=JULY, narration=f"Rent {n}", lines=lines)
              for n in range(RECENT_JOURNALS + 2)]
    glance = practice_at_a_glance(s)
    assert glance.journals == RECENT_JOURNALS + 2
    assert glance.recent == posted[::-1][:RECENT_JOURNALS]
