"""Thin, read-only clients for Azure Resource Manager and Microsoft Graph.

ARM: ``azure-mgmt-authorization`` for role-based access, and azure-core's pipeline (the same
policies the SDKs use: retries honouring Retry-After, bearer token, TLS settings) for the two
plain REST reads the current SDK packages no longer cover (subscriptions list: moved out of
azure-mgmt-resource 24+; subscription diagnostic settings: dropped from azure-mgmt-monitor 7).

Graph: plain REST over ``requests`` with an azure-identity token. It pages over
``@odata.nextLink``, waits out 429/503 with Retry-After, and can only send GET: the Graph client
has no method that could change the directory, which is the easiest read-only proof.

Every request goes through one hook that counts it (method + path with ids replaced by ``{id}``)
and refuses any method but GET, so even an SDK call added by mistake cannot write.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scanner.collectors.base import CallCounter, redact
from scanner.errors import (
    ApiError,
    AuthError,
    CollectorError,
    ConfigError,
    PermissionDenied,
)


@dataclass(frozen=True)
class Cloud:
    """The endpoints of one Azure cloud: sign-in authority, ARM and Graph, and token audiences."""

    name: str
    authority_host: str
    arm_url: str
    graph_url: str

    @property
    def arm_scope(self) -> str:
        return f"{self.arm_url}/.default"

    @property
    def graph_scope(self) -> str:
        return f"{self.graph_url}/.default"


# Authority hosts are azure-identity's AzureAuthorityHosts values (spelled out so this module
# imports without azure-identity; the collector still uses azure-identity to sign in).
CLOUDS: Mapping[str, Cloud] = {
    "public": Cloud("public", "login.microsoftonline.com", "https://management.azure.com", "https://graph.microsoft.com"),
    "usgov": Cloud("usgov", "login.microsoftonline.us", "https://management.usgovcloudapi.net", "https://graph.microsoft.us"),
    "china": Cloud("china", "login.chinacloudapi.cn", "https://management.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
}

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SEGMENT_AFTER = re.compile(r"(?i)/(resourceGroups|managementGroups|providers/[^/]+/[^/]+)/[^/]+")


def operation_key(method: str, url: str) -> str:
    """``GET /subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments``: the call
    counted, with ids and names replaced so counts add up per operation."""
    path = urlsplit(url).path
    path = _GUID.sub("{id}", path)
    path = re.sub(r"(?i)(/resourceGroups/)[^/]+", r"\1{name}", path)
    path = re.sub(r"(?i)(/managementGroups/)[^/]+", r"\1{name}", path)
    path = re.sub(r"\(appId='[^']*'\)", "({appId})", path)
    return f"{method.upper()} {path}"


class RequestGuard:
    """Counts every request and refuses anything but GET (and the token request, which
    azure-identity sends on its own transport, outside this guard)."""

    def __init__(self, counter: CallCounter, service: str) -> None:
        self.counter = counter
        self.service = service

    def check(self, method: str, url: str) -> None:
        if method.upper() != "GET":
            raise PermissionError(f"posture is read-only: refused {method} {urlsplit(url).path}")
        self.counter.add(f"{self.service} {operation_key(method, url)}")

    def azure_core_hook(self, request: Any) -> None:
        """``raw_request_hook`` for azure-core pipelines (runs once per attempt, retries included)."""
        http = request.http_request
        self.check(http.method, http.url)


class AccessToken:
    """A bearer token for one audience, refreshed five minutes before it expires. Never logged."""

    def __init__(self, credential: Any, scope: str, tenant: str | None) -> None:
        self._credential = credential
        self._scope = scope
        self._tenant = tenant
        self._token: Any = None
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._token.expires_on - 300 < time.time():
                kwargs = {"tenant_id": self._tenant} if self._tenant else {}
                try:
                    self._token = self._credential.get_token(self._scope, **kwargs)
                except TypeError:
                    # A minimal TokenCredential that does not take tenant_id.
                    self._token = self._credential.get_token(self._scope)
            token: str = self._token.token
            return token


def token_claims(token: str) -> dict[str, Any]:
    """The (unverified) claims of a JWT access token, to say who we are. {} if not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def identity_from_claims(claims: Mapping[str, Any]) -> str | None:
    """``user ana@northwind.dev`` or ``app 1a2b... (object id ...)``: who the token speaks for."""
    who = claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username")
    if who:
        return f"user {who}"
    app = claims.get("appid") or claims.get("azp")
    if app:
        oid = claims.get("oid")
        return f"app {app}" + (f" (object id {oid})" if oid else "")
    return None


