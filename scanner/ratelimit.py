"""One rate budget per credential, shared by every worker through Redis.

A token bucket in Redis (one Lua script, so check-and-take is atomic across workers) paces the
requests of every unit that spends the same credential, and the API's own answer wins: when a
response says the budget is spent (``X-RateLimit-Remaining: 0`` until ``X-RateLimit-Reset``,
a ``Retry-After``), :meth:`CredentialBudget.block_until` makes every worker wait for it, so ten
workers trip GitHub's secondary limits or Graph throttling no more than one would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# KEYS[1] bucket hash, KEYS[2] blocked-until key; ARGV rate/s, burst, now (s, float), cost.
# Returns the seconds to wait (0 when the tokens were taken).
_TAKE = """
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
local now = tonumber(ARGV[3])
if blocked > now then return tostring(blocked - now) end
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate)
if tokens + 1e-6 >= cost then  -- float error must not leave a worker waiting forever
  redis.call('HSET', KEYS[1], 'tokens', math.max(0, tokens - cost), 'at', now)
  redis.call('EXPIRE', KEYS[1], 3600)
  return '0'
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
return tostring((cost - tokens) / rate)
"""


class CredentialBudget:
    """The shared budget of one credential (``github:token:<hash>``, ``aws:mgmt:<id>``...)."""

    def __init__(self, client: Any, credential: str, rate: float, burst: int,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self._redis = client
        self._bucket = f"posture:budget:{credential}"
        self._blocked = f"posture:blocked:{credential}"
        self._rate, self._burst = rate, burst
        self._clock, self._sleep = clock, sleep
        self._take = client.register_script(_TAKE)

    def acquire(self, cost: int = 1) -> float:
        """Wait until ``cost`` requests may be sent; returns the seconds waited."""
        waited = 0.0
        while True:
            delay = float(self._take(keys=[self._bucket, self._blocked],
                                     args=[self._rate, self._burst, self._clock(), cost]))
            if delay <= 0:
                return waited
            delay = max(delay, 0.001)
            self._sleep(delay)
            waited += delay

    def block_until(self, epoch_seconds: float) -> None:
        """The API said the budget is spent until then: every worker waits (the later time wins)."""
        current = float(self._redis.get(self._blocked) or 0)
        if epoch_seconds > current:
            ttl = max(1, int(epoch_seconds - self._clock()) + 1)
            self._redis.set(self._blocked, repr(epoch_seconds), ex=ttl)

    def observe(self, headers: Any) -> None:
        """Read GitHub-style ``X-RateLimit-*`` and ``Retry-After`` headers of a response."""
        retry_after = headers.get("Retry-After")
        if retry_after is not None and str(retry_after).isdigit():
            self.block_until(self._clock() + int(retry_after))
        elif headers.get("X-RateLimit-Remaining") == "0" and str(headers.get("X-RateLimit-Reset", "")).isdigit():
            self.block_until(float(headers["X-RateLimit-Reset"]))


# GitHub's secondary limits for one credential, shared by every worker: about 900 requests a
# minute (the per-endpoint REST figure, applied to the credential as a whole: conservative).
GITHUB_SHARED_RATE = 15.0
GITHUB_SHARED_BURST = 60
# The variable `posture worker` sets: the Redis the workers share budgets through.
SHARED_BUDGET_ENV = "POSTURE_SHARED_BUDGET_URL"


class SharedPacer:
    """A :class:`scanner.http.Pacer` that takes a token from the credential's shared Redis bucket
    before the process's own per-route pacer, and turns a pause the API asked for into a block
    every worker honours (``on_pause``)."""

    def __init__(self, shared: CredentialBudget, local: Any) -> None:
        self.shared, self.local = shared, local

    def acquire(self, route: str) -> None:
        self.shared.acquire()
        self.local.acquire(route)

    def release(self, route: str, seconds: float) -> None:
        self.local.release(route, seconds)

    def on_pause(self, seconds: float) -> None:
        self.shared.block_until(time.time() + seconds)


def shared_pacer(environ: Any, credential: str, local: Any) -> Any:
    """``local`` wrapped in the shared budget when this process is a worker (else ``local``)."""
    url = environ.get(SHARED_BUDGET_ENV)
    if not url:
        return local
    import redis

    client = redis.Redis.from_url(url)
    return SharedPacer(CredentialBudget(client, credential, GITHUB_SHARED_RATE, GITHUB_SHARED_BURST), local)
