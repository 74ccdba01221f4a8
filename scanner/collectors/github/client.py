"""A thin, read-only HTTP client for GitHub's REST and GraphQL APIs, on the project's HTTP seam.

Why not PyGithub's object layer: it fetches lazily one object at a time, paces every request
(0.25 s by default), has no on-disk ETag cache and no GraphQL batching. An audit of 1,000
repositories must stay under four requests per repository and re-scan mostly on 304s, so this
client does exactly what the collector needs and nothing else:

* GET with ``per_page=100`` and ``Link`` pagination; POST only to ``/graphql`` (queries) and to
  the App installation-token exchange (``scanner.collectors.github.auth``). No other method exists.
* Every request goes through ``scanner.http.Transport``: retries of 5xx and connection errors
  (urllib3 ``Retry``, backoff with jitter), the origin guard (a ``Link: rel="next"`` to another
  host is refused, so the token never leaves the API's host), counting and redaction.
* Conditional requests: with a cache, every GET sends ``If-None-Match`` and a 304 is answered
  from disk (304s do not count against GitHub's primary rate limit).
* Rate limits (``GITHUB_SIGNALS``): a ``Retry-After`` or a secondary-limit 403/429 pauses every
  client sharing the credential (``scanner.http.Budget``) for the time GitHub asks;
  ``X-RateLimit-Remaining: 0`` pauses until ``X-RateLimit-Reset``. A wait beyond ``patience``
  stops the credential: no further request is sent with it (GitHub may ban integrations that keep
  calling) and the organizations using it fail with one line saying until when.
* Pagination that does not advance (a next link already read) stops with an error, never loops.
* Every request is counted by endpoint template (``GET /repos/{owner}/{repo}/hooks``); 304s are
  counted under the same template with `` (304)`` appended, so the sum is the number of requests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from scanner.collectors.base import CallCounter, redact
from scanner.collectors.github.cache import EtagCache
from scanner.collectors.github.platform import DEFAULT_REST_URL, graphql_url_for  # noqa: F401 - re-exported
from scanner.errors import ApiError, AuthError, PermissionDenied
from scanner.http import (
    Budget,
    RateSignals,
    RouteLimit,
    RoutePacer,
    Transport,
    TransportError,
    parse_retry_after,
)

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


@dataclass(frozen=True)
class GraphQLResult:
    data: Mapping[str, Any]
    errors: tuple[Mapping[str, Any], ...]

    def errors_under(self, *path: str | int) -> list[Mapping[str, Any]]:
        """Errors whose path starts with ``path`` (field-level errors of a partial answer)."""
        wanted = list(path)
        return [e for e in self.errors if list(e.get("path") or [])[: len(wanted)] == wanted]


@dataclass(frozen=True)
class GitHubSignals:
    """GitHub's ways of saying "slow down" (docs.github.com, "Rate limits for the REST API")."""

    def refusal_delay(self, response: requests.Response, now: float) -> float | None:
        """Seconds to wait before retrying, when ``response`` is a rate-limit refusal."""
        status = response.status_code
        if status not in (403, 429):
            return None
        retry_after = response.headers.get("Retry-After")
        if retry_after is not None:
            return parse_retry_after(retry_after, now) or 60.0
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset = _float(response.headers.get("X-RateLimit-Reset"))
            return max(1.0, reset - now + 1.0) if reset is not None else 60.0
        if status == 429 or "secondary rate limit" in response.text.lower():
            return 60.0  # GitHub's documented default when it gives no header
        return None

    def exhausted_delay(self, response: requests.Response, now: float) -> float | None:
        """Primary limit used up on a successful answer: wait for the reset before the next."""
        if response.headers.get("X-RateLimit-Remaining") != "0":
            return None
        reset = _float(response.headers.get("X-RateLimit-Reset"))
        return reset - now + 1.0 if reset is not None else None


GITHUB_SIGNALS: RateSignals = GitHubSignals()


@dataclass(frozen=True)
class SecondaryLimits:
    """GitHub's secondary rate limits per credential (docs.github.com, "Rate limits for the REST
    API"/"for the GraphQL API"): requests in flight, points per minute per REST endpoint (a GET is
    one point) and for GraphQL, seconds of request time per minute. ``window`` scales the minute
    (tests shrink it together with the limits)."""

    max_concurrent: int = 100
    rest_points: int = 900
    graphql_points: int = 2000
    request_seconds: float = 90.0
    window: float = 60.0
    burst: int = 60  # requests a route sends at once before the pace applies


GITHUB_SECONDARY_LIMITS = SecondaryLimits()


