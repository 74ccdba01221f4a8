"""A thin, read-only HTTP client for GitHub's REST and GraphQL APIs.

Why not PyGithub's object layer: it fetches lazily one object at a time, paces every request
(0.25 s by default), has no on-disk ETag cache and no GraphQL batching. An audit of 1,000
repositories must stay under four requests per repository and re-scan mostly on 304s, so this
client does exactly what the collector needs and nothing else:

* GET with ``per_page=100`` and ``Link`` pagination; POST only to ``/graphql`` (queries) and to
  the App installation-token exchange (``scanner.collectors.github.auth``). No other method exists.
* Conditional requests: with a cache, every GET sends ``If-None-Match`` and a 304 is answered
  from disk (304s do not count against GitHub's primary rate limit).
* Rate limits: a ``Retry-After`` or a secondary-limit 403/429 pauses every worker for the time
  GitHub asks; ``X-RateLimit-Remaining: 0`` pauses until ``X-RateLimit-Reset``. Waits longer than
  ``patience`` fail the request instead. 5xx and connection errors are retried with backoff.
* No fixed pacing between requests: parallelism is bounded by the caller (``concurrency``,
  default 4) and GitHub's own signals above decide when to slow down.
* Every request is counted by endpoint template (``GET /repos/{owner}/{repo}/hooks``); 304s are
  counted under the same template with `` (304)`` appended, so the sum is the number of requests.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from scanner.collectors.base import CallCounter, redact
from scanner.collectors.github.cache import EtagCache
from scanner.errors import ApiError, AuthError, PermissionDenied

DEFAULT_REST_URL = "https://api.github.com"
USER_AGENT = "posture-audit (read-only security posture scanner)"
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubAuthError(AuthError):
    """401: the token or App credentials are invalid, expired or revoked."""

    def __init__(self, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class GitHubNotAllowed(PermissionDenied):
    """403 (not a rate limit) or 404 on an endpoint that needs more rights than the token has."""

    def __init__(self, message: str, *, status: int, endpoint: str) -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint


class GitHubApiError(ApiError):
    """5xx after retries, a rate-limit wait beyond patience, a network failure or a malformed body."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Credential(Protocol):
    """Supplies the Authorization header; implementations live in ``auth.py``."""

    def authorization(self, client: GitHubClient) -> str: ...

    def secrets(self) -> tuple[str, ...]: ...

    def cache_label(self) -> str: ...


def graphql_url_for(rest_url: str) -> str:
    """GraphQL endpoint for a REST base URL: api.github.com -> /graphql, GHES /api/v3 -> /api/graphql."""
    base = rest_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base[: -len("/api/v3")] + "/api/graphql"
    return base + "/graphql"


@dataclass(frozen=True)
class GraphQLResult:
    data: Mapping[str, Any]
    errors: tuple[Mapping[str, Any], ...]

    def errors_under(self, *path: str | int) -> list[Mapping[str, Any]]:
        """Errors whose path starts with ``path`` (field-level errors of a partial answer)."""
        wanted = list(path)
        return [e for e in self.errors if list(e.get("path") or [])[: len(wanted)] == wanted]


