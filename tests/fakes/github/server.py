"""The fake GitHub HTTP server: routing, auth, rate limits, ETags, recording and fault injection.

A ``ThreadingHTTPServer`` on 127.0.0.1 (ephemeral port) in a daemon thread. REST answers come
from ``rest.py``, GraphQL from ``graphql_api.py``; this module adds what every response shares:
token resolution (user tokens, App JWTs, installation tokens), ``X-RateLimit-*`` accounting
(304s are free, as on github.com), ``ETag``/``If-None-Match``, the request log, injected faults
and latency, and, in ``validate=True`` mode, an OpenAPI check of every REST response.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import secrets
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlsplit

import jwt

from tests.fakes.github import rest
from tests.fakes.github.model import Org, Token, World
from tests.fakes.github.openapi import ResponseValidator

RATE_LIMIT = 5000
ALLOWED_WRITES = ("/graphql", "/app/installations/{installation_id}/access_tokens")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it. ``headers`` never include Authorization."""

    method: str
    path: str  # as sent, without the query string
    endpoint: str  # the route template ("/repos/{owner}/{repo}/hooks", "/graphql") or "?"
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int
    body: Any = None  # parsed JSON body of POSTs (the GraphQL query and variables)

    @property
    def key(self) -> str:
        """``"GET /repos/{owner}/{repo}/hooks"``: what benchmarks count requests by."""
        return f"{self.method} {self.endpoint}"


@dataclass
class Injection:
    """A fault (or latency) applied to requests whose path matches ``pattern`` (fnmatch)."""

    pattern: str
    kind: Literal["status", "secondary_rate_limit", "primary_rate_limit", "latency", "body"]
    status: int = 500
    times: int | None = 1  # None = every matching request
    method: str | None = None
    retry_after: int = 1
    reset_in: int = 1
    latency_ms: int = 0
    hits: int = 0
    body: Any = None  # kind "body": the JSON answered instead of the real one
    headers: dict[str, str] = field(default_factory=dict)
    operation: str | None = None  # only GraphQL requests whose document names this operation

    def matches(self, method: str, path: str, request_body: Any = None) -> bool:
        if self.method and self.method != method:
            return False
        if self.operation is not None:
            query = str(request_body.get("query", "")) if isinstance(request_body, dict) else ""
            if not re.search(rf"\b(query|mutation)\s+{re.escape(self.operation)}\b", query):
                return False
        if self.times is not None and self.hits >= self.times:
            return False
        return fnmatch.fnmatchcase(path, self.pattern)


@dataclass
class _Bucket:
    limit: int = RATE_LIMIT
    used: int = 0
    reset: int = field(default_factory=lambda: int(time.time()) + 3600)

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def roll(self) -> None:
        if time.time() >= self.reset:
            self.used = 0
            self.reset = int(time.time()) + 3600


@dataclass(frozen=True)
class SecondaryLimits:
    """GitHub's secondary rate limits (docs.github.com, "Rate limits for the REST API" and "for the
    GraphQL API"), per token: at most ``max_concurrent`` requests in flight, ``rest_points`` per
    minute per REST endpoint (a GET is one point) and ``graphql_points`` per minute for GraphQL (a
    query is one point), at most ``request_seconds`` of request time per ``window`` seconds of
    real time. A request over any of them is refused with 403 "secondary rate limit" and
    ``Retry-After: 60``, and counted in ``FakeGitHub.secondary_refusals``."""

    max_concurrent: int = 100
    rest_points: int = 900
    graphql_points: int = 2000
    request_seconds: float = 90.0
    window: float = 60.0


@dataclass
class _SecondaryState:
    in_flight: int = 0
    points: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))  # endpoint -> times
    spent: deque[tuple[float, float]] = field(default_factory=deque)  # (finished at, seconds)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections to github.com
    disable_nagle_algorithm = True  # headers and body go in two writes: avoid 40 ms delayed-ACK stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log; the fake keeps its own request log."""

    def do_GET(self) -> None:
        self.server.fake._handle(self, "GET")

    def do_POST(self) -> None:
        self.server.fake._handle(self, "POST")

    def do_PUT(self) -> None:
        self.server.fake._handle(self, "PUT")

    def do_PATCH(self) -> None:
        self.server.fake._handle(self, "PATCH")

    def do_DELETE(self) -> None:
        self.server.fake._handle(self, "DELETE")

    def do_HEAD(self) -> None:
        self.server.fake._handle(self, "HEAD")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    fake: FakeGitHub


