"""One HTTP seam for every REST client the project writes (GitHub REST and GraphQL, Microsoft
Graph, Splunk HEC, and the ones to come). A client builds one :class:`Transport` per API origin and
sends every request through :meth:`Transport.request`; what each API means by "slow down" is a
small :class:`RateSignals` object, so the loop, the waiting and the safety rules live here once.

Use::

    from scanner.http import Budget, Transport, RateSignals, RoutePacer

    budget = Budget("github pat:ab12cd", patience=900)     # one per credential, shared by its clients
    http = Transport(
        "https://api.github.com",                           # the origin every request must stay on
        secrets=(token,),                                   # redacted from every error message
        counter=CallCounter(),                              # requests counted by route (retries too)
        budget=budget,
        signals=GITHUB_SIGNALS,                             # rate-limit refusals / exhaustion (see below)
        retries=3, timeout=60.0, pool_size=8,
        on_wait=lambda message: progress.log(source, message),
    )
    response = http.request("GET", url, route="GET /orgs/{org}", headers={...}, params={...})
    next_url = http.same_origin(link)                       # refuses a next-page link to another host

Microsoft Graph (``scanner/collectors/azure/client.py``, ``GraphClient``) uses it the same way::

    http = Transport("https://graph.microsoft.com", secrets=(access_token,), counter=counter,
                     budget=Budget(f"Graph tenant {tenant_id}", patience=300),
                     signals=RetryAfterSignals(statuses=frozenset({429})))
    url = "https://graph.microsoft.com/v1.0/users?$top=999"
    while url:
        page = http.request("GET", url, route="GET /users", headers={"Authorization": f"Bearer {token}"}).json()
        url = page.get("@odata.nextLink") and http.same_origin(page["@odata.nextLink"])

Splunk HEC (``scanner/sinks/splunk_hec.py``) posts batches with ``idempotent=True``.

What the transport guarantees:

* **Origin guard.** Every URL must have the base URL's scheme, host and port, checked before a
  byte is sent: a ``Link: rel="next"`` (or an ``@odata.nextLink``) pointing elsewhere raises
  :class:`ForeignHostError` instead of sending the credential there. Redirects are not followed
  across origins either (requests drops ``Authorization`` on them, and we refuse them outright).
* **Transient failures** (connection errors, read timeouts, 500/502/503/504) are retried by
  urllib3's ``Retry`` inside a requests ``HTTPAdapter``: ``retries`` times, exponential backoff
  with jitter (``backoff_factor``, ``backoff_jitter``, ``backoff_max``), ``Retry-After`` honoured
  up to ``retry_after_max``. POSTs are retried only when the caller says the POST is a read
  (``idempotent=True``: a GraphQL query) or safe to repeat (a SIEM batch).
* **Rate limits.** ``signals.refusal_delay(response, now)`` recognises a refusal (GitHub's
  403/429 with ``Retry-After`` or ``X-RateLimit-Remaining: 0``; Graph's 429) and says how long to
  wait; the :class:`Budget` pauses every client sharing the credential for that long, then the
  request is sent again. A wait beyond ``patience`` *stops* the budget: no client sharing it sends
  another request (GitHub may ban an integration that keeps calling while limited) and each raises
  :class:`RateLimitSpent` with one line saying until when. ``signals.exhausted_delay`` on a
  successful answer (remaining 0) pauses before the next request.
* **Pacing hooks.** ``budget.pacer`` (:class:`Pacer`) is asked before each send
  (``acquire(route)``) and told after it (``release(route, seconds)``); :class:`RoutePacer`
  implements per-route requests-per-minute, a concurrency cap and a request-time budget (GitHub's
  secondary limits).
* **Counting.** ``counter.add(route)`` once per request on the wire (urllib3's retries included,
  read from its retry history); a 304 is counted as ``"<route> (304)"``.
* **Redaction.** Error messages never contain ``secrets`` (nor the Authorization header).

Errors (all :class:`scanner.errors.ApiError`, so collectors record them as API failures):
:class:`TransportError` (unreachable after retries, with ``status=None``), :class:`ForeignHostError`,
:class:`RateLimitSpent`. HTTP error statuses are *returned* (``raise_on_status=False``): the client
maps 401/403/404 to its own auth/permission errors.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from scanner.errors import ApiError

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3


class Counter(Protocol):
    """Counts requests by route (``scanner.collectors.base.CallCounter`` is one)."""

    def add(self, key: str, amount: int = 1) -> None: ...


class _Tally:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, key: str, amount: int = 1) -> None:
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + amount


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every secret value in ``text`` by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class TransportError(ApiError):
    """The API could not be reached (or kept failing) after the retries."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ForeignHostError(TransportError):
    """A URL (usually a next-page link) points outside the API's origin; nothing was sent."""


