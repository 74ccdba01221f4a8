"""The shared credential budget, against a real Redis: workers share one bucket and one block."""

from __future__ import annotations

import threading

import pytest
import redis

from scanner.executors.ratelimit import CredentialBudget


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
