"""A thin, read-only REST client for the Google Cloud APIs the collector reads.

Plain REST over google-auth's ``AuthorizedSession`` (a ``requests`` session that adds and
refreshes the bearer token) rather than googleapiclient's discovery client: the collector needs
about a dozen GET methods across six APIs, and the discovery client would load and parse a
discovery document per API per run (hundreds of KB) and pull in httplib2, for no gain in
correctness: the responses are plain JSON either way, and the tests validate them against the
same discovery documents.

Every request passes one guard that counts it (API + method + path with ids replaced) and
refuses anything but GET, or a POST to ``:getIamPolicy`` (Resource Manager's read of an IAM
policy is a POST). Errors arrive in Google's shape (``error.status``, ``error.details[].reason``)
and become one line naming the API, the permission or the disabled service.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scanner.collectors.base import CallCounter, redact
from scanner.errors import ApiError, AuthError, ConfigError

# The scope every read needs: Cloud Asset and IAM accept only cloud-platform. Read-only access
# is held by the roles granted (deploy/gcp/), not by the OAuth scope.
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)

API_ROOTS: Mapping[str, str] = {
    "cloudasset": "https://cloudasset.googleapis.com/",
    "cloudresourcemanager": "https://cloudresourcemanager.googleapis.com/",
    "iam": "https://iam.googleapis.com/",
    "orgpolicy": "https://orgpolicy.googleapis.com/",
    "essentialcontacts": "https://essentialcontacts.googleapis.com/",
    "storage": "https://storage.googleapis.com/",
    "iamcredentials": "https://iamcredentials.googleapis.com/",
}

# Google's services, for messages: "the Cloud Asset API (cloudasset.googleapis.com)".
API_TITLES: Mapping[str, str] = {
    "cloudasset": "Cloud Asset API",
    "cloudresourcemanager": "Cloud Resource Manager API",
    "iam": "IAM API",
    "orgpolicy": "Organization Policy API",
    "essentialcontacts": "Essential Contacts API",
    "storage": "Cloud Storage JSON API",
    "iamcredentials": "IAM Service Account Credentials API",
}

_TOKENISH = re.compile(r"ya29\.[A-Za-z0-9_\-.]+|Bearer\s+[A-Za-z0-9_\-.]+")
_ID_AFTER = re.compile(
    r"/(organizations|folders|projects|serviceAccounts|keys|workloadIdentityPools|providers|policies|b|locations)/[^/:]+"
)


def operation_key(api: str, method: str, url: str) -> str:
    """``cloudasset GET /v1/{id}:searchAllIamPolicies``: the call counted, ids replaced."""
    path = urlsplit(url).path
    path = _ID_AFTER.sub(lambda m: f"/{m.group(1)}/{{id}}", path)
    return f"{api} {method.upper()} {path}"


def scrub(text: str) -> str:
    """Remove anything shaped like an access token from text that may reach a log or error."""
    return _TOKENISH.sub("***", text)


@dataclass(frozen=True)
class GoogleStatus:
    """The parts of Google's error body that decide what happened."""

    http: int
    status: str
    reason: str | None
    message: str
    service: str | None = None
    consumer: str | None = None


def parse_error(http: int, body: Any) -> GoogleStatus:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return GoogleStatus(http, "", None, "")
    reason = service = consumer = None
    for detail in error.get("details") or ():
        if isinstance(detail, dict) and detail.get("reason"):
            reason = str(detail["reason"])
            metadata = detail.get("metadata")
            if isinstance(metadata, dict):
                service = metadata.get("service")
                consumer = metadata.get("consumer")
            break
    return GoogleStatus(http, str(error.get("status") or ""), reason, scrub(str(error.get("message") or "")), service, consumer)


class GoogleApiError(ApiError):
    """An error answer from a Google API. ``google`` keeps the status and reason for callers."""

    def __init__(self, message: str, google: GoogleStatus, api: str) -> None:
        super().__init__(message)
        self.google = google
        self.api = api
        if google.http == 403 and google.reason != "SERVICE_DISABLED":
            self.kind = "permission"

    @property
    def service_disabled(self) -> bool:
        return self.google.reason == "SERVICE_DISABLED"

    @property
    def denied(self) -> bool:
        return self.google.http == 403

    @property
    def not_found(self) -> bool:
        return self.google.http == 404


def endpoints_from(settings: Mapping[str, Any]) -> dict[str, str]:
    """The root URL of each API: defaults, then ``endpoint_base`` (a test double serving every
    API under ``<base>/<api>/``), then per-API ``endpoints`` overrides."""
    roots = dict(API_ROOTS)
    base = settings.get("endpoint_base")
    if base is not None:
        if not isinstance(base, str) or not base.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ConfigError("gcp.endpoint_base must be an https:// URL (http only for 127.0.0.1 / localhost)")
        roots = {api: f"{base.rstrip('/')}/{api}/" for api in roots}
    overrides = settings.get("endpoints") or {}
    if not isinstance(overrides, Mapping):
        raise ConfigError("gcp.endpoints must be a mapping of API name to URL, e.g. {cloudasset: https://...}")
    for api, url in overrides.items():
        if api not in API_ROOTS:
            raise ConfigError(f"gcp.endpoints: unknown API {api!r}; known: {', '.join(API_ROOTS)}")
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ConfigError(f"gcp.endpoints.{api} must be an https:// URL (http only for 127.0.0.1 / localhost)")
        roots[api] = url.rstrip("/") + "/"
    return roots


