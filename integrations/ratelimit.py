"""Xero's rate limits, kept on our side so Xero never has to answer 429, shared by every consumer.

Xero allows, per organisation (tenant), 60 calls a minute, 5,000 a day and 5 at once, and 10,000
calls a minute across all of an app's tenants; its windows are fixed and start at a tenant's
first call (FACTS §4.1). Every consumer that calls Xero takes its call from one budget before
calling: in the database by default (two small tables, one row lock per take), in Redis when
huey runs on Redis (XERO_BUDGET_REDIS_URL, else HUEY_REDIS_URL), so several consumers on several
machines add up to one caller.

- `take(tenant)` either grants the call (counted in the minute and day windows, and holding one
  of the 5 concurrent places until `release`) or says how long to wait. A consumer killed
  mid-call frees its place when the lease expires (`lease_seconds`, longer than any call).
- `release(lease, headers)` frees the place and steers by what Xero said: X-MinLimit-Remaining,
  X-DayLimit-Remaining and X-AppMinLimit-Remaining (every response carries them) raise our counts
  to what Xero has counted, so calls another app or a person's own integration made on the same
  organisation are respected too.

Windows: ours starts at our first call in the tenant's window, as Xero's does at its first call,
so the two agree while we are the only caller; the headers correct the count when we are not.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import Float, Integer, String, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounting.base import Base

# Our windows last a second longer than Xero's: ours starts when we take the call, Xero's when
# the call arrives a moment later, so a window of exactly 60 s would end just before Xero's.
MARGIN = 1.0
MINUTE, DAY = 60.0 + MARGIN, 86400.0 + MARGIN
APP_SCOPE = "*app*"
# When all 5 places are taken, another call ends soon: look again after this.
CONCURRENT_WAIT = 0.25


@dataclass(frozen=True)
class Limits:
    """Xero's published limits (FACTS §4.1); per_day is 1,000 on Xero's Starter tier."""

    per_minute: int = 60
    per_day: int = 5000
    concurrent: int = 5
    app_per_minute: int = 10_000
    lease_seconds: float = 120.0

    @classmethod
    def from_config(cls, config: Mapping) -> Limits:
        return cls(per_minute=int(config.get("XERO_LIMIT_PER_MINUTE", 60)),
                   per_day=int(config.get("XERO_LIMIT_PER_DAY", 5000)),
                   concurrent=int(config.get("XERO_LIMIT_CONCURRENT", 5)),
                   app_per_minute=int(config.get("XERO_APP_LIMIT_PER_MINUTE", 10_000)))


@dataclass(frozen=True)
class Grant:
    """A call may go now (`lease` set), or not before `wait` seconds, because of `limit`."""

    lease: str = ""
    wait: float = 0.0
    limit: str = ""

    @property
    def granted(self) -> bool:
        return bool(self.lease)


def remaining_from(headers: Mapping[str, str] | None) -> dict[str, int]:
    """What Xero says is left ("minute", "day", "app_minute"), from its response headers."""
    found = {}
    if not headers:
        return found
    lowered = {str(name).lower(): value for name, value in headers.items()}
    for name, limit in (("x-minlimit-remaining", "minute"), ("x-daylimit-remaining", "day"),
                        ("x-appminlimit-remaining", "app_minute")):
        try:
            found[limit] = int(lowered[name])
        except (KeyError, TypeError, ValueError):
            continue
    return found


# ---------------------------------------------------------------- in the database


class CallBudget(Base):
    """One tenant's (or, with scope APP_SCOPE, the app's) current minute and day windows."""

    __tablename__ = "xero_call_budget"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute_started: Mapped[float] = mapped_column(Float, default=0.0)
    minute_count: Mapped[int] = mapped_column(Integer, default=0)
    day_started: Mapped[float] = mapped_column(Float, default=0.0)
    day_count: Mapped[int] = mapped_column(Integer, default=0)

    def roll(self, now: float) -> None:
        """A window that has ended starts again at this call."""
        if now >= self.minute_started + MINUTE:
            self.minute_started, self.minute_count = now, 0
        if now >= self.day_started + DAY:
            self.day_started, self.day_count = now, 0


class CallLease(Base):
    """One call in progress: one of the tenant's concurrent places, until it ends or expires."""

    __tablename__ = "xero_call_lease"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), index=True)
    expires: Mapped[float] = mapped_column(Float)


