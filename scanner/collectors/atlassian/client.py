"""A thin, read-only REST client for the Atlassian Cloud APIs the collector reads.

Two hosts, two credentials: the Organizations REST API (``api.atlassian.com/admin``) with an
organization admin API key as a Bearer token, and each site (``https://SITE.atlassian.net``:
Jira Cloud platform REST v3, Confluence v1 and v2) with Basic ``email:API token``. Plain
``requests``; no SDK adds anything the few GET calls need.

Every request passes one guard that counts it (API + path with ids replaced) and refuses
anything but GET: the collector calls no POST search endpoint, so no exception is needed.
Paging follows each API and never leaves the host it started on: the Organizations API's
``links.next`` is a cursor (or a URL whose ``cursor`` is taken), Jira pages by ``startAt`` /
``maxResults`` / ``isLast`` / ``total``, Confluence v2 by the ``cursor`` in ``_links.next``.
401 is an AuthError (one line), 403 a PermissionDenied naming the permission the caller gave,
429 and 5xx are retried after ``Retry-After`` (capped) within ``max_retries``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scanner.collectors.base import CallCounter, redact
from scanner.errors import ApiError, AuthError, ConfigError, PermissionDenied

ADMIN_API_BASE = "https://api.atlassian.com/admin"

# Path segments after these are ids ("search" is an endpoint, not an id).
_IDS = re.compile(r"/(orgs|project|space|permissionscheme)/(?!search(?:/|$))[^/?]+")


def operation_key(api: str, path: str) -> str:
    """``jira GET /rest/api/3/project/{id}/permissionscheme``: the call counted, ids replaced."""
    return f"{api} GET {_IDS.sub(lambda m: f'/{m.group(1)}/{{id}}', path)}"


def check_url(value: Any, field: str) -> str:
    """An https URL (http only for a local test double), without a trailing slash."""
    if not isinstance(value, str) or not value.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError(f"atlassian.{field} must be an https:// URL (http only for 127.0.0.1 / localhost)")
    return value.rstrip("/")


class AtlassianRest:
    """GET against one Atlassian host with one credential; retries, paging, one-line errors."""

    def __init__(
        self,
        session: Any,
        api: str,
        base: str,
        counter: CallCounter,
        secrets: list[str | None],
        *,
        title: str,
        max_retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 60.0,
        on_wait: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = session
        self.api = api
        self.base = base.rstrip("/")
        self.counter = counter
        self.secrets = secrets
        self.title = title
        self.max_retries = max_retries
        self.backoff = backoff
        self.timeout = timeout
        self.on_wait = on_wait or (lambda message: None)
        self.sleep = sleep

    def _safe(self, text: str) -> str:
        return redact(text, self.secrets)

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, permission: str | None = None) -> Any:
        """One GET of ``path`` under the base. ``permission`` names what a 403 means."""
        url = self.base + path
        attempt = 0
        while True:
            self.counter.add(operation_key(self.api, path))
            try:
                response = self.session.request("GET", url, params=params, timeout=self.timeout)
            except Exception as exc:  # transport errors: one line, no secret
                raise ApiError(f"{self.title}: cannot connect ({type(exc).__name__}: {self._safe(str(exc))[:200]})") from None
            status = response.status_code
            if status == 429 or status >= 500:
                if attempt >= self.max_retries:
                    raise ApiError(f"{self.title}: {path} still answered HTTP {status} after {attempt + 1} attempts; retry later")
                wait = self._retry_after(response.headers.get("Retry-After"), attempt)
                self.on_wait(f"{self.api}: HTTP {status}, waiting {wait:.1f}s")
                self.sleep(wait)
                attempt += 1
                continue
            if status == 401:
                raise AuthError(f"{self.title} rejected the credential (HTTP 401); {self._auth_hint()}")
            if status == 403:
                need = permission or "a permission this request needs"
                raise PermissionDenied(f"{self.title}: {path}: permission denied (HTTP 403); needs {need}")
            if status == 404:
                raise ApiError(f"{self.title}: {path} not found (HTTP 404); check the organization id / site name")
            if status >= 400:
                raise ApiError(f"{self.title}: {path} answered HTTP {status}")
            try:
                return response.json()
            except ValueError:
                raise ApiError(f"{self.title}: {path} answered a body that is not JSON") from None

    def _auth_hint(self) -> str:
        if self.api == "admin":
            return "create an organization admin API key (admin.atlassian.com -> Settings -> API keys) and set ATLASSIAN_ADMIN_API_KEY"
        return "check ATLASSIAN_EMAIL and ATLASSIAN_API_TOKEN (id.atlassian.com -> Security -> API tokens) for this site"

    def _retry_after(self, header: str | None, attempt: int) -> float:
        if header:
            try:
                return min(max(float(header), 0.0), 60.0)
            except ValueError:
                pass
        return float(self.backoff * (2**attempt))

    # --- paging, one style per API ---------------------------------------------------------

    def cursor_pages(self, path: str, params: Mapping[str, Any] | None = None, *, permission: str | None = None) -> Iterator[dict[str, Any]]:
        """Organizations API: ``data`` items, ``links.next`` a cursor (or a URL carrying one)."""
        query = dict(params or {})
        seen: set[str] = set()
        while True:
            body = self.get(path, query, permission=permission)
            if not isinstance(body, dict):
                raise ApiError(f"{self.title}: {path} answered a body that is not a JSON object")
            for item in body.get("data") or ():
                if isinstance(item, dict):
                    yield item
            links = body.get("links")
            cursor = _cursor_of(links.get("next")) if isinstance(links, dict) else None
            if not cursor:
                return
            if cursor in seen:
                raise ApiError(f"{self.title}: {path} repeated a page cursor; stopped paging")
            seen.add(cursor)
            query["cursor"] = cursor

    def start_at_pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, page_size: int = 50, permission: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Jira: a PageBean (``values``, ``isLast``, ``total``) or a plain array, by ``startAt``."""
        query = dict(params or {})
        start = 0
        while True:
            query.update(startAt=start, maxResults=page_size)
            body = self.get(path, query, permission=permission)
            if isinstance(body, list):
                values, last = body, not body
            elif isinstance(body, dict):
                values = body.get("values") or []
                total = body.get("total")
                last = bool(body.get("isLast")) or not values or (isinstance(total, int) and start + len(values) >= total)
            else:
                raise ApiError(f"{self.title}: {path} answered a body that is neither a page nor a list")
            for item in values:
                if isinstance(item, dict):
                    yield item
            if last:
                return
            start += len(values)

    def next_link_pages(self, path: str, params: Mapping[str, Any] | None = None, *, permission: str | None = None) -> Iterator[dict[str, Any]]:
        """Confluence v2: ``results``, ``_links.next`` a relative URL with a ``cursor``; only the
        cursor is taken, so a next link naming another host is never followed."""
        query = dict(params or {})
        seen: set[str] = set()
        while True:
            body = self.get(path, query, permission=permission)
            if not isinstance(body, dict):
                raise ApiError(f"{self.title}: {path} answered a body that is not a JSON object")
            for item in body.get("results") or ():
                if isinstance(item, dict):
                    yield item
            links = body.get("_links")
            cursor = _cursor_of(links.get("next")) if isinstance(links, dict) else None
            if not cursor:
                return
            if cursor in seen:
                raise ApiError(f"{self.title}: {path} repeated a page cursor; stopped paging")
            seen.add(cursor)
            query["cursor"] = cursor


def _cursor_of(next_value: Any) -> str | None:
    if not isinstance(next_value, str) or not next_value:
        return None
    if "?" in next_value or next_value.startswith(("http://", "https://", "/")):
        values = parse_qs(urlsplit(next_value).query).get("cursor")
        return values[0] if values else None
    return next_value
