"""The audit log page: who did what, newest first, filterable, a page at a time."""

from datetime import date

from tests.support import html, text_of


def rows_of(page):
    table = page.find("table", class_="audit-log")
    return [[text_of(td) for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]


def test_posting_and_reversing_show_in_the_log_newest_first(client, auth, books):
    auth.login()
    journal = books.journal({"6-2000": "10.00", "1-1000": "-10.00"}, on=date(2026, 7, 15))
    client.submit(f"/journals/{journal.id}/reverse", {"date": "2026-07-16", "reason": "Duplicate"})
    rows = rows_of(html(client.get("/audit?entity_type=journal")))
    assert [(r[1], r[2], r[4]) for r in rows] == [
        ("Ada Admin", "Reversed", "GJ-000001 reversed by RV-000001: Duplicate"),
        ("Ada Admin", "Posted", "RV-000001 posted: Reversal of GJ-000001: Duplicate (10.00)"),
        ("Ada Admin", "Posted", "GJ-000001 posted: Test journal (10.00)"),
    ]
    link = html(client.get("/audit?entity_type=journal")).find("table").find("a", string="Journal")
    assert link["href"] == f"/journals/{journal.id}"


def test_the_log_filters_by_action(client, auth, books):
    auth.login()
    books.journal({"6-2000": "10.00", "1-1000": "-10.00"})
    page = html(client.get("/audit?action=signed+in"))
    assert {r[2] for r in rows_of(page)} == {"Signed in"}
    assert page.find("select", id="action").find("option", selected=True)["value"] == "signed in"
    options = [o["value"] for o in page.find("select", id="entity_type").find_all("option")]
    assert "journal" in options


def test_the_log_pages_keep_the_filter(client, auth, books, app):
    app.config["PAGE_SIZE"] = 2
    auth.login()
    for _ in range(3):
        books.journal({"6-2000": "1.00", "1-1000": "-1.00"})
    page = html(client.get("/audit?entity_type=journal"))
    assert len(rows_of(page)) == 2
    next_link = page.find(class_="pager").find("a", string="Next ›")
    assert "entity_type=journal" in next_link["href"] and "page=2" in next_link["href"]
    fragment = client.get(next_link["href"], headers={"HX-Request": "true"})
    assert "<header" not in fragment.get_data(as_text=True)
    assert len(rows_of(html(fragment))) == 1


def test_an_empty_filter_says_so(client, auth, books):
    auth.login()
    page = html(client.get("/audit?action=nothing-like-this"))
    assert "Nothing recorded for this filter" in text_of(page.find(class_="empty"))


def test_a_page_far_past_the_end_is_empty_not_an_error(client, auth, books):
    auth.login()
    assert client.get("/audit?page=99999999999999999999").status_code == 200
