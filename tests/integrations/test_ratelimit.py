"""The call budget every consumer shares (integrations/ratelimit.py): Xero's minute, day,
concurrent and app limits, kept before Xero has to answer 429, in the database (SQLite and
PostgreSQL) and in Redis, under real threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from integrations.ratelimit import DatabaseBudget, Limits, RedisBudget, remaining_from
from tests.support import RedisServer

TENANT, OTHER = "tenant-a", "tenant-b"


class Clock:
    """A clock the test moves; the budget reads it as time.time."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(params=["database", "redis"])
def make_budget(request, db_session):
    """A factory of budgets over one store (the app's database, or a fresh Redis)."""
    if request.param == "database":
        db_session.commit()
        return lambda limits=Limits(), clock=Clock(): DatabaseBudget(db_session.get_bind(),
                                                                     limits, clock)
    server = request.getfixturevalue("redis_server")
    import redis

    redis.Redis.from_url(server.url).flushdb()
    return lambda limits=Limits(), clock=Clock(): RedisBudget(server.url, limits, clock)


def _take_and_release(budget, tenant=TENANT, headers=None):
    grant = budget.take(tenant)
    if grant.granted:
        budget.release(tenant, grant.lease, headers)
    return grant


def test_60_calls_a_minute_then_a_wait_until_the_window_ends(make_budget):
    clock = Clock()
    budget = make_budget(clock=clock)
    assert all(_take_and_release(budget).granted for _ in range(60))
    clock.now += 20
    refused = _take_and_release(budget)
    assert not refused.granted and refused.limit == "minute"
    assert refused.wait == pytest.approx(41.0)  # Xero's 60 s, and a second's margin
    clock.now += 41
    assert _take_and_release(budget).granted


def test_the_day_limit_holds_across_minutes(make_budget):
    clock = Clock()
    budget = make_budget(Limits(per_minute=10, per_day=25), clock)
    granted = 0
    for _ in range(5):
        granted += sum(_take_and_release(budget).granted for _ in range(10))
        clock.now += 61
    assert granted == 25
    refused = _take_and_release(budget)
    assert refused.limit == "day" and refused.wait > 80_000


def test_five_at_once_and_a_crashed_callers_place_comes_back_when_its_lease_ends(make_budget):
    clock = Clock()
    budget = make_budget(Limits(lease_seconds=120), clock)
    leases = [budget.take(TENANT) for _ in range(5)]
    assert all(grant.granted for grant in leases)
    sixth = budget.take(TENANT)
    assert not sixth.granted and sixth.limit == "concurrent"
    assert budget.take(OTHER).granted  # another organisation has places of its own
    budget.release(TENANT, leases[0].lease)
    assert budget.take(TENANT).granted
    clock.now += 121  # the other four callers died mid-call
    assert all(budget.take(TENANT).granted for _ in range(4))


def test_the_app_limit_is_shared_by_every_organisation(make_budget):
    budget = make_budget(Limits(app_per_minute=30))
    granted = sum(_take_and_release(budget, f"tenant-{n % 3}").granted for n in range(40))
    assert granted == 30
    assert _take_and_release(budget, "tenant-9").limit == "app minute"


def test_xeros_remaining_counts_steer_ours(make_budget):
    """Calls someone else made on the organisation show in X-MinLimit-Remaining."""
    budget = make_budget()
    _take_and_release(budget, headers={"X-MinLimit-Remaining": "3", "X-DayLimit-Remaining": "4000"})
    assert sum(_take_and_release(budget).granted for _ in range(10)) == 3


def test_fifty_threads_taking_at_once_get_exactly_the_minutes_60(make_budget):
    budget = make_budget(Limits(concurrent=1000))
    granted = []
    lock = threading.Lock()

    def take(_):
        grant = _take_and_release(budget)
        with lock:
            granted.append(grant.granted)

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(take, range(150)))
    assert granted.count(True) == 60 and len(granted) == 150


def test_remaining_headers_are_read_whatever_their_case():
    assert remaining_from({"x-minlimit-remaining": "58", "X-DAYLIMIT-REMAINING": "4983",
                           "X-AppMinLimit-Remaining": "bad"}) == {"minute": 58, "day": 4983}
    assert remaining_from(None) == {}
