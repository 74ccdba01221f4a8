"""The shared credential budget, against a real Redis: workers share one bucket and one block."""

from __future__ import annotations

import threading

import pytest
import redis

from scanner.ratelimit import CredentialBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


@pytest.fixture()
def client(redis_url: str) -> redis.Redis:
    connection = redis.Redis.from_url(redis_url)
    connection.flushdb()
    return connection


def test_workers_sharing_a_credential_share_one_bucket(client: redis.Redis) -> None:
    clock = Clock()
    workers = [CredentialBudget(client, "github:t1", rate=10, burst=5, clock=clock, sleep=clock.sleep) for _ in range(4)]
    waited = [w.acquire() for w in workers for _ in range(5)]  # 20 requests from 4 workers
    assert waited[:5] == [0.0] * 5  # the burst, once for all workers
    assert clock.now - 1_000_000.0 == pytest.approx(1.5, abs=0.01)  # the other 15 at 10 per second


def test_other_credentials_have_their_own_budget(client: redis.Redis) -> None:
    clock = Clock()
    a = CredentialBudget(client, "github:a", rate=1, burst=1, clock=clock, sleep=clock.sleep)
    b = CredentialBudget(client, "github:b", rate=1, burst=1, clock=clock, sleep=clock.sleep)
    assert a.acquire() == 0 and b.acquire() == 0


def test_a_spent_rate_limit_blocks_every_worker_until_reset(client: redis.Redis) -> None:
    clock = Clock()
    one = CredentialBudget(client, "github:t2", rate=100, burst=100, clock=clock, sleep=clock.sleep)
    other = CredentialBudget(client, "github:t2", rate=100, burst=100, clock=clock, sleep=clock.sleep)
    one.observe({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(clock.now) + 30)})
    assert other.acquire() == pytest.approx(30)
    other.observe({"Retry-After": "7"})
    assert one.acquire() == pytest.approx(7)


def test_a_pause_one_worker_is_told_blocks_the_others(client: redis.Redis) -> None:
    from scanner.http import Budget, NoPacing
    from scanner.ratelimit import SharedPacer

    clock = Clock()
    shared = CredentialBudget(client, "github:t3", rate=100, burst=100, clock=clock, sleep=clock.sleep)
    first = Budget("worker 1", pacer=SharedPacer(shared, NoPacing()))
    other = CredentialBudget(client, "github:t3", rate=100, burst=100, clock=clock, sleep=clock.sleep)
    first.pause(3600)  # GitHub said "Retry-After: 3600" to worker 1
    assert other.acquire() > 0  # worker 2 waits too


def test_github_collector_on_a_worker_spends_the_shared_budget(client: redis.Redis, redis_url: str) -> None:
    from scanner.collectors.base import CollectContext
    from scanner.collectors.github.collector import GitHubCollector
    from scanner.ratelimit import SHARED_BUDGET_ENV
    from tests.fakes.github import OWNER_TOKEN, FakeGitHub

    with FakeGitHub() as fake:
        context = CollectContext(environ={"GITHUB_TOKEN": OWNER_TOKEN, SHARED_BUDGET_ENV: redis_url})
        result = GitHubCollector({"orgs": ["northwind-labs"], "url": fake.url}, context).collect()
    assert [s.status for s in result.sources] == ["ok"]
    buckets = [k.decode() for k in client.keys("posture:budget:github:*")]
    assert len(buckets) == 1 and OWNER_TOKEN not in buckets[0]  # keyed by the credential's label, not its value