class FakeGitHub:
    """A running fake GitHub. See the package docstring (``tests.fakes.github``) for the API."""

    def __init__(
        self,
        world: World | Org | list[Org] | None = None,
        *,
        validate: bool = False,
        latency_ms: int = 0,
        installation_token_ttl: int = 3600,
        secondary_limits: SecondaryLimits | None = None,
    ) -> None:
        from tests.fakes.github.fixtures import default_world

        if world is None:
            world = default_world()
        elif isinstance(world, Org):
            world = World(orgs=[world], tokens=default_world([world]).tokens)
        elif isinstance(world, list):
            world = World(orgs=world, tokens=default_world(world).tokens)
        self.world: World = world
        self.validate = validate
        self.latency_ms = latency_ms
        self.installation_token_ttl = installation_token_ttl
        self.requests: list[RecordedRequest] = []
        self.validation_problems: list[str] = []
        self.injections: list[Injection] = []
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._token_expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        self._validator = ResponseValidator() if validate else None
        self._graphql: Any = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.secondary_limits = secondary_limits
        self.secondary_refusals: Counter[str] = Counter()  # reason -> refusals
        self.request_seconds_total = 0.0  # server-side request time of admitted requests (with limits on)
        self._secondary: dict[str, _SecondaryState] = defaultdict(_SecondaryState)

    def reset_secondary_windows(self) -> None:
        """Forget the secondary-limit windows, as if the next scan ran minutes later."""
        with self._lock:
            self._secondary.clear()
            self.secondary_refusals.clear()
            self.request_seconds_total = 0.0

    def _secondary_admit(self, who: str, endpoint: str, now: float) -> str | None:
        """Take a slot and a point for ``who`` on ``endpoint``, or say which limit refuses it."""
        limits = self.secondary_limits
        assert limits is not None
        with self._lock:
            state = self._secondary[who]
            horizon = now - limits.window
            while state.spent and state.spent[0][0] <= horizon:
                state.spent.popleft()
            times = state.points[endpoint]
            while times and times[0] <= horizon:
                times.popleft()
            allowed = limits.graphql_points if endpoint == "POST /graphql" else limits.rest_points
            if state.in_flight >= limits.max_concurrent:
                reason = "concurrent requests"
            elif len(times) >= allowed:
                reason = f"points per minute on {endpoint}"
            elif sum(seconds for _, seconds in state.spent) >= limits.request_seconds:
                reason = "request time per minute"
            else:
                state.in_flight += 1
                times.append(now)
                return None
            self.secondary_refusals[reason] += 1
            return reason

    def _secondary_done(self, who: str, started: float) -> None:
        with self._lock:
            state = self._secondary[who]
            state.in_flight -= 1
            now = time.monotonic()
            state.spent.append((now, now - started))
            self.request_seconds_total += now - started

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-github", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        if exc_type is None:
            self.assert_valid()

    @property
    def url(self) -> str:
        assert self._server is not None, "FakeGitHub is not started"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    # ------------------------------------------------------------ test API

    def assert_valid(self) -> None:
        """Fail when any served REST response drifted from GitHub's OpenAPI description."""
        if self.validation_problems:
            shown = "\n  ".join(self.validation_problems[:20])
            raise AssertionError(f"fake GitHub served responses that do not match the OpenAPI description:\n  {shown}")

    def inject(
        self,
        pattern: str = "*",
        *,
        status: int = 500,
        times: int | None = 1,
        method: str | None = None,
    ) -> Injection:
        """Answer the next ``times`` requests matching ``pattern`` with ``status`` (404, 500, 502, 403...)."""
        return self._add(Injection(pattern, "status", status=status, times=times, method=method))

    def inject_secondary_rate_limit(self, pattern: str = "*", *, times: int | None = 1, retry_after: int = 1) -> Injection:
        """403 "You have exceeded a secondary rate limit" with ``Retry-After``."""
        return self._add(Injection(pattern, "secondary_rate_limit", status=403, times=times, retry_after=retry_after))

    def inject_primary_rate_limit(self, pattern: str = "*", *, times: int | None = 1, reset_in: int = 1) -> Injection:
        """403 "API rate limit exceeded" with ``X-RateLimit-Remaining: 0`` and a reset ``reset_in`` s ahead."""
        return self._add(Injection(pattern, "primary_rate_limit", status=403, times=times, reset_in=reset_in))

    def inject_body(
        self,
        pattern: str,
        body: Any,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int | None = 1,
        method: str | None = None,
        operation: str | None = None,
    ) -> Injection:
        """Answer matching requests with ``body`` (and ``headers``): malformed items, a GraphQL page
        that answers ``null`` with errors, a cursor that never advances, a ``Link`` to another host.
        ``operation`` limits a ``/graphql`` injection to documents naming that operation."""
        return self._add(Injection(pattern, "body", status=status, times=times, method=method,
                                   body=body, headers=dict(headers or {}), operation=operation))

    def inject_latency(self, latency_ms: int, pattern: str = "*", *, times: int | None = None) -> Injection:
        """Delay matching requests by ``latency_ms`` (on top of the server-wide ``latency_ms``)."""
        return self._add(Injection(pattern, "latency", latency_ms=latency_ms, times=times))

    def clear_injections(self) -> None:
        with self._lock:
            self.injections.clear()

    def _add(self, injection: Injection) -> Injection:
        with self._lock:
            self.injections.append(injection)
        return injection

    def set_rate_limit(self, token: str, *, remaining: int, resource: str = "core", reset_in: int = 3600) -> None:
        """Set what is left of ``token``'s budget (``remaining=0`` makes the next call a primary limit)."""
        with self._lock:
            bucket = self._buckets.setdefault((token, resource), _Bucket())
            bucket.used = bucket.limit - remaining
            bucket.reset = int(time.time()) + reset_in

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def requests_by_endpoint(self) -> Counter[str]:
        """Counts of ``"METHOD /template"`` over every recorded request."""
        with self._lock:
            return Counter(r.key for r in self.requests)

    def writes(self) -> list[RecordedRequest]:
        """Requests other than GETs, GraphQL queries and the App installation-token exchange."""
        with self._lock:
            recorded = list(self.requests)
        return [r for r in recorded if r.method not in ("GET", "HEAD") and r.endpoint not in ALLOWED_WRITES]

    def graphql_mutations(self) -> list[RecordedRequest]:
        """GraphQL requests whose document holds a mutation (a read-only client sends none)."""
        with self._lock:
            recorded = list(self.requests)
        found = []
        for r in recorded:
            query = str(r.body.get("query", "")) if isinstance(r.body, dict) else ""
            if r.endpoint == "/graphql" and "mutation" in _operation_kinds(query):
                found.append(r)
        return found

    # ------------------------------------------------------------ request handling

    def _handle(self, http: _Handler, method: str) -> None:
        started = time.monotonic()
        split = urlsplit(http.path)
        raw_path = split.path
        # GitHub Enterprise Server serves REST under /api/v3; accept both forms.
        prefix = "/api/v3" if raw_path.startswith("/api/v3/") else ""
        path = raw_path[len(prefix) :]
        query_lists = parse_qs(split.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in query_lists.items()}
        length = int(http.headers.get("Content-Length") or 0)
        raw_body = http.rfile.read(length) if length else b""
        headers = {k: v for k, v in http.headers.items() if k.lower() != "authorization"}
        body: Any = None
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = raw_body.decode(errors="replace")

        is_graphql = method == "POST" and (path.endswith("/graphql") or path == "/graphql")
        routed = None if is_graphql else rest.match(method, path)
        endpoint = "/graphql" if is_graphql else (routed[0] if routed else "?")

        admitted_as: str | None = None
        if self.secondary_limits is not None:
            who = self._authenticate(http.headers.get("Authorization"))[0] or f"ip:{http.client_address[0]}"
            refusal = self._secondary_admit(who, f"{method} {endpoint}", started)
            if refusal is not None:
                self._refuse_secondary(http, method, raw_path, endpoint, query_lists, headers, body)
                return
            admitted_as = who
        try:
            self._respond(http, method, started, raw_path, path, prefix, query, query_lists, headers, body,
                          is_graphql, routed, endpoint)
        finally:
            if admitted_as is not None:
                self._secondary_done(admitted_as, started)

    def _refuse_secondary(self, http: _Handler, method: str, raw_path: str, endpoint: str,
                          query_lists: dict[str, list[str]], headers: dict[str, str], body: Any) -> None:
        payload = json.dumps({
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            "status": "403",
        }).encode()
        with self._lock:
            self.requests.append(RecordedRequest(method=method, path=raw_path, endpoint=endpoint, query=query_lists,
                                                 headers=headers, status=403, body=body if method != "GET" else None))
        http.send_response(403)
        for name, value in (("Content-Type", "application/json; charset=utf-8"), ("Retry-After", "60"),
                            ("Content-Length", str(len(payload)))):
            http.send_header(name, value)
        http.end_headers()
        http.wfile.write(payload)

    def _respond(self, http: _Handler, method: str, started: float, raw_path: str, path: str, prefix: str,
                 query: dict[str, str], query_lists: dict[str, list[str]], headers: dict[str, str], body: Any,
                 is_graphql: bool, routed: Any, endpoint: str) -> None:
        delay = self.latency_ms
        injected: Injection | None = None
        with self._lock:
            for injection in self.injections:
                if injection.matches(method, path, body):
                    injection.hits += 1
                    if injection.kind == "latency":
                        delay += injection.latency_ms
                    elif injected is None:
                        injected = injection
        if delay:
            time.sleep(delay / 1000)

        token_value, token, jwt_app_id, auth_error = self._authenticate(http.headers.get("Authorization"))
        resource = "graphql" if is_graphql else "core"
        bucket_key = (token_value or f"ip:{http.client_address[0]}", resource)

        response: rest.Response
        validate_as: tuple[str, str] | None = None
        if injected is not None:
            response = self._injected_response(injected, bucket_key)
        elif auth_error is not None:
            response = auth_error.response()
        elif self._exhausted(bucket_key):
            response = self._primary_limit_response(bucket_key)
        elif is_graphql:
            response = self._graphql_response(token, body, bucket_key)
        elif routed is None:
            status = 404
            message = "Not Found" if method in ("GET", "HEAD") else "Not Found (the fake GitHub serves reads only)"
            response = rest.HttpError(status, message).response()
        else:
            template, handler, params = routed
            validate_as = (method, template)
            request = rest.Request(
                method=method,
                path=path,
                query=query,
                params=params,
                token=token,
                token_value=token_value,
                api_base=self.url + prefix,
                world=self.world,
                body=body,
                jwt_app_id=jwt_app_id,
            )
            try:
                if template == "/rate_limit":
                    response = self._rate_limit_body(bucket_key)
                elif template == "/app/installations/{installation_id}/access_tokens":
                    response = self._mint_installation_token(request)
                elif jwt_app_id is not None and not template.startswith("/app") and template != "/orgs/{org}/installation":
                    response = rest.HttpError(403, "Resource not accessible by integration").response()
                else:
                    if jwt_app_id is None and (template.startswith("/app") or template == "/orgs/{org}/installation"):
                        raise rest.HttpError(401, "A JSON web token could not be decoded")
                    response = handler(request)
            except rest.HttpError as exc:
                response = exc.response()

        payload = b""
        if response.body is not None:
            payload = json.dumps(response.body, separators=(",", ":")).encode()

        out_headers: dict[str, str] = {
            "Content-Type": "application/json; charset=utf-8",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": secrets.token_hex(8).upper(),
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP",
        }
        if token is not None and token.installation_id is None and token.login is not None:
            out_headers["X-OAuth-Scopes"] = ", ".join(token.scopes)
            out_headers["X-Accepted-OAuth-Scopes"] = ""
        not_modified = False
        if method == "GET" and response.status == 200 and injected is None:
            etag = 'W/"' + hashlib.sha256(payload + (token_value or "").encode()).hexdigest()[:40] + '"'
            out_headers["ETag"] = etag
            out_headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
            if _etag_matches(http.headers.get("If-None-Match"), etag):
                not_modified = True
        out_headers.update(response.headers)

        # Count against the budget unless it was a 304 (free on github.com) or an injected limit.
        with self._lock:
            bucket = self._buckets.setdefault(bucket_key, _Bucket())
            bucket.roll()
            counts = not not_modified and not (injected and injected.kind == "primary_rate_limit")
            if counts and auth_error is None:
                bucket.used += 1
            rate_headers = {
                "X-RateLimit-Limit": str(bucket.limit),
                "X-RateLimit-Remaining": str(bucket.remaining),
                "X-RateLimit-Reset": str(bucket.reset),
                "X-RateLimit-Used": str(bucket.used),
                "X-RateLimit-Resource": resource,
            }
        for name, value in rate_headers.items():
            out_headers.setdefault(name, value)

        status = 304 if not_modified else response.status
        if not_modified or status in (204,):
            payload = b""
        if self._validator is not None and validate_as is not None and injected is None and not not_modified:
            problems = self._validator.problems(validate_as[0], validate_as[1], response.status, response.body)
            if problems:
                with self._lock:
                    self.validation_problems.extend(problems)

        with self._lock:
            self.requests.append(
                RecordedRequest(
                    method=method,
                    path=raw_path,
                    endpoint=endpoint,
                    query=query_lists,
                    headers=headers,
                    status=status,
                    body=body if method != "GET" else None,
                )
            )

        http.send_response(status)
        for name, value in out_headers.items():
            http.send_header(name, value)
        http.send_header("Content-Length", str(len(payload)))
        http.end_headers()
        if method != "HEAD" and payload:
            http.wfile.write(payload)
        _ = started

    # ------------------------------------------------------------ pieces

    def _authenticate(
        self, header: str | None
    ) -> tuple[str | None, Token | None, int | None, rest.HttpError | None]:
        """(token value, Token, JWT app id, error) for an Authorization header."""
        if not header:
            return None, None, None, None
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() not in ("token", "bearer") or not value:
            return None, None, None, rest.HttpError(401, "Bad credentials")
        app = self.world.app
        if value.count(".") == 2 and value.startswith("eyJ"):
            if app is None:
                return value, None, None, rest.HttpError(401, "A JSON web token could not be decoded")
            try:
                claims = jwt.decode(
                    value,
                    app.public_key_pem,
                    algorithms=["RS256"],
                    options={"require": ["exp", "iat", "iss"], "verify_aud": False},
                    leeway=60,
                )
            except jwt.PyJWTError as exc:
                return value, None, None, rest.HttpError(401, f"A JSON web token could not be decoded ({type(exc).__name__})")
            if str(claims.get("iss")) not in (str(app.app_id),):
                return value, None, None, rest.HttpError(401, "'Issuer' claim ('iss') must be an Integer")
            if claims["exp"] - claims["iat"] > 600 + 60:
                return value, None, None, rest.HttpError(
                    401, "'Expiration time' claim ('exp') is too far in the future"
                )
            return value, None, app.app_id, None
        token = self.world.tokens.get(value)
        if token is None or token.expired:
            return value, None, None, rest.HttpError(401, "Bad credentials")
        expiry = self._token_expiry.get(value)
        if expiry is not None and time.time() >= expiry:
            return value, None, None, rest.HttpError(401, "Bad credentials")
        return value, token, None, None

    def _exhausted(self, bucket_key: tuple[str, str]) -> bool:
        with self._lock:
            bucket = self._buckets.setdefault(bucket_key, _Bucket())
            bucket.roll()
            return bucket.remaining <= 0

    def _primary_limit_response(self, bucket_key: tuple[str, str]) -> rest.Response:
        with self._lock:
            bucket = self._buckets[bucket_key]
            reset = bucket.reset
        body = {
            "message": "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            "status": "403",
        }
        return rest.Response(403, body, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})

    def _injected_response(self, injection: Injection, bucket_key: tuple[str, str]) -> rest.Response:
        if injection.kind == "body":
            return rest.Response(injection.status, injection.body, dict(injection.headers))
        if injection.kind == "secondary_rate_limit":
            body = {
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                "If you reach out to GitHub Support for help, please include the request ID.",
                "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                "status": "403",
            }
            return rest.Response(403, body, {"Retry-After": str(injection.retry_after)})
        if injection.kind == "primary_rate_limit":
            reset = int(time.time()) + injection.reset_in
            body = {
                "message": "API rate limit exceeded for user ID 1.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                "status": "403",
            }
            return rest.Response(
                403,
                body,
                {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset), "X-RateLimit-Used": str(RATE_LIMIT)},
            )
        messages = {404: "Not Found", 500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 403: "Forbidden"}
        return rest.HttpError(injection.status, messages.get(injection.status, "Injected error")).response()

    def _rate_limit_body(self, bucket_key: tuple[str, str]) -> rest.Response:
        with self._lock:
            core = self._buckets.setdefault((bucket_key[0], "core"), _Bucket())
            graphql = self._buckets.setdefault((bucket_key[0], "graphql"), _Bucket())
            # This request itself is counted after the body is built, as GitHub does not count /rate_limit.
            core_entry = {"limit": core.limit, "remaining": core.remaining, "reset": core.reset, "used": core.used}
            graphql_entry = {"limit": graphql.limit, "remaining": graphql.remaining, "reset": graphql.reset, "used": graphql.used}
        idle = {"limit": 30, "remaining": 30, "reset": core_entry["reset"], "used": 0}
        body = {
            "resources": {"core": core_entry, "graphql": graphql_entry, "search": idle, "code_search": idle},
            "rate": core_entry,
        }
        return rest.Response(200, body)

    def _mint_installation_token(self, req: rest.Request) -> rest.Response:
        app = self.world.app
        if app is None or req.jwt_app_id != app.app_id:
            raise rest.HttpError(401, "A JSON web token could not be decoded")
        installation_id = int(req.params["installation_id"])
        if installation_id not in app.installations.values():
            raise rest.not_found()
        value = "ghs_" + secrets.token_urlsafe(27).replace("-", "a").replace("_", "b")[:36]
        expires = datetime.now(UTC) + timedelta(seconds=self.installation_token_ttl)
        with self._lock:
            self.world.tokens[value] = Token(
                login=None, scopes=(), installation_id=installation_id, expires_at=expires.strftime("%Y-%m-%dT%H:%M:%SZ")
            )
            self._token_expiry[value] = time.time() + self.installation_token_ttl
        body = {
            "token": value,
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "permissions": dict(app.permissions),
            "repository_selection": "all",
        }
        return rest.Response(201, body)

    def minted_tokens(self) -> list[str]:
        """Installation tokens handed out so far (so tests can check none leaks into output)."""
        with self._lock:
            return [value for value, token in self.world.tokens.items() if token.installation_id is not None]

    def _graphql_response(self, token: Token | None, body: Any, bucket_key: tuple[str, str]) -> rest.Response:
        if token is None:
            return rest.Response(
                401,
                {"message": "This endpoint requires you to be authenticated.", "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"},
            )
        if self._graphql is None:
            from tests.fakes.github.graphql_api import GraphQLEndpoint

            self._graphql = GraphQLEndpoint()
        with self._lock:
            bucket = self._buckets.setdefault(bucket_key, _Bucket())
            rate = {
                "limit": bucket.limit,
                "remaining": max(0, bucket.remaining - 1),
                "used": bucket.used + 1,
                "cost": 1,
                "nodeCount": 0,
                "resetAt": datetime.fromtimestamp(bucket.reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        result: dict[str, Any] = self._graphql.execute(self.world, token, body, rate)
        return rest.Response(200, result)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    bare = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def _operation_kinds(query: str) -> set[str]:
    from graphql import GraphQLError, OperationDefinitionNode, parse

    try:
        document = parse(query)
    except GraphQLError:
        return set()
    return {d.operation.value for d in document.definitions if isinstance(d, OperationDefinitionNode)}