class GitHubClient:
    """One organization's connection: its credential, its request counter, its cache namespace."""

    def __init__(
        self,
        *,
        rest_url: str,
        credential: Credential,
        session: requests.Session,
        counter: CallCounter,
        cache: EtagCache | None = None,
        graphql_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        on_wait: Callable[[str], None] = lambda message: None,
        patience: float = 900.0,
        max_retries: int = 3,
        timeout: float = 60.0,
    ) -> None:
        self.rest_url = rest_url.rstrip("/")
        self.graphql_url = graphql_url or graphql_url_for(self.rest_url)
        self.credential = credential
        self.session = session
        self.counter = counter
        self.cache = cache
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._on_wait = on_wait
        self.patience = patience
        self.max_retries = max_retries
        self.timeout = timeout
        self._pause_lock = threading.Lock()
        self._resume_at = 0.0  # wall-clock second before which no request is sent (shared by workers)
        self.waited_seconds = 0.0

    # -- public API --------------------------------------------------------------------------

    def get_json(self, template: str, params: Mapping[str, Any] | None = None, **path: str) -> Any:
        """GET one resource. ``template`` is the endpoint as documented, e.g. ``/orgs/{org}``."""
        body, _ = self._get(template, self._url(template, path), params)
        return body

    def paginate(
        self, template: str, params: Mapping[str, Any] | None = None, *, item_key: str | None = None, **path: str
    ) -> list[Any]:
        """GET every page (per_page=100) following ``Link: rel="next"``; ``item_key`` unwraps
        list responses wrapped in an object (``{"total_count": .., "runner_groups": [..]}``)."""
        items: list[Any] = []
        url: str | None = self._url(template, path)
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while url:
            body, next_url = self._get(template, url, query)
            page = body.get(item_key) if item_key and isinstance(body, dict) else body
            if not isinstance(page, list):
                raise GitHubApiError(f"GitHub answered GET {template} with an unexpected body (not a list)")
            items.extend(page)
            url, query = next_url, None  # the next link carries the query already
        return items

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> GraphQLResult:
        """POST a GraphQL query (a read: the collector never sends mutations)."""
        if query.lstrip().startswith("mutation"):
            raise AssertionError("the collector is read-only: no GraphQL mutations")
        response = self._send("POST", self.graphql_url, "POST /graphql", json_body={"query": query, "variables": dict(variables or {})})
        body = self._json(response, "POST /graphql")
        if not isinstance(body, dict):
            raise GitHubApiError("GitHub answered POST /graphql with an unexpected body")
        errors = tuple(e for e in body.get("errors") or () if isinstance(e, dict))
        data = body.get("data")
        if data is None:
            message = "; ".join(str(e.get("message", "")) for e in errors) or "no data"
            if any(e.get("type") in ("FORBIDDEN", "INSUFFICIENT_SCOPES") for e in errors):
                raise GitHubNotAllowed(f"GraphQL query refused: {message}", status=403, endpoint="POST /graphql")
            raise GitHubApiError(f"GitHub GraphQL query failed: {self._redact(message)}")
        return GraphQLResult(data, errors)

    def request_without_credential(
        self, method: str, template: str, authorization: str, **path: str
    ) -> Any:
        """GET/POST with an explicit Authorization (App JWT): the installation-token exchange."""
        if method not in ("GET", "POST") or (method == "POST" and not template.endswith("/access_tokens")):
            raise AssertionError("only the App installation-token exchange may POST outside GraphQL")
        response = self._send(method, self._url(template, path), f"{method} {template}", authorization=authorization)
        return self._json(response, f"{method} {template}")

    # -- internals ---------------------------------------------------------------------------

    def _url(self, template: str, path: Mapping[str, str]) -> str:
        return self.rest_url + template.format(**{k: requests.utils.quote(v, safe="") for k, v in path.items()})

    def _get(self, template: str, url: str, params: Mapping[str, Any] | None) -> tuple[Any, str | None]:
        label = f"GET {template}"
        prepared_url = requests.Request("GET", url, params=params).prepare().url or url
        cached = self.cache.get(self.credential.cache_label(), prepared_url) if self.cache else None
        headers = {"If-None-Match": cached.etag} if cached else {}
        response = self._send("GET", prepared_url, label, extra_headers=headers, cached=cached is not None)
        if response.status_code == 304 and cached:
            return cached.body, cached.next_url
        body = self._json(response, label)
        next_url = _next_link(response.headers.get("Link"))
        etag = response.headers.get("ETag")
        if self.cache and etag:
            self.cache.put(self.credential.cache_label(), prepared_url, etag, body, next_url)
        return body, next_url

    def _send(
        self,
        method: str,
        url: str,
        label: str,
        *,
        json_body: Any = None,
        extra_headers: Mapping[str, str] | None = None,
        authorization: str | None = None,
        cached: bool = False,
    ) -> requests.Response:
        attempt = 0
        waited = 0.0
        while True:
            self._wait_if_paused()
            headers = {
                "Accept": "application/vnd.github+json",
                "User-Agent": USER_AGENT,
                "X-GitHub-Api-Version": "2022-11-28",
                "Authorization": authorization or self.credential.authorization(self),
                **(extra_headers or {}),
            }
            try:
                response = self.session.request(method, url, headers=headers, json=json_body, timeout=self.timeout)
            except requests.RequestException as exc:
                self.counter.add(label)
                attempt += 1
                if attempt > self.max_retries:
                    raise GitHubApiError(
                        f"cannot reach GitHub at {_host(url)} ({type(exc).__name__}) for {label}"
                    ) from None
                self._backoff(attempt, f"{label}: {type(exc).__name__}, retrying")
                continue
            self.counter.add(f"{label} (304)" if response.status_code == 304 else label)
            self._note_rate_limit(response)
            status = response.status_code
            if status < 400 or (status == 304 and cached):
                return response
            delay = self._rate_limit_delay(response)
            if delay is not None:
                waited += delay
                if waited > self.patience:
                    raise GitHubApiError(
                        f"GitHub rate limit on {label}: would wait {int(waited)} s in total, more than the "
                        f"{int(self.patience)} s allowed; re-run later or with a cache (--cache)",
                        status=status,
                    )
                self._pause(delay, f"rate limited on {label}; waiting {delay:.0f} s")
                continue
            if status >= 500 and attempt < self.max_retries:
                attempt += 1
                self._backoff(attempt, f"{label}: HTTP {status}, retrying")
                continue
            raise self._error(response, label)

    def _json(self, response: requests.Response, label: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise GitHubApiError(f"GitHub answered {label} with a body that is not JSON") from exc

    def _error(self, response: requests.Response, label: str) -> Exception:
        status = response.status_code
        message = ""
        try:
            body = response.json()
            if isinstance(body, dict):
                message = str(body.get("message") or "")
        except ValueError:
            pass
        message = self._redact(message)[:200]
        detail = f"HTTP {status}" + (f" {message}" if message else "")
        if status == 401:
            return GitHubAuthError(f"GitHub rejected the credentials ({detail}) on {label}")
        if status in (403, 404):
            return GitHubNotAllowed(f"{label}: {detail}", status=status, endpoint=label)
        return GitHubApiError(f"{label}: {detail}", status=status)

    def _rate_limit_delay(self, response: requests.Response) -> float | None:
        """Seconds to wait before retrying, when ``response`` is a rate-limit refusal."""
        status = response.status_code
        if status not in (403, 429):
            return None
        retry_after = response.headers.get("Retry-After")
        if retry_after is not None:
            try:
                return max(1.0, float(retry_after))
            except ValueError:
                return 60.0
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset = _float(response.headers.get("X-RateLimit-Reset"))
            if reset is not None:
                return max(1.0, reset - self._wall_clock() + 1.0)
            return 60.0
        if status == 429 or "secondary rate limit" in response.text.lower():
            return 60.0  # GitHub's documented default when it gives no header
        return None

    def _note_rate_limit(self, response: requests.Response) -> None:
        """Primary limit exhausted on a successful answer: pause everyone until the reset."""
        if response.status_code < 400 and response.headers.get("X-RateLimit-Remaining") == "0":
            reset = _float(response.headers.get("X-RateLimit-Reset"))
            if reset is not None:
                delay = reset - self._wall_clock() + 1.0
                if 0 < delay <= self.patience:
                    self._pause(delay, f"primary rate limit used up; waiting {delay:.0f} s for the reset")

    def _pause(self, delay: float, message: str) -> None:
        with self._pause_lock:
            self._resume_at = max(self._resume_at, self._wall_clock() + delay)
        self._on_wait(message)

    def _wait_if_paused(self) -> None:
        while True:
            with self._pause_lock:
                remaining = self._resume_at - self._wall_clock()
            if remaining <= 0:
                return
            self.waited_seconds += remaining
            self._sleep(remaining)

    def _backoff(self, attempt: int, message: str) -> None:
        self._on_wait(message)
        self._sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))

    def _redact(self, text: str) -> str:
        return redact(text, self.credential.secrets())


def _next_link(header: str | None) -> str | None:
    if not header:
        return None
    match = _NEXT_LINK.search(header)
    return match.group(1) if match else None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