class GcpRest:
    """GET (and getIamPolicy POST) against Google APIs, with retries on 429/5xx and paging."""

    def __init__(
        self,
        session: Any,
        roots: Mapping[str, str],
        counter: CallCounter,
        *,
        max_retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 60.0,
        on_wait: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = session
        self.roots = roots
        self.counter = counter
        self.max_retries = max_retries
        self.backoff = backoff
        self.timeout = timeout
        self.on_wait = on_wait or (lambda message: None)
        self.sleep = sleep

    def _guard(self, api: str, method: str, url: str) -> None:
        path = urlsplit(url).path
        if not (method == "GET" or (method == "POST" and path.endswith(":getIamPolicy"))):
            raise PermissionError(f"posture is read-only: refused {method} {path}")
        # Counted relative to the API's root, so an endpoint override does not change the keys.
        self.counter.add(operation_key(api, method, "/" + url[len(self.roots[api]) :]))

    def call(self, api: str, method: str, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        url = self.roots[api] + path.lstrip("/")
        title = f"{API_TITLES[api]} ({api}.googleapis.com)"
        attempt = 0
        while True:
            self._guard(api, method, url)
            try:
                if method == "POST":
                    # Ask for conditional bindings too (policy version 3), or a conditional
                    # policy answers with an error.
                    response = self.session.request(
                        method, url, params=params, json={"options": {"requestedPolicyVersion": 3}}, timeout=self.timeout
                    )
                else:
                    response = self.session.request(method, url, params=params, timeout=self.timeout)
            except Exception as exc:  # transport errors and token refresh errors
                raise self._transport_error(exc, api, title) from None
            if response.status_code == 429 or response.status_code >= 500:
                if attempt >= self.max_retries:
                    raise GoogleApiError(
                        f"{title}: {path} still answered HTTP {response.status_code} after {attempt + 1} attempts; retry later",
                        GoogleStatus(response.status_code, "", None, ""),
                        api,
                    )
                wait = self._retry_after(response.headers.get("Retry-After"), attempt)
                self.on_wait(f"{api}: HTTP {response.status_code}, waiting {wait:.1f}s")
                self.sleep(wait)
                attempt += 1
                continue
            try:
                body = response.json() if response.content else {}
            except ValueError:
                body = None
            if response.status_code >= 400:
                raise self._error(response.status_code, body, api, title, path)
            if not isinstance(body, dict):
                raise ApiError(f"{title}: {path} answered a body that is not a JSON object")
            return body

    def _retry_after(self, header: str | None, attempt: int) -> float:
        if header:
            try:
                return min(float(header), 60.0)
            except ValueError:
                pass
        return float(self.backoff * (2**attempt))

    @staticmethod
    def _transport_error(exc: Exception, api: str, title: str) -> Exception:
        name = type(exc).__name__
        if type(exc).__module__.startswith("google.auth") or name in ("RefreshError", "DefaultCredentialsError"):
            return AuthError(f"gcp: the Google credential could not get an access token ({scrub(str(exc))[:200]}); sign in again (gcloud auth application-default login) or check the key / federation config")
        return ApiError(f"{title}: cannot connect ({name}: {scrub(str(exc))[:200]})")

    @staticmethod
    def _error(http: int, body: Any, api: str, title: str, path: str) -> Exception:
        google = parse_error(http, body)
        if http == 401:
            return AuthError(f"gcp: {title} rejected the credential (HTTP 401 {google.status or 'UNAUTHENTICATED'}); sign in again or check the key / federation config")
        if google.reason == "SERVICE_DISABLED":
            where = google.consumer or "the quota project"
            return GoogleApiError(
                f"{title} is disabled for {where}: enable it (gcloud services enable {google.service or api + '.googleapis.com'}) or set gcp.quota_project to a project where it is",
                google,
                api,
            )
        detail = google.message or google.status or f"HTTP {http}"
        return GoogleApiError(f"{title}: {path}: {detail}", google, api)

    def pages(
        self, api: str, path: str, items_key: str, params: Mapping[str, Any] | None = None, page_size: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item over ``pageToken``/``nextPageToken``. The next page is the same request with
        the token, so paging never leaves the API's host."""
        query: dict[str, Any] = dict(params or {})
        if page_size:
            query["pageSize"] = page_size
        seen: set[str] = set()
        while True:
            body = self.call(api, "GET", path, query)
            for item in body.get(items_key) or ():
                if isinstance(item, dict):
                    yield item
            token = body.get("nextPageToken")
            if not token:
                return
            if token in seen:
                raise ApiError(f"{API_TITLES[api]}: {path} repeated a page token; stopped paging")
            seen.add(str(token))
            query["pageToken"] = token

    def get_iam_policy(self, api: str, path: str) -> dict[str, Any]:
        return self.call(api, "POST", path)


def safe_message(exc: BaseException, secrets: list[str | None]) -> str:
    return redact(scrub(str(exc)), secrets)