class GraphError(CollectorError):
    """Graph answered with an error. ``status`` and ``code`` say which (403 + code = permission/licence)."""

    def __init__(self, message: str, *, status: int | None, code: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class GraphPermissionError(GraphError, PermissionDenied):
    kind = "permission"


class GraphAuthError(GraphError, AuthError):
    kind = "auth"


class GraphApiError(GraphError, ApiError):
    kind = "api"


class GraphClient:
    """GET-only Microsoft Graph v1.0 client with paging, on the project's one HTTP seam.

    Requests go through ``scanner.http.Transport``: transient failures (network, 500/502/503/504)
    are retried by urllib3's ``Retry`` with jittered backoff and ``Retry-After``; a 429 pauses the
    client's ``Budget`` for its ``Retry-After`` and stops it once the waits exceed the patience
    (``max_retries`` waits of at most ``max_retry_after``); every request on the wire is counted
    as ``graph GET <path>``; a next page on another host is refused before the token is sent.
    """

    def __init__(
        self,
        *,
        token: AccessToken,
        base_url: str,
        session: Any,
        counter: CallCounter,
        verify: str | bool = True,
        max_retries: int = 4,
        max_retry_after: float = 60.0,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        # Imported here: the descriptor imports this module and must not load requests/urllib3.
        from scanner.http import Budget, RetryAfterSignals, Transport

        self._token = token
        self._base = base_url.rstrip("/")
        self.transport = Transport(
            self._base,
            counter=counter,
            budget=Budget(f"Microsoft Graph at {urlsplit(self._base).netloc}", patience=max_retry_after * max(1, max_retries),
                          sleep=sleep),
            signals=RetryAfterSignals(statuses=frozenset({429}), default_delay=max(1.0, backoff * 2)),
            session=session,
            retries=max_retries,
            backoff_factor=backoff,
            retry_after_max=max_retry_after,
            timeout=60.0,
            verify=verify,
            sleep=sleep,
            on_wait=on_wait or (lambda message: None),
            label="Microsoft Graph",
        )

    def _url(self, path: str) -> str:
        if path.startswith("https://") or path.startswith("http://"):
            # A nextLink must stay on the Graph host we trust with the token.
            if urlsplit(path).netloc != urlsplit(self._base).netloc:
                raise GraphApiError(
                    f"Graph returned a next page on another host ({urlsplit(path).netloc}); refusing to send the token there",
                    status=None,
                    code=None,
                )
            return path
        return f"{self._base}/v1.0{path}"

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """One GET; returns the JSON object. Raises a GraphError subclass on failure."""
        from scanner.http import RateLimitSpent, TransportError

        url = self._url(path)
        route = f"graph {operation_key('GET', url)}"
        try:
            response = self.transport.request(
                "GET", url, route=route, params=params,
                headers={"Authorization": f"Bearer {self._token.get()}", "Accept": "application/json"},
            )
        except RateLimitSpent as exc:
            raise GraphApiError(f"Graph GET {_path(url)}: {exc}", status=429, code=None) from None
        except TransportError as exc:
            raise GraphApiError(
                f"Graph GET {_path(url)} could not be reached ({exc}); check the network or --azure-graph-url",
                status=None,
                code=None,
            ) from None
        status = response.status_code
        if status < 400:
            try:
                body = response.json()
            except ValueError as exc:
                raise GraphApiError(f"Graph GET {_path(url)} answered {status} with a body that is not JSON", status=status, code=None) from exc
            if not isinstance(body, dict):
                raise GraphApiError(f"Graph GET {_path(url)} answered {status} with an unexpected body", status=status, code=None)
            return body
        raise self._error(status, url, response)

    def list(self, path: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Every item of a collection, following ``@odata.nextLink``."""
        return list(self.iter(path, params))

    def iter(self, path: str, params: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        page = self.get(path, params)
        while True:
            items = page.get("value")
            if not isinstance(items, list):
                raise GraphApiError(f"Graph GET {path} answered without a 'value' list", status=200, code=None)
            yield from (item for item in items if isinstance(item, dict))
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return
            page = self.get(str(next_link))  # the link carries its own query

    def _error(self, status: int, url: str, response: Any) -> GraphError:
        code, message = None, ""
        try:
            error = response.json().get("error") or {}
            code = error.get("code")
            message = str(error.get("message") or "")
        except (ValueError, AttributeError):
            pass
        message = scrub(redact(" ".join(message.split()), [self._token.get()]))[:200]
        what = f"Graph GET {_path(url)} answered {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        if status == 401:
            return GraphAuthError(f"{what}; the Azure credential was rejected, sign in again (az login) or check AZURE_CLIENT_* variables", status=status, code=code)
        if status == 403:
            return GraphPermissionError(what, status=status, code=code)
        return GraphApiError(what, status=status, code=code)


_BEARER = re.compile(r"(?i)bearer\s+\S+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.?[A-Za-z0-9_-]*")


def scrub(text: str) -> str:
    """Blank anything shaped like a bearer token or JWT, whoever's it is, before it is kept."""
    return _JWT.sub("***", _BEARER.sub("Bearer ***", text))


def _path(url: str) -> str:
    return urlsplit(url).path


def arm_client_options(
    *, counter: CallCounter, ca_bundle: str | None, retry_total: int, retry_backoff: float, scope: str
) -> dict[str, Any]:
    """Keyword arguments shared by every azure-core ARM client: TLS, retries, token audience,
    the counting/read-only hook."""
    guard = RequestGuard(counter, "arm")
    options: dict[str, Any] = {
        "credential_scopes": [scope],
        "raw_request_hook": guard.azure_core_hook,
        "retry_total": retry_total,
        "retry_backoff_factor": retry_backoff,
        "retry_backoff_max": 30,
        "logging_enable": False,
    }
    if ca_bundle:
        options["connection_verify"] = ca_bundle
    return options


class ArmRest:
    """GET-only ARM REST over azure-core's pipeline, for the reads no current SDK package covers."""

    def __init__(self, credential: Any, base_url: str, options: Mapping[str, Any]) -> None:
        from azure.core import PipelineClient
        from azure.core.pipeline import policies
        from azure.core.pipeline.transport import RequestsTransport
        from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

        self._base = base_url.rstrip("/")
        transport_kwargs = {"connection_verify": options["connection_verify"]} if "connection_verify" in options else {}
        self._client: Any = PipelineClient(
            base_url=self._base,
            policies=[
                policies.RequestIdPolicy(),
                policies.HeadersPolicy({"Accept": "application/json"}),
                policies.UserAgentPolicy("posture"),
                policies.RetryPolicy(
                    retry_total=options["retry_total"],
                    retry_backoff_factor=options["retry_backoff_factor"],
                    retry_backoff_max=options["retry_backoff_max"],
                ),
                ARMChallengeAuthenticationPolicy(credential, *options["credential_scopes"]),
                policies.CustomHookPolicy(raw_request_hook=options["raw_request_hook"]),
            ],
            transport=RequestsTransport(**transport_kwargs),
        )

    def get(self, path: str, api_version: str) -> dict[str, Any]:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ResourceNotFoundError,
            map_error,
        )
        from azure.core.rest import HttpRequest

        url = path if path.startswith("https://") else f"{self._base}{path}"
        if urlsplit(url).netloc != urlsplit(self._base).netloc:
            raise HttpResponseError(message=f"ARM returned a next page on another host ({urlsplit(url).netloc}); not followed")
        params = {} if "api-version=" in url else {"api-version": api_version}
        response = self._client.send_request(HttpRequest("GET", url, params=params))
        if response.status_code >= 400:
            map_error(status_code=response.status_code, response=response, error_map={401: ClientAuthenticationError, 404: ResourceNotFoundError})
            raise HttpResponseError(response=response)
        body = response.json()
        if not isinstance(body, dict):
            raise HttpResponseError(message=f"ARM GET {_path(url)} answered with an unexpected body", response=response)
        return body

    def list(self, path: str, api_version: str) -> list[dict[str, Any]]:
        """Every item of an ARM collection, following ``nextLink``."""
        items: list[dict[str, Any]] = []
        page = self.get(path, api_version)
        while True:
            items.extend(item for item in page.get("value") or [] if isinstance(item, dict))
            next_link = page.get("nextLink")
            if not next_link:
                return items
            page = self.get(str(next_link), api_version)


def check_https(field: str, url: str, section: str = "azure") -> str:
    """An endpoint override must be https (azure-core refuses bearer tokens over http) and
    carry no user-info (it would be echoed into errors and findings)."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"{section}.{field} must not carry a user name or password; sign in through azure-identity instead")
    if parts.scheme != "https" or not parts.netloc:
        raise ConfigError(f"{section}.{field} must be an https:// URL, got {url!r}")
    return url.rstrip("/")