class DatabaseBudget:
    """The budget in the database: each take is one short transaction of its own that locks the
    tenant's row, then the app's (always in that order), so takes from every thread and process
    serialise. On SQLite the transaction begins IMMEDIATE (extensions.py), which is the lock."""

    def __init__(self, engine: Engine, limits: Limits = Limits(),
                 clock: Callable[[], float] = time.time) -> None:
        self.engine, self.limits, self.clock = engine, limits, clock

    def take(self, tenant_id: str) -> Grant:
        now = self.clock()
        with Session(bind=self.engine) as own, own.begin():
            tenant, app = self._locked(own, tenant_id), self._locked(own, APP_SCOPE)
            tenant.roll(now)
            app.roll(now)
            own.execute(delete(CallLease).where(CallLease.scope == tenant_id,
                                                CallLease.expires <= now))
            in_flight = own.execute(select(func.count()).select_from(CallLease).where(
                CallLease.scope == tenant_id)).scalar_one()
            refusal = _refusal(self.limits, now, tenant.minute_started, tenant.minute_count,
                               tenant.day_started, tenant.day_count, app.minute_started,
                               app.minute_count, in_flight)
            if refusal is not None:
                return refusal
            tenant.minute_count += 1
            tenant.day_count += 1
            app.minute_count += 1
            lease = str(uuid.uuid4())
            own.add(CallLease(id=lease, scope=tenant_id, expires=now + self.limits.lease_seconds))
        return Grant(lease=lease)

    def release(self, tenant_id: str, lease: str, headers: Mapping[str, str] | None = None) -> None:
        remaining = remaining_from(headers)
        with Session(bind=self.engine) as own, own.begin():
            if remaining:
                tenant, app = self._locked(own, tenant_id), self._locked(own, APP_SCOPE)
                tenant.minute_count = max(tenant.minute_count,
                                          self.limits.per_minute - remaining.get("minute", 10**9))
                tenant.day_count = max(tenant.day_count,
                                       self.limits.per_day - remaining.get("day", 10**9))
                app.minute_count = max(app.minute_count, self.limits.app_per_minute
                                       - remaining.get("app_minute", 10**9))
            own.execute(delete(CallLease).where(CallLease.id == lease))

    def _locked(self, own: Session, scope: str) -> CallBudget:
        """The scope's row, made if missing, locked until `own` commits. The insert is a write,
        so on SQLite it also takes the database's write lock should the transaction have begun
        deferred; on PostgreSQL two first takes at once meet at the conflict, not in an error."""
        dialect = own.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        own.execute(insert(CallBudget).values(scope=scope, minute_started=0.0, minute_count=0,
                                              day_started=0.0, day_count=0)
                    .on_conflict_do_nothing(index_elements=["scope"]))
        query = select(CallBudget).where(CallBudget.scope == scope)
        if dialect != "sqlite":
            query = query.with_for_update()
        return own.execute(query.execution_options(populate_existing=True)).scalar_one()


def _refusal(limits: Limits, now: float, minute_started: float, minute_count: int,
             day_started: float, day_count: int, app_started: float, app_count: int,
             in_flight: int) -> Grant | None:
    """Why a call may not go now, and for how long; None when it may. Shared by both stores."""
    if day_count >= limits.per_day:
        return Grant(wait=day_started + DAY - now, limit="day")
    if minute_count >= limits.per_minute:
        return Grant(wait=minute_started + MINUTE - now, limit="minute")
    if app_count >= limits.app_per_minute:
        return Grant(wait=app_started + MINUTE - now, limit="app minute")
    if in_flight >= limits.concurrent:
        return Grant(wait=CONCURRENT_WAIT, limit="concurrent")
    return None


# ---------------------------------------------------------------- in Redis