class RateLimitSpent(ApiError):
    """The credential's rate limit is spent beyond patience: no more requests are sent with it."""


# -- rate-limit signals ------------------------------------------------------------------------


class RateSignals(Protocol):
    """What an API means by "slow down". Both methods return seconds to wait, or None."""

    def refusal_delay(self, response: requests.Response, now: float) -> float | None: ...

    def exhausted_delay(self, response: requests.Response, now: float) -> float | None: ...


@dataclass(frozen=True)
class RetryAfterSignals:
    """The common case (Microsoft Graph, Splunk HEC): 429 (and 503) with ``Retry-After``."""

    statuses: frozenset[int] = frozenset({429})
    default_delay: float = 10.0

    def refusal_delay(self, response: requests.Response, now: float) -> float | None:
        if response.status_code not in self.statuses:
            return None
        return parse_retry_after(response.headers.get("Retry-After"), now) or self.default_delay

    def exhausted_delay(self, response: requests.Response, now: float) -> float | None:
        return None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date), at least 1 s; None if absent."""
    if value is None or not value.strip():
        return None
    try:
        return max(1.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return max(1.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


# -- pacing ------------------------------------------------------------------------------------


class Pacer(Protocol):
    """Per-route pacing: ``acquire`` blocks until ``route`` may send; ``release`` reports the
    request's duration in seconds."""

    def acquire(self, route: str) -> None: ...

    def release(self, route: str, seconds: float) -> None: ...


class NoPacing:
    """The default: the API's own signals (``RateSignals``) decide when to slow down."""

    def acquire(self, route: str) -> None:
        return None

    def release(self, route: str, seconds: float) -> None:
        return None


@dataclass(frozen=True)
class RouteLimit:
    """At most ``per_window`` requests per pacer window on routes starting with ``prefix`` (a
    ``"POST /graphql"``-style route; ``""`` matches every route, each route counted on its own)."""

    prefix: str
    per_window: float