def github_pacer(limits: SecondaryLimits = GITHUB_SECONDARY_LIMITS) -> RoutePacer:
    """Pace one credential's requests under GitHub's secondary limits, with a margin for the
    difference between when we count a request and when GitHub does (network, in-flight ones)."""
    margin = 0.04
    burst = min(limits.burst, int(limits.rest_points * margin * 10))  # a burst never eats the whole window
    return RoutePacer(
        [
            RouteLimit("POST /graphql", limits.graphql_points * (1 - margin) - burst),
            RouteLimit("", limits.rest_points * (1 - margin) - burst),  # each REST endpoint alone
        ],
        max_concurrent=limits.max_concurrent,
        request_seconds_per_minute=limits.request_seconds * (1 - 2 * margin),
        burst=burst,
        window=limits.window,
    )


class GitHubClient:
    """One organization's connection: its credential, its request counter, its cache namespace.
    ``budget`` is shared by every client using the same credential (pauses, the stop, pacing)."""

    def __init__(
        self,
        *,
        rest_url: str,
        credential: Credential,
        counter: CallCounter,
        session: requests.Session | None = None,
        cache: EtagCache | None = None,
        graphql_url: str | None = None,
        budget: Budget | None = None,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
        on_wait: Callable[[str], None] = lambda message: None,
        patience: float = 900.0,
        max_retries: int = 3,
        timeout: float = 60.0,
        pool_size: int = 4,
    ) -> None:
        self.rest_url = rest_url.rstrip("/")
        self.graphql_url = graphql_url or graphql_url_for(self.rest_url)
        self.credential = credential
        self.counter = counter
        self.cache = cache
        self.budget = budget or Budget(
            f"GitHub credential {credential.cache_label()}", patience=patience, sleep=sleep, clock=wall_clock
        )
        self.transport = Transport(
            self.rest_url,
            secrets=credential.secrets(),
            counter=counter,
            budget=self.budget,
            signals=GITHUB_SIGNALS,
            session=session,
            retries=max_retries,
            timeout=timeout,
            pool_size=pool_size,
            sleep=sleep,
            on_wait=on_wait,
            label=f"GitHub at {self.rest_url.split('://', 1)[-1].split('/', 1)[0]}",
        )
        self.transport.same_origin(self.graphql_url)  # a GraphQL URL elsewhere would get the token too

    @property
    def waited_seconds(self) -> float:
        return self.budget.waited

    # -- public API --------------------------------------------------------------------------

    def get_json(self, template: str, params: Mapping[str, Any] | None = None, **path: str) -> Any:
        """GET one resource. ``template`` is the endpoint as documented, e.g. ``/orgs/{org}``."""
        body, _ = self._get(template, self._url(template, path), params)
        return body

    def paginate(
        self, template: str, params: Mapping[str, Any] | None = None, *, item_key: str | None = None, **path: str
    ) -> list[Any]:
        """GET every page (per_page=100) following ``Link: rel="next"`` on the API's own host;
        ``item_key`` unwraps list responses wrapped in an object (``{"total_count": .., "runner_groups": [..]}``)."""
        items: list[Any] = []
        url: str | None = self._url(template, path)
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        seen: set[str] = set()
        while url:
            body, next_url = self._get(template, url, query)
            page = body.get(item_key) if item_key and isinstance(body, dict) else body
            if not isinstance(page, list):
                raise GitHubApiError(f"GitHub answered GET {template} with an unexpected body (not a list)")
            items.extend(page)
            seen.add(url)
            if next_url is not None:
                try:
                    self.transport.same_origin(next_url)
                except TransportError as exc:
                    raise GitHubApiError(f"GET {template}: {exc}") from None
                if next_url in seen:
                    raise GitHubApiError(f"GET {template}: GitHub's pagination did not advance (a next link repeated)")
            url, query = next_url, None  # the next link carries the query already
        return items

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> GraphQLResult:
        """POST a GraphQL query (a read: the collector never sends mutations)."""
        if query.lstrip().startswith("mutation"):
            raise AssertionError("the collector is read-only: no GraphQL mutations")
        response = self._send(
            "POST", self.graphql_url, "POST /graphql", json_body={"query": query, "variables": dict(variables or {})}
        )
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
        if not isinstance(data, dict):
            raise GitHubApiError("GitHub answered POST /graphql with data that is not an object")
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
        headers = {
            "Accept": "application/vnd.github+json",
            "User-Agent": USER_AGENT,
            "X-GitHub-Api-Version": "2022-11-28",
            "Authorization": authorization or self.credential.authorization(self),
            **(extra_headers or {}),
        }
        try:
            response = self.transport.request(
                method, url, route=label, headers=headers, json=json_body,
                idempotent=method == "GET" or label == "POST /graphql",  # GraphQL queries are reads
                allow_not_modified=cached,
            )
        except TransportError as exc:
            raise GitHubApiError(self._redact(str(exc)), status=exc.status) from None
        if response.status_code < 400 or (response.status_code == 304 and cached):
            return response
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
