"""Rate limits, the clock, Idempotency-Key and fault injection."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from sandbox import RunningSandbox
from sandbox.clock import Clock
from sandbox.faults import Faults
from sandbox.limits import Limiter
from sandbox.seed import DEMO_ORG, TRIAL_ORG
from tests.sandbox.conftest import Connected

ORG_PATH = "/api.xro/2.0/Organisation"
CONTACTS = "/api.xro/2.0/Contacts"


def _limits(control: FlaskClient, **values: int) -> None:
    control.post("/_sandbox/limits", json=values)


def test_minute_limit_gives_429_with_retry_after_then_resets(demo: Connected,
                                                             control: FlaskClient) -> None:
    _limits(control, LIMIT_MINUTE=3)
    remaining = [demo.get(ORG_PATH).headers["X-MinLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = demo.get(ORG_PATH)
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-MinLimit-Remaining"] == "0"
    control.post("/_sandbox/clock", json={"advance_seconds": 60})
    assert demo.get(ORG_PATH).status_code == 200


def test_day_limit_gives_429_day(demo: Connected, control: FlaskClient) -> None:
    _limits(control, LIMIT_DAY=2)
    demo.get(ORG_PATH)
    demo.get(ORG_PATH)
    refused = demo.get(ORG_PATH)
    assert refused.headers["X-Rate-Limit-Problem"] == "day"
    assert refused.headers["X-DayLimit-Remaining"] == "0"
    assert int(refused.headers["Retry-After"]) > 3600


def test_limits_are_per_tenant(connect: Callable[..., Connected], control: FlaskClient) -> None:
    demo = connect(tenants=[DEMO_ORG, TRIAL_ORG])
    _limits(control, LIMIT_MINUTE=1)
    assert demo.get(ORG_PATH).status_code == 200
    assert demo.get(ORG_PATH).status_code == 429
    assert demo.get(ORG_PATH, tenant=TRIAL_ORG).status_code == 200


def test_concurrent_limit_refuses_a_sixth_call_in_flight() -> None:
    config = {"LIMIT_CONCURRENT": 5, "LIMIT_MINUTE": 60, "LIMIT_DAY": 5000,
              "LIMIT_APP_MINUTE": 10000}
    limiter = Limiter(config, Clock())
    assert all(limiter.enter("t", "app").allowed for _ in range(5))
    sixth = limiter.enter("t", "app")
    assert not sixth.allowed
    assert sixth.headers["X-Rate-Limit-Problem"] == "concurrent"
    limiter.leave("t", "app")
    assert limiter.enter("t", "app").allowed


def test_app_minute_limit_spans_tenants() -> None:
    config = {"LIMIT_CONCURRENT": 5, "LIMIT_MINUTE": 60, "LIMIT_DAY": 5000,
              "LIMIT_APP_MINUTE": 2}
    limiter = Limiter(config, Clock())
    for tenant in ("a", "b"):
        limiter.enter(tenant, "app")
        limiter.leave(tenant, "app")
    verdict = limiter.enter("c", "app")
    assert verdict.headers["X-Rate-Limit-Problem"] == "appminute"


def test_a_faster_clock_shortens_retry_after_in_real_seconds() -> None:
    config = {"LIMIT_CONCURRENT": 5, "LIMIT_MINUTE": 1, "LIMIT_DAY": 5000,
              "LIMIT_APP_MINUTE": 10000}
    limiter = Limiter(config, Clock(speed=60.0))
    limiter.enter("t", "app")
    limiter.leave("t", "app")
    assert limiter.enter("t", "app").headers["Retry-After"] == "1"


def test_clock_endpoint_advances_and_sets_speed(control: FlaskClient) -> None:
    before = control.get("/_sandbox/clock").json["now"]
    after = control.post("/_sandbox/clock", json={"advance_seconds": 3600, "speed": 2}).json
    assert after["now"] - before >= 3600
    assert after["speed"] == 2


def test_idempotency_key_replays_the_first_answer_and_creates_nothing(demo: Connected) -> None:
    body = {"Contacts": [{"Name": "Once Only"}]}
    first = demo.put(CONTACTS, body, **{"Idempotency-Key": "k-1"})
    second = demo.put(CONTACTS, body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    names = [c["Name"] for c in demo.get(CONTACTS).json["Contacts"]]
    assert names.count("Once Only") == 1


def test_idempotency_key_with_a_different_request_is_400(demo: Connected) -> None:
    demo.put(CONTACTS, {"Contacts": [{"Name": "A"}]}, **{"Idempotency-Key": "k-2"})
    other = demo.put(CONTACTS, {"Contacts": [{"Name": "B"}]}, **{"Idempotency-Key": "k-2"})
    assert other.status_code == 400
    assert other.json["Message"] == "Idempotency Key: k-2 is used with a different request."


def test_idempotent_errors_are_cached_and_keys_expire_after_six_minutes(
        demo: Connected, control: FlaskClient) -> None:
    body = {"Contacts": [{"Name": "Bad", "EmailAddress": "nope"}]}
    first = demo.put(CONTACTS, body, **{"Idempotency-Key": "k-3"})
    assert first.status_code == 400
    control.post("/_sandbox/clock", json={"advance_seconds": 361})
    demo.token = demo.token  # same token is still valid (30 minutes)
    fixed = {"Contacts": [{"Name": "Bad", "EmailAddress": "ok@example.com"}]}
    assert demo.put(CONTACTS, fixed, **{"Idempotency-Key": "k-3"}).status_code == 200


def test_idempotent_replays_still_count_against_limits(demo: Connected,
                                                       control: FlaskClient) -> None:
    _limits(control, LIMIT_MINUTE=2)
    body = {"Contacts": [{"Name": "Replay"}]}
    demo.put(CONTACTS, body, **{"Idempotency-Key": "k-4"})
    demo.put(CONTACTS, body, **{"Idempotency-Key": "k-4"})
    assert demo.put(CONTACTS, body, **{"Idempotency-Key": "k-4"}).status_code == 429


def test_queued_faults_500_then_503_then_normal(demo: Connected, control: FlaskClient) -> None:
    control.post("/_sandbox/faults", json={"queue": ["500", "503"]})
    assert demo.get(ORG_PATH).status_code == 500
    assert demo.get(ORG_PATH).status_code == 503
    assert demo.get(ORG_PATH).status_code == 200


def test_fault_revoke_mid_run_gives_401_and_removes_connections(
        sandbox_app: Flask, demo: Connected, control: FlaskClient) -> None:
    control.post("/_sandbox/faults", json={"queue": ["revoke"]})
    assert demo.get(ORG_PATH).status_code == 401
    assert demo.get(ORG_PATH).status_code == 401
    assert demo.get("/connections").status_code == 401
    assert sandbox_app.extensions["sandbox"].store.all("connection") == []


def test_fault_disconnect_mid_run_gives_403(demo: Connected, control: FlaskClient) -> None:
    control.post("/_sandbox/faults", json={"FAULT_DISCONNECT_AFTER": 2})
    assert demo.get(ORG_PATH).status_code == 200
    assert demo.get(ORG_PATH).status_code == 403
    assert DEMO_ORG not in [c["tenantId"] for c in demo.get("/connections").json]


def test_slow_fault_sleeps_the_configured_time(demo: Connected, control: FlaskClient) -> None:
    control.post("/_sandbox/faults", json={"queue": ["slow"], "slow_seconds": 0.01})
    assert demo.get(ORG_PATH).status_code == 200
    assert control.get("/_sandbox/faults").json["queue"] == []


def test_fault_rates_are_seeded_and_repeatable() -> None:
    settings = {"FAULT_SEED": 7, "FAULT_RATE_500": 0.2, "FAULT_RATE_503": 0.1,
                "FAULT_RATE_SLOW": 0.0, "FAULT_SLOW_SECONDS": 0.0, "FAULT_REVOKE_AFTER": 0,
                "FAULT_DISCONNECT_AFTER": 0}
    runs = []
    for _ in range(2):
        faults = Faults(settings)
        runs.append([faults.next_fault() for _ in range(200)])
    first = runs[0]
    assert runs[0] == runs[1]
    assert 20 < first.count("500") < 60 and 5 < first.count("503") < 40


def test_faults_are_off_by_default(demo: Connected, control: FlaskClient) -> None:
    state = control.get("/_sandbox/faults").json
    assert state["FAULT_RATE_500"] == state["FAULT_RATE_503"] == state["FAULT_RATE_SLOW"] == 0
    assert all(demo.get(ORG_PATH).status_code == 200 for _ in range(20))


def test_unknown_fault_kind_is_refused(control: FlaskClient) -> None:
    assert control.post("/_sandbox/faults", json={"queue": ["explode"]}).status_code == 400


def test_reset_returns_to_the_seeded_state(demo: Connected, control: FlaskClient) -> None:
    demo.put(CONTACTS, {"Contacts": [{"Name": "Temporary"}]})
    control.post("/_sandbox/reset")
    assert demo.get(ORG_PATH).status_code == 401  # tokens are gone too


def test_concurrent_writers_over_http_all_land_with_unique_numbers(
        live_sandbox: RunningSandbox) -> None:
    """Five threads writing at once (the concurrent limit) never corrupt the books."""
    import threading

    import requests

    from tests.sandbox.test_sandbox_sdk import connect_with_requests

    running = live_sandbox
    token = connect_with_requests(running)
    headers = {"Authorization": f"Bearer {token['access_token']}", "xero-tenant-id": DEMO_ORG,
               "Accept": "application/json"}
    statuses: list[int] = []

    def writer(serial: int) -> None:
        body = {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": f"Writer {serial}"},
                              "Status": "AUTHORISED", "LineItems": [
                                  {"Description": "x", "UnitAmount": 10, "AccountCode": "200"}]}
                             for _ in range(5)]}
        answer = requests.put(f"{running.url}/api.xro/2.0/Invoices", json=body, headers=headers,
                              timeout=30)
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ok = statuses.count(200)
    assert set(statuses) <= {200, 429}
    listed = requests.get(f"{running.url}/api.xro/2.0/Invoices", headers=headers,
                          timeout=30).json()["Invoices"]
    numbers = [invoice["InvoiceNumber"] for invoice in listed]
    assert len(numbers) == ok * 5 == len(set(numbers))


def test_clear_with_queue_empties_the_old_queue_and_keeps_the_new(control: FlaskClient) -> None:
    control.post("/_sandbox/faults", json={"queue": ["500"]})
    state = control.post("/_sandbox/faults", json={"clear": True, "queue": ["503", "slow"]}).json
    assert state["queue"] == ["503", "slow"]


def test_a_call_refused_with_429_does_not_use_up_a_queued_fault(
        demo: Connected, control: FlaskClient) -> None:
    _limits(control, LIMIT_MINUTE=1)
    assert demo.get(ORG_PATH).status_code == 200
    control.post("/_sandbox/faults", json={"queue": ["503"]})
    assert demo.get(ORG_PATH).status_code == 429
    assert control.get("/_sandbox/faults").json["queue"] == ["503"]


def test_401_and_403_answers_carry_the_limit_headers_uncounted(demo: Connected) -> None:
    demo.get(ORG_PATH)
    forbidden = demo.get(ORG_PATH, tenant=TRIAL_ORG)
    unknown = demo.client.get(ORG_PATH, headers={"Authorization": "Bearer nope",
                                                 "xero-tenant-id": DEMO_ORG})
    for refused, status in ((forbidden, 403), (unknown, 401)):
        assert refused.status_code == status
        for name in ("X-DayLimit-Remaining", "X-MinLimit-Remaining", "X-AppMinLimit-Remaining"):
            assert refused.headers[name].isdigit(), name
    assert demo.get(ORG_PATH).headers["X-MinLimit-Remaining"] == "58"
