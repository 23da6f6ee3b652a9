"""Trust report pages, their CSVs, and the reconciliation pages over HTTP."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.trust.ledger import TrustTransaction
from accounting.trust.posting import record_payment
from accounting.trust.reconciliation import TrustReconciliation, TrustStatement, TrustStatementLine
from tests.support import html, text_of

D = Decimal
HX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(auth):
    auth.login()


@pytest.fixture
def july(trust):
    """Lease: +1500 (2 Jul), -400 to =HYPERLINK(...) (20 Jul); Estate +250 (31 Jul)."""
    trust.receive("1500.00", on=date(2026, 7, 2))
    record_payment(trust.s, None, trust_account_id=trust.account.id, matter_id=trust.lease.id,
                   date=date(2026, 7, 20), amount=D("400.00"), payee="=HYPERLINK(\"http://x\")",
                   method="cheque", authority="Signed 19 Jul", description="Settlement")
    trust.receive("250.00", matter=trust.estate, on=date(2026, 7, 31), payer="Bo Smith")
    trust.s.commit()
    return trust


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def rows_of(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_reports_need_a_login(client, trust):
    assert client.get("/trust/reports/").status_code in (302, 303)


def test_the_index_links_every_report_per_account(client, signed_in, july):
    page = html(client.get("/trust/reports/"))
    links = {text_of(a) for a in page.select(".trust-report-account a")}
    assert {"Three-way reconciliation", "Trust cash book", "Trust trial balance"} <= links
    assert any(july.lease.number in link for link in links)


def test_the_matter_ledger_page_and_csv(client, signed_in, july):
    url = f"/trust/reports/matters/{july.lease.id}?account={july.account.id}&from=2026-07-01&to=2026-07-31"
    page = html(client.get(url))
    rows = [[text_of(td) for td in tr.select("td")] for tr in page.select("table.trust-ledger tbody tr")]
    assert rows[0][-1] == "0.00" and rows[1][1] == "R-000001" and rows[1][-2:] == ["1,500.00", "1,500.00"]
    assert rows[2][1] == "P-000001" and rows[2][5] == "400.00" and rows[2][-1] == "1,100.00"
    assert "Authority: Signed 19 Jul" in rows[2][4]
    receipt = july.s.scalar(select(TrustTransaction.id).where(TrustTransaction.number == "R-000001"))
    assert page.select_one("table.trust-ledger tbody a")["href"] == f"/trust/transactions/{receipt}"
    assert text_of(page.select_one("table.trust-ledger tfoot")).endswith("1,100.00")
    assert all(td["class"] == ["num"] for td in page.select("table.trust-ledger td.num"))
    data = rows_of(client.get(url.replace(f"{july.lease.id}?", f"{july.lease.id}.csv?")))
    assert data[2][:3] == ["2026-07-02", "R-000001", "Receipt"]
    assert data[3][3] == "'=HYPERLINK(\"http://x\")"  # a formula is neutralised
    assert data[-1][-1] == "1100.00"


def test_the_trust_ledger_page_and_csv(client, signed_in, july):
    url = f"/trust/reports/ledger?account={july.account.id}&from=2026-07-01&to=2026-07-31"
    page = html(client.get(url))
    totals = [[text_of(td) for td in tr.select("td")]
              for tr in page.select("table.trust-ledger-totals tbody tr")]
    assert totals == [[f"{july.lease.number} · Acme Pty Ltd", "0.00", "400.00", "1,500.00", "1,100.00"],
                      [f"{july.estate.number} · Bo Smith", "0.00", "0.00", "250.00", "250.00"]]
    assert text_of(page.select_one(".trust-ledger-totals .total-closing")) == "1,350.00"
    lease = page.select_one(f"#ledger-{july.lease.id}")
    rows = [[text_of(td) for td in tr.select("td")] for tr in lease.select("table.trust-ledger tbody tr")]
    assert [r[1] for r in rows] == ["Opening balance", "R-000001", "P-000001"]
    assert "Authority: Signed 19 Jul" in rows[2][4] and rows[2][-1] == "1,100.00"
    assert all(td["class"] == ["num"] for td in page.select("table.trust-ledger td.num"))
    assert page.select_one("button[data-print]")  # static/js/app.js prints (no inline script)
    data = rows_of(client.get(url.replace("ledger?", "ledger.csv?")))
    assert data[0][:3] == ["Matter", "Client", "Date"]
    assert data[1] == [july.lease.number, "Acme Pty Ltd", "2026-07-01", "", "", "", "Opening balance", "", "",
                       "0.00"]
    assert "'=HYPERLINK(\"http://x\")" in data[3]  # a formula is neutralised
    assert data[-1] == ["", "", "", "", "", "", "Total of client ledgers", "400.00", "1750.00", "1350.00"]
    index = html(client.get("/trust/reports/"))
    assert index.select_one(f"a[href='/trust/reports/ledger?account={july.account.id}']")


@pytest.mark.parametrize("query", ["from=2026-13-01", "from=2026-08-01&to=2026-07-01", "account=99999"])
def test_bad_trust_ledger_filters_are_400(client, signed_in, july, query):
    response = client.get(f"/trust/reports/ledger?{query}")
    assert response.status_code == 400 and html(response).select_one(".error")
    assert client.get(f"/trust/reports/ledger.csv?{query}").status_code == 400


@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=2026-13-01", "from", "is not a date"),
    ("from=2026-08-01&to=2026-07-01", "from", "before it starts"),
    ("account=99999", "account", "no such trust account"),
])
def test_bad_report_filters_are_400_with_the_message_beside_the_filter(client, signed_in, july, query, field,
                                                                     message):
    response = client.get(f"/trust/reports/matters/{july.lease.id}?{query}")
    assert response.status_code == 400
    assert message in text_of(html(response).select_one(f"#{field}-error"))
    assert client.get(f"/trust/reports/matters/{july.lease.id}.csv?{query}").status_code == 400
    assert client.get(f"/trust/reports/cash-book?{query}").status_code == 400


def test_an_unknown_matter_is_404(client, signed_in, trust):
    assert client.get("/trust/reports/matters/99999").status_code == 404


def test_the_cash_book_page_and_csv(client, signed_in, july):
    url = f"/trust/reports/cash-book?account={july.account.id}&from=2026-07-01&to=2026-07-31"
    page = html(client.get(url))
    receipts = page.select("table.receipts-journal tbody tr")
    payments = page.select("table.payments-journal tbody tr")
    assert [text_of(tr.select("td")[1]) for tr in receipts] == ["R-000001", "R-000002"]
    assert [text_of(tr.select("td")[-1]) for tr in payments] == ["400.00"]
    assert text_of(page.select_one("table.receipts-journal tfoot td.num")) == "1,750.00"
    assert text_of(page.select_one(".cash-book-summary .closing")) == "1,350.00"
    data = rows_of(client.get(url.replace("cash-book?", "cash-book.csv?")))
    assert ["Payments", "", "", "", "", "", "Total payments", "400.00"] in data
    assert data[-1][-1] == "1350.00"


def test_the_trial_balance_shows_matters_and_the_three_records_agreeing(client, signed_in, july):
    page = html(client.get(f"/trust/reports/trial-balance?account={july.account.id}&as_at=2026-07-31"))
    rows = [[text_of(td) for td in tr.select("td")]
            for tr in page.select("table.trust-trial-balance tbody tr")]
    assert [(r[0], r[-1]) for r in rows] == [("Acme Pty Ltd", "1,100.00"), ("Bo Smith", "250.00")]
    assert text_of(page.select_one(".trust-trial-balance .total")) == "1,350.00"
    assert "agrees" in text_of(page.select_one(".trust-position .agreement"))
    data = rows_of(client.get(f"/trust/reports/trial-balance.csv?account={july.account.id}&as_at=2026-07-31"))
    assert ["", "", "Agree", "yes"] in data and ["", "", "Cash book", "1350.00"] in data


def statement(client, account_id, **fields):
    data = {"opening_balance": "0.00", "closing_balance": "1500.00",
            "lines": "2026-07-02, Deposit Acme, 1500.00", "end_date": "2026-07-31"} | fields
    return client.submit(f"/trust/reports/accounts/{account_id}/statements?month=2026-07", data,
                         content_type="multipart/form-data")


def test_a_statement_that_does_not_balance_is_refused_beside_the_closing_balance(client, signed_in, july,
                                                                                db_session):
    response = statement(client, july.account.id, closing_balance="1400.00")
    assert response.status_code == 422
    page = html(response)
    assert "difference of -100.00" in text_of(page.select_one("#closing_balance-error"))
    assert page.select_one("#closing_balance")["value"] == "1400.00"  # what was typed is kept
    assert count(db_session, TrustStatement) == 0 and count(db_session, TrustStatementLine) == 0


def test_a_bad_statement_file_is_refused(client, signed_in, july, db_session):
    response = client.submit(f"/trust/reports/accounts/{july.account.id}/statements",
                             {"opening_balance": "0", "closing_balance": "1",
                              "statement": (io.BytesIO(b"\x00\x01binary"), "july.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not a CSV or OFX" in text_of(html(response).select_one("#statement-error"))
    assert count(db_session, TrustStatement) == 0


def test_import_match_with_htmx_reconcile_and_sign_off(client, signed_in, july, db_session, books):
    csv_file = b"Date,Description,Amount\n02/07/2026,Deposit Acme,1500.00\n03/08/2026,Cheque 101,-400.00\n"
    response = client.submit(f"/trust/reports/accounts/{july.account.id}/statements?month=2026-07",
                             {"opening_balance": "0", "closing_balance": "1100.00", "statement":
                              (io.BytesIO(csv_file), "july.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    url = f"/trust/reports/accounts/{july.account.id}/reconcile?month=2026-07"
    page = html(client.get(url))
    assert "Accept suggestion" in text_of(page.select_one("table.trust-statement-lines"))
    line = db_session.scalar(select(TrustStatementLine).where(TrustStatementLine.amount == D("1500.00")))
    fragment = client.submit(f"/trust/reports/accounts/{july.account.id}/lines/{line.id}/match?month=2026-07",
                             {"transaction": "99999"}, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert "unmatched cash book item" in text_of(html(fragment).select_one(".form-errors"))
    receipt_id = db_session.scalar(select(TrustTransaction.id).where(TrustTransaction.number == "R-000001"))
    fragment = html(client.submit(
        f"/trust/reports/accounts/{july.account.id}/lines/{line.id}/match?month=2026-07",
        {"transaction": str(receipt_id)}, headers=HX))
    assert "R-000001" in text_of(fragment.select_one(f"#trust-line-{line.id}"))
    assert text_of(fragment.select_one(".bank-difference")) == "0.00"
    assert text_of(fragment.select_one(".statement-balance")) == "1,500.00"
    numbers = {kind: [text_of(tr.select("td")[1]) for tr in fragment.select(f".unpresented-{kind} tr")]
               for kind in ("deposits", "withdrawals")}
    assert numbers == {"deposits": ["R-000002"], "withdrawals": ["P-000001"]}
    response = client.submit(f"/trust/reports/accounts/{july.account.id}/sign-off",
                             {"month": "2026-07", "comment": "All agree"})
    assert response.status_code == 303
    done = db_session.scalar(select(TrustReconciliation))
    assert done.signed_off_by_id == books.admin.id and done.adjusted_bank_balance == D("1350.00")
    report = html(client.get(response.headers["Location"]))
    assert text_of(report.select_one(".signed-off-by")) == "Ada Admin"
    assert text_of(report.select_one(".adjusted")) == "1,350.00"
    data = rows_of(client.get(f"/trust/reports/reconciliations/{done.id}.csv"))
    assert ["Adjusted bank balance", "1350.00"] in data
    assert ["Withdrawal", "2026-07-20", "P-000001", "Settlement", "400.00"] in data
    # The period is locked: the line can't be unmatched and the month can't be signed off again.
    fragment = html(client.submit(f"/trust/reports/accounts/{july.account.id}/lines/{line.id}/unmatch",
                                  {}, headers=HX))
    assert "reconciled period" in text_of(fragment.select_one(".form-errors"))
    again = client.submit(f"/trust/reports/accounts/{july.account.id}/sign-off", {"month": "2026-07"})
    assert again.status_code == 422 and "already reconciled" in again.get_data(as_text=True)
    assert count(db_session, TrustReconciliation) == 1


def test_sign_off_is_refused_while_the_three_disagree(client, signed_in, july, db_session):
    statement(client, july.account.id)
    response = client.submit(f"/trust/reports/accounts/{july.account.id}/sign-off", {"month": "2026-07"})
    assert response.status_code == 422
    assert "do not agree" in text_of(html(response).select_one(".sign-off-form .form-errors"))
    assert count(db_session, TrustReconciliation) == 0
    db_session.expire_all()
    assert july.account.reconciled_to is None


def test_a_bad_month_is_400(client, signed_in, july):
    response = client.get(f"/trust/reports/accounts/{july.account.id}/reconcile?month=July")
    assert response.status_code == 400
    assert "not a month" in text_of(html(response).select_one("#month-error"))
    assert client.get("/trust/reports/accounts/9999/reconcile").status_code == 404
    assert client.get("/trust/reports/reconciliations/9999").status_code == 404


def test_staff_prepare_with_htmx_matching_but_only_an_admin_signs_off(client, auth, july, db_session, books):
    auth.login("staff@example.com")
    statement(client, july.account.id, closing_balance="1100.00",
              lines="2026-07-02, Deposit Acme, 1500.00\n2026-07-20, Cheque, -400.00")
    base = f"/trust/reports/accounts/{july.account.id}"
    fragment = html(client.submit(f"{base}/match-suggested?month=2026-07", {}, headers=HX))
    assert len(fragment.select("tr.matched")) == 2 and fragment.select_one("#trust-recon-workspace")
    line = db_session.scalar(select(TrustStatementLine).where(TrustStatementLine.amount == D("-400.00")))
    fragment = html(client.submit(f"{base}/lines/{line.id}/unmatch?month=2026-07", {}, headers=HX))
    assert len(fragment.select("tr.matched")) == 1
    assert text_of(fragment.select_one(".bank-difference")) == "-400.00"  # on the statement, not matched
    assert "Cheque" in text_of(fragment.select_one(".unexplained"))
    assert "P-000001" in text_of(fragment.select_one(".unpresented-withdrawals"))
    assert fragment.select_one(".sign-off-form button")["disabled"] is not None
    payment = db_session.scalar(select(TrustTransaction.id).where(TrustTransaction.number == "P-000001"))
    fragment = html(client.submit(f"{base}/lines/{line.id}/match?month=2026-07", {"transaction": payment},
                                  headers=HX))
    assert text_of(fragment.select_one(".bank-difference")) == "0.00"
    # The three agree, but staff cannot sign: the button is disabled and the page says why.
    button = fragment.select_one(".sign-off-form button")
    assert button["disabled"] is not None and button["aria-describedby"] == "sign-off-admins-only"
    why = text_of(fragment.select_one("#sign-off-admins-only"))
    assert "Only an admin (the principal) can sign off" in why
    response = client.submit(f"{base}/sign-off", {"month": "2026-07", "comment": "Staff signing"})
    assert response.status_code == 403
    assert count(db_session, TrustReconciliation) == 0
    db_session.expire_all()
    assert july.account.reconciled_to is None
    auth.login()
    page = html(client.get(f"{base}/reconcile?month=2026-07"))
    assert page.select_one("#sign-off-admins-only") is None
    assert page.select_one(".sign-off-form button").get("disabled") is None
    response = client.submit(f"{base}/sign-off", {"month": "2026-07"})
    assert response.status_code == 303
    done = db_session.scalar(select(TrustReconciliation))
    assert done.signed_off_by_id == books.admin.id and done.comment == ""
    assert [i.number for i in done.unpresented] == ["R-000002"]
    report = html(client.get(response.headers["Location"]))
    assert text_of(report.select_one(".signed-off-by")) == "Ada Admin"


def test_a_form_without_csrf_changes_nothing(client, signed_in, july, db_session):
    response = client.post(f"/trust/reports/accounts/{july.account.id}/sign-off", data={"month": "2026-07"})
    assert response.status_code == 400
    assert count(db_session, TrustReconciliation) == 0