class RoutePacer:
    """Token buckets per route, a cap on concurrent requests and a request-time budget.

    GitHub's secondary limits (docs.github.com, "Rate limits for the REST API"): at most 100
    concurrent requests, 900 points a minute per REST endpoint (2,000 for GraphQL), at most 90 s
    of request time per 60 s of real time. Buckets start full at ``burst`` requests, so short
    scans are not slowed at all; a long one settles at the rate. Any ``window`` (seconds) then
    holds at most ``burst + per_window`` requests of a route: choose ``per_window`` so that sum
    stays under the API's limit."""

    def __init__(
        self,
        limits: Iterable[RouteLimit] = (),
        *,
        max_concurrent: int = 100,
        request_seconds_per_minute: float | None = None,
        burst: float = 60.0,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = sorted(limits, key=lambda limit: -len(limit.prefix))
        self.burst = burst
        self.window = window
        self.request_seconds_per_minute = request_seconds_per_minute
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._buckets: dict[str, tuple[float, float]] = {}  # route -> (tokens, last refill)
        self._spent: deque[tuple[float, float]] = deque()  # (finished at, seconds) of the last window
        self._in_flight = 0
        self._typical = 0.0  # moving average of a request's seconds, to cost those in flight
        self.waited = 0.0

    def _rate(self, route: str) -> float | None:
        for limit in self.limits:
            if route.startswith(limit.prefix):
                return limit.per_window / self.window
        return None

    def acquire(self, route: str) -> None:
        self._slots.acquire()
        try:
            while True:
                delay = self._reserve(route)
                if delay <= 0:
                    return
                self.waited += delay
                self._sleep(delay)
        except BaseException:
            self._slots.release()
            raise

    def _reserve(self, route: str) -> float:
        """Take a token (0.0) or say how long to wait for one."""
        now = self._clock()
        with self._lock:
            delay = 0.0
            if self.request_seconds_per_minute is not None:
                while self._spent and self._spent[0][0] <= now - self.window:
                    self._spent.popleft()
                # Requests in flight will land in the API's window too: count them at the typical cost.
                # (Both terms drain, so a wait always ends: entries leave the window, requests finish.)
                used = sum(seconds for _, seconds in self._spent) + self._in_flight * self._typical
                if used >= self.request_seconds_per_minute:
                    if self._spent:
                        delay = max(delay, self._spent[0][0] + self.window - now)
                    elif self._in_flight:
                        delay = max(delay, min(self._typical, self.window))  # let one finish
            rate = self._rate(route)
            if rate is not None:
                tokens, last = self._buckets.get(route, (self.burst, now))
                tokens = min(self.burst, tokens + (now - last) * rate)
                if tokens < 1.0:
                    delay = max(delay, (1.0 - tokens) / rate)
                    self._buckets[route] = (tokens, now)
                elif delay <= 0:
                    self._buckets[route] = (tokens - 1.0, now)
            if delay <= 0:
                self._in_flight += 1
            return delay

    def release(self, route: str, seconds: float) -> None:
        with self._lock:
            self._spent.append((self._clock(), seconds))
            self._in_flight = max(0, self._in_flight - 1)
            self._typical = seconds if self._typical == 0.0 else 0.9 * self._typical + 0.1 * seconds
        self._slots.release()


# -- the shared budget of one credential -------------------------------------------------------


@dataclass
class Budget:
    """What every client using one credential shares: the pause GitHub (or Graph) asked for, the
    stop once the limit is spent beyond ``patience``, and the pacer. Thread-safe."""

    name: str
    patience: float = 900.0
    pacer: Pacer = field(default_factory=NoPacing)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _resume_at: float = 0.0
    stopped: str | None = None  # the one-line reason, once spent
    waited: float = 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._resume_at = max(self._resume_at, self.clock() + seconds)
        # A pacer shared with other processes (scanner.ratelimit) passes the pause on.
        on_pause = getattr(self.pacer, "on_pause", None)
        if on_pause is not None:
            on_pause(seconds)

    def stop(self, reason: str) -> None:
        with self._lock:
            if self.stopped is None:
                self.stopped = reason

    def wait_turn(self) -> None:
        """Raise if stopped; otherwise sleep out any pause in force."""
        while True:
            with self._lock:
                if self.stopped is not None:
                    raise RateLimitSpent(self.stopped)
                target = self._resume_at
                remaining = target - self.clock()
            if remaining <= 0:
                return
            self.waited += remaining
            self.sleep(remaining)
            with self._lock:
                if self._resume_at <= target:  # nobody asked for a longer pause meanwhile
                    if self.stopped is not None:
                        raise RateLimitSpent(self.stopped)
                    return


# -- urllib3 retry with an injectable sleep ----------------------------------------------------


class _Retry(Retry):
    """urllib3's Retry, with the sleep injectable (tests, progress messages). ``new`` carries the
    extra attributes over to the copy urllib3 makes after each attempt. ``sleep_for_retry`` and
    ``_sleep_backoff`` are the two places urllib3 2.x sleeps (pinned ``urllib3>=2.2,<3``)."""

    # 429 is a rate-limit refusal: the Budget waits it out (shared, bounded by patience), not
    # urllib3 on its own; a 503's Retry-After is a transient outage's and stays here.
    RETRY_AFTER_STATUS_CODES = frozenset({503})
    sleeper: Callable[[float], None] = staticmethod(time.sleep)  # type: ignore[assignment]
    on_sleep: Callable[[float], None] | None = None

    def new(self, **kw: Any) -> _Retry:
        copy: _Retry = super().new(**kw)  # type: ignore[assignment]
        copy.sleeper = self.sleeper
        copy.on_sleep = self.on_sleep
        return copy

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            if self.on_sleep is not None:
                self.on_sleep(seconds)
            self.sleeper(seconds)

    def sleep_for_retry(self, response: Any = None) -> bool:
        retry_after = self.get_retry_after(response) if response is not None else None
        if retry_after:
            self._pause(min(retry_after, float(self.retry_after_max)))
            return True
        return False

    def _sleep_backoff(self) -> None:
        self._pause(self.get_backoff_time())


# -- the transport -----------------------------------------------------------------------------


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"https": 443, "http": 80}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