# KEYS: tenant hash, app hash, tenant leases (sorted set: lease -> expiry).
# ARGV: now, lease id, per_minute, per_day, app_per_minute, concurrent, lease_seconds.
# Answers {lease} or {"", wait, limit}. One script: Redis runs it atomically.
_TAKE = """
local now = tonumber(ARGV[1])
local function window(key, field, length)
  local started = tonumber(redis.call('HGET', key, field .. '_started') or '0')
  local count = tonumber(redis.call('HGET', key, field .. '_count') or '0')
  if now >= started + length then
    started, count = now, 0
    redis.call('HSET', key, field .. '_started', started, field .. '_count', 0)
  end
  return started, count
end
local m_start, m_count = window(KEYS[1], 'minute', %(minute)s)
local d_start, d_count = window(KEYS[1], 'day', %(day)s)
local a_start, a_count = window(KEYS[2], 'minute', %(minute)s)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local in_flight = redis.call('ZCARD', KEYS[3])
if d_count >= tonumber(ARGV[4]) then return {'', tostring(d_start + %(day)s - now), 'day'} end
if m_count >= tonumber(ARGV[3]) then return {'', tostring(m_start + %(minute)s - now), 'minute'} end
if a_count >= tonumber(ARGV[5]) then
  return {'', tostring(a_start + %(minute)s - now), 'app minute'}
end
if in_flight >= tonumber(ARGV[6]) then return {'', '%(concurrent_wait)s', 'concurrent'} end
redis.call('HINCRBY', KEYS[1], 'minute_count', 1)
redis.call('HINCRBY', KEYS[1], 'day_count', 1)
redis.call('HINCRBY', KEYS[2], 'minute_count', 1)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[7]), ARGV[2])
redis.call('EXPIRE', KEYS[1], 172800)
redis.call('EXPIRE', KEYS[3], 3600)
return {ARGV[2]}
""" % {"concurrent_wait": CONCURRENT_WAIT, "minute": MINUTE, "day": DAY}  # noqa: UP031 (Lua's braces)

# KEYS: tenant hash, app hash, tenant leases. ARGV: lease, minute floor, day floor, app floor.
_RELEASE = """
redis.call('ZREM', KEYS[3], ARGV[1])
local function at_least(key, field, floor)
  if tonumber(floor) > tonumber(redis.call('HGET', key, field) or '0') then
    redis.call('HSET', key, field, floor)
  end
end
at_least(KEYS[1], 'minute_count', ARGV[2])
at_least(KEYS[1], 'day_count', ARGV[3])
at_least(KEYS[2], 'minute_count', ARGV[4])
return 1
"""


class RedisBudget:
    """The same budget in Redis, for consumers on several machines: one Lua script per take and
    per release, so each is atomic without a lock of ours."""

    PREFIX = "practice-ledger:xero-budget:"

    def __init__(self, url: str, limits: Limits = Limits(),
                 clock: Callable[[], float] = time.time) -> None:
        import redis  # only where Redis is configured

        self.redis = redis.Redis.from_url(url)
        self.limits, self.clock = limits, clock
        self._take = self.redis.register_script(_TAKE)
        self._release = self.redis.register_script(_RELEASE)

    def _keys(self, tenant_id: str) -> list[str]:
        return [self.PREFIX + tenant_id, self.PREFIX + APP_SCOPE, self.PREFIX + tenant_id + ":leases"]

    def take(self, tenant_id: str) -> Grant:
        limits = self.limits
        answer = self._take(keys=self._keys(tenant_id), args=[
            repr(self.clock()), str(uuid.uuid4()), limits.per_minute, limits.per_day,
            limits.app_per_minute, limits.concurrent, limits.lease_seconds])
        values = [value.decode() if isinstance(value, bytes) else value for value in answer]
        if values[0]:
            return Grant(lease=values[0])
        return Grant(wait=float(values[1]), limit=values[2])

    def release(self, tenant_id: str, lease: str, headers: Mapping[str, str] | None = None) -> None:
        remaining = remaining_from(headers)
        limits = self.limits
        floors = [limits.per_minute - remaining["minute"] if "minute" in remaining else 0,
                  limits.per_day - remaining["day"] if "day" in remaining else 0,
                  limits.app_per_minute - remaining["app_minute"] if "app_minute" in remaining else 0]
        self._release(keys=self._keys(tenant_id), args=[lease, *floors])


def budget_from_config(config: Mapping, engine: Engine) -> DatabaseBudget | RedisBudget:
    """The practice's budget: Redis when huey runs on Redis (or XERO_BUDGET_REDIS_URL is set),
    the database otherwise."""
    limits = Limits.from_config(config)
    url = config.get("XERO_BUDGET_REDIS_URL") or os.environ.get("HUEY_REDIS_URL")
    return RedisBudget(url, limits) if url else DatabaseBudget(engine, limits)


def wait_text(grant: Grant) -> str:
    """How a person reads a refusal: "Xero's minute limit is reached: the push resumes in 42 s"."""
    return f"Xero's {grant.limit} limit is reached: the push resumes in {math.ceil(grant.wait)} s."