class Transport:
    """Sends requests to one API origin with retries, rate-limit waits, pacing and counting."""

    def __init__(
        self,
        base_url: str,
        *,
        secrets: Collection[str] = (),
        counter: Counter | None = None,
        budget: Budget | None = None,
        signals: RateSignals | None = None,
        session: requests.Session | None = None,
        retries: int = 3,
        backoff_factor: float = 0.25,
        backoff_jitter: float = 0.25,
        backoff_max: float = 8.0,
        retry_after_max: float = 60.0,
        timeout: float = 60.0,
        pool_size: int = 4,
        verify: bool | str = True,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] = lambda message: None,
        label: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.origin = origin(self.base_url)
        self.label = label or self.origin[1]
        self.secrets = tuple(s for s in secrets if s)
        self.counter: Counter = counter if counter is not None else _Tally()
        self.budget = budget if budget is not None else Budget(self.label)
        self.signals: RateSignals = signals if signals is not None else RetryAfterSignals()
        self.sent = 0  # requests on the wire, retries included
        self.timeout = timeout
        self.verify = verify
        self.retries = retries
        self._on_wait = on_wait
        self.session = session if session is not None else requests.Session()
        self.session.trust_env = True
        self._retry_settings: dict[str, Any] = dict(
            total=retries, connect=retries, read=retries, status=retries, other=0, redirect=0,
            status_forcelist=TRANSIENT_STATUSES, backoff_factor=backoff_factor, backoff_jitter=backoff_jitter,
            backoff_max=backoff_max, respect_retry_after_header=True, retry_after_max=int(retry_after_max),
            raise_on_status=False, raise_on_redirect=False,
        )
        self._adapters: dict[bool, HTTPAdapter] = {}
        self._sleep = sleep
        for idempotent_post in (False, True):
            retry = _Retry(
                allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"} | ({"POST"} if idempotent_post else set())),
                **self._retry_settings,
            )
            retry.sleeper = sleep
            retry.on_sleep = lambda seconds: on_wait(f"transient failure; retrying in {seconds:.1f} s")
            self._adapters[idempotent_post] = HTTPAdapter(
                max_retries=retry, pool_connections=2, pool_maxsize=max(4, pool_size)
            )
        # Reads and idempotent POSTs go through different adapters (their retry rules differ),
        # picked per request in ``_send``; the session only prepares requests (headers, proxies).

    # -- helpers clients use ---------------------------------------------------------------

    def same_origin(self, url: str) -> str:
        """``url`` if it is on this transport's origin; ForeignHostError otherwise."""
        if origin(url) != self.origin:
            theirs = urlsplit(url).netloc.rpartition("@")[2] or url[:60]
            raise ForeignHostError(
                f"refused to follow a link from {self.label} to another host ({theirs}): the credential "
                "is only ever sent to the API's own host"
            )
        return url

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def close(self) -> None:
        """Close the pooled connections (the adapters belong to the transport, not the session)."""
        for adapter in self._adapters.values():
            adapter.close()

    # -- the one request loop ----------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        route: str,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
        idempotent: bool | None = None,
        allow_not_modified: bool = False,
    ) -> requests.Response:
        """Send one request (retried, paced, counted) and return the final response, whatever
        its status. Raises TransportError, ForeignHostError or RateLimitSpent."""
        self.same_origin(url)
        safe_post = idempotent if idempotent is not None else method in ("GET", "HEAD", "OPTIONS")
        waited = 0.0
        redirects = 0
        while True:
            self.budget.wait_turn()
            pacer = self.budget.pacer
            pacer.acquire(route)
            started = time.monotonic()
            try:
                response = self._send(method, url, headers, params, json, data, safe_post)
            except requests.RequestException as exc:
                tries = self.retries + 1 if _retried(exc) else 1
                self.counter.add(route, tries)
                self.sent += tries
                raise TransportError(
                    f"cannot reach {self.label} ({_reason(exc)}) for {route}"
                    + (f" after {self.retries + 1} attempts" if _retried(exc) else "")
                ) from None
            finally:
                pacer.release(route, time.monotonic() - started)
            attempts = _attempts(response)
            self.sent += attempts
            if response.status_code == 304 and allow_not_modified:
                self.counter.add(f"{route} (304)", 1)
                if attempts > 1:
                    self.counter.add(route, attempts - 1)
            else:
                self.counter.add(route, attempts)
            location = response.headers.get("Location")
            if response.status_code in REDIRECTS and location and method in ("GET", "HEAD") and redirects < MAX_REDIRECTS:
                # A renamed repository answers 301: follow it, on this origin only.
                url = self.same_origin(requests.compat.urljoin(url, location))
                params = None
                redirects += 1
                continue
            now = self.budget.clock()
            if response.status_code < 400:
                delay = self.signals.exhausted_delay(response, now)
                if delay is not None and delay > 0:
                    if delay > self.budget.patience:
                        self._spend(route, delay, delay, now)
                    else:
                        self.budget.pause(delay)
                        self._on_wait(f"rate limit used up; waiting {delay:.0f} s for the reset")
                return response
            delay = self.signals.refusal_delay(response, now)
            if delay is None:
                return response
            waited += delay
            if waited > self.budget.patience:
                self._spend(route, delay, waited, now)
            self.budget.pause(delay)
            self._on_wait(f"rate limited on {route}; waiting {delay:.0f} s")

    def _spend(self, route: str, delay: float, waited: float, now: float) -> None:
        until = time.strftime("%H:%M UTC", time.gmtime(now + delay))
        self.budget.stop(
            f"rate limit of {self.budget.name} spent on {route} until about {until} (waiting would take "
            f"{waited / 60:.0f} min in all, more than the {self.budget.patience / 60:.0f} min allowed); stopped "
            "sending requests with this credential: re-run after the reset (or with a cache)"
        )
        raise RateLimitSpent(self.budget.stopped or "rate limit spent")

    def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
        json: Any,
        data: bytes | None,
        safe_post: bool,
    ) -> requests.Response:
        adapter = self._adapters[bool(safe_post and method == "POST")]
        request = requests.Request(method, url, headers=dict(headers or {}), params=params, json=json, data=data)
        prepared = self.session.prepare_request(request)
        self.same_origin(prepared.url or url)
        settings = self.session.merge_environment_settings(prepared.url or url, {}, None, self.verify, None)
        response = adapter.send(prepared, timeout=self.timeout, verify=settings.get("verify", self.verify),
                                proxies=settings.get("proxies"), cert=settings.get("cert"))
        response.request = prepared
        return response


def _attempts(response: requests.Response) -> int:
    retries = getattr(getattr(response, "raw", None), "retries", None)
    history = getattr(retries, "history", None) or ()
    return 1 + len(history)


def _retried(exc: BaseException) -> bool:
    return "Max retries exceeded" in str(exc)


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS certificate not trusted or TLS failed"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__
