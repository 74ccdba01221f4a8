"""A local HTTPS server that speaks ARM and Microsoft Graph for one fake tenant.

TLS with a throwaway CA from ``trustme`` (azure-core refuses bearer tokens over plain http).
It checks the bearer token, pages collections (``nextLink`` for ARM, ``@odata.nextLink`` for
Graph), records every request, and serves faults on demand: ``fail(pattern, status, ...)``
(a regex searched in "METHOD /path?query") makes matching requests answer 403/429/500 (with Retry-After, error codes) once, N times or
always. It also serves the Entra token endpoint, for end-to-end runs through azure-identity.
Every 200 body it sends is checked against the published ARM/Graph response schema of its
operation (``conformance.py``): what fails is kept in ``violations`` and ``stop()`` raises, so
every test that uses the fake also checks that the fake answers as Azure is documented to.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.fakes.azure import conformance
from tests.fakes.azure.tenant import Estate


def make_token(tenant_id: str, app_id: str = "5b7a0c1e-0d2f-4f3a-9b8c-7d6e5f4a3b21") -> str:
    """An unsigned JWT carrying the claims the collector reads (tid, appid, oid)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"tid": tenant_id, "appid": app_id, "oid": "b2000001-0000-4000-8000-000000000001", "exp": int(time.time()) + 3600}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclass
class Fault:
    pattern: re.Pattern[str]
    status: int
    code: str | None = None
    message: str = "injected fault"
    times: int | None = None  # None: always
    retry_after: int | None = None
    hits: int = 0


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    authorized: bool
    body: bytes = b""


@dataclass
class FakeAzure:
    """The fake; ``url`` is its base (serves both ARM and Graph), ``ca_path`` its CA bundle."""

    estate: Estate
    page_size: int = 2
    token: str = ""
    client_secret: str = "fake-client-secret-value-0123456789"
    requests: list[Recorded] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    url: str = ""
    ca_path: str = ""
    in_flight: int = 0
    max_in_flight: int = 0
    validate: bool = True  # check every 200 body against the published response schema
    violations: list[str] = field(default_factory=list)
    unvalidated: set[str] = field(default_factory=set)  # paths no published description covers
    _server: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, pattern: str, status: int, *, code: str | None = None, message: str = "injected fault",
             times: int | None = None, retry_after: int | None = None) -> None:
        self.faults.append(Fault(re.compile(pattern), status, code, message, times, retry_after))

    def start(self, cert: Any, ca_path: str) -> FakeAzure:
        self.token = self.token or make_token(self.estate.tenant_id)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PUT(self) -> None:
                fake._handle(self, "PUT")

            def do_PATCH(self) -> None:
                fake._handle(self, "PATCH")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self.url = f"https://127.0.0.1:{server.server_address[1]}"
        self.ca_path = ca_path
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self.validate and self.violations:
            listed = "\n  ".join(dict.fromkeys(self.violations))
            raise AssertionError(f"the fake Azure served bodies its published API description rejects:\n  {listed}")

    # --- request handling ----------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(0.002)  # long enough for parallel requests to overlap
            self._serve(handler, method)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        authorized = handler.headers.get("Authorization") == f"Bearer {self.token}"
        with self._lock:
            self.requests.append(Recorded(method, parts.path, query, authorized, body))
        if method == "POST" and parts.path.endswith("/oauth2/v2.0/token"):
            return self._token_endpoint(handler, body)
        if parts.path.endswith("/.well-known/openid-configuration") or parts.path.endswith("/discovery/instance"):
            return self._openid(handler, parts.path)
        if not authorized:
            return self._send(handler, 401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is missing or invalid."}})
        fault = self._fault(f"{method} {parts.path}?{unquote(parts.query)}")
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return self._send(handler, fault.status, {"error": {"code": fault.code or "InjectedFault", "message": fault.message}}, headers)
        if method != "GET":
            return self._send(handler, 405, {"error": {"code": "MethodNotAllowed", "message": "the fake is read-only"}})
        try:
            status, payload = self._route(parts.path, query)
        except KeyError:
            status, payload = 404, {"error": {"code": "NotFound", "message": f"no such resource {parts.path}"}}
        if status == 200 and self.validate:
            self._check(parts.path, payload)
        self._send(handler, status, payload)

    def _check(self, path: str, payload: Any) -> None:
        operation = conformance.operation_for(path)
        with self._lock:
            if operation is None:
                self.unvalidated.add(path)
            else:
                self.violations += [f"{path}: {problem}" for problem in conformance.problems(operation, payload)]

    def _fault(self, request_line: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.pattern.search(request_line) and (fault.times is None or fault.hits < fault.times):
                    fault.hits += 1
                    return fault
        return None

    def _send(self, handler: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _token_endpoint(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        form = parse_qs(body.decode())
        if form.get("client_secret", [""])[0] != self.client_secret:
            return self._send(handler, 401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
        self._send(handler, 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": self.token})

    def _openid(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        host = self.url.split("://", 1)[1]
        tenant = path.strip("/").split("/", 1)[0]
        self._send(handler, 200, {
            "token_endpoint": f"{self.url}/{tenant}/oauth2/v2.0/token",
            "authorization_endpoint": f"{self.url}/{tenant}/oauth2/v2.0/authorize",
            "issuer": f"https://{host}/{tenant}/v2.0",
            "tenant_region_scope": "EU",
            "tenant_discovery_endpoint": f"{self.url}/{tenant}/v2.0/.well-known/openid-configuration",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        })

    # --- routing ---------------------------------------------------------------------------------

    def _page(self, path: str, query: dict[str, list[str]], items: list[dict[str, Any]], *, graph: bool) -> dict[str, Any]:
        skip = int((query.get("$skiptoken") or ["0"])[0])
        page = items[skip: skip + self.page_size]
        body: dict[str, Any] = {"value": page}
        if skip + self.page_size < len(items):
            rest = {k: v[0] for k, v in query.items() if k != "$skiptoken"}
            rest["$skiptoken"] = str(skip + self.page_size)
            link = f"{self.url}{path}?{urlencode(rest)}"
            body["@odata.nextLink" if graph else "nextLink"] = link
        if graph:
            body = {"@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#{path.split('/v1.0/', 1)[-1]}", **body}
        return body

    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        e = self.estate
        if path.startswith("/v1.0/"):
            g = path[len("/v1.0"):]
            lists = {
                "/organization": [e.organization],
                "/users": [self._select_user(u, query) for u in e.users],
                "/reports/authenticationMethods/userRegistrationDetails": e.registration,
                "/roleManagement/directory/roleAssignments": e.directory_role_assignments,
                "/roleManagement/directory/roleDefinitions": e.directory_role_definitions,
                "/identity/conditionalAccess/policies": e.ca_policies,
                "/servicePrincipals": [{k: v for k, v in sp.items() if k != "appRoles"} for sp in e.service_principals],
                "/applications": e.applications,
            }
            if g in lists:
                return 200, self._page(path, query, lists[g], graph=True)
            if g == "/deviceManagement/managedDevices":
                return 200, self._page(path, query, [self._select_user(d, query) if "$select" in query else d for d in e.managed_devices], graph=True)
            if g == "/deviceManagement/deviceCompliancePolicies":
                # Navigation properties (assignments) only under $expand, as Graph serves them.
                expand = "assignments" in (query.get("$expand") or [""])[0].split(",")
                policies = [p if expand else {k: v for k, v in p.items() if k != "assignments"} for p in e.compliance_policies]
                return 200, self._page(path, query, policies, graph=True)
            if g in ("/roleManagement/directory/roleEligibilityScheduleInstances",
                     "/roleManagement/directory/roleAssignmentScheduleInstances"):
                if e.directory_no_pim:
                    return 400, {"error": {"code": "AadPremiumLicenseRequired",
                                           "message": "The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license."}}
                data = e.directory_eligibility if "Eligibility" in g else e.directory_assignment_schedules
                return 200, self._page(path, query, data, graph=True)
            match = re.fullmatch(r"/groups/([^/]+)/transitiveMembers", g)
            if match:
                if match.group(1) not in e.group_members:
                    raise KeyError(g)
                members = [self._select_member(m, query) for m in self._transitive(match.group(1))]
                return 200, self._page(path, query, members, graph=True)
            if g == "/policies/identitySecurityDefaultsEnforcementPolicy":
                return 200, e.security_defaults
            if g == "/policies/authorizationPolicy":
                return 200, e.authorization_policy
            match = re.fullmatch(r"/servicePrincipals\(appId='([^']+)'\)", g)
            if match:
                sp = next(s for s in e.service_principals if s["appId"] == match.group(1))
                return 200, {"id": sp["id"], "appRoles": sp.get("appRoles", [])}
            match = re.fullmatch(r"/applications/([^/]+)/federatedIdentityCredentials", g)
            if match:
                if not any(a["id"] == match.group(1) for a in e.applications):
                    raise KeyError(g)
                return 200, self._page(path, query, e.federated_credentials.get(match.group(1), []), graph=True)
            match = re.fullmatch(r"/servicePrincipals/([^/]+)/appRoleAssignedTo", g)
            if match:
                return 200, self._page(path, query, [x for x in e.graph_grants if x["resourceId"] == match.group(1)], graph=True)
            match = re.fullmatch(r"/directoryObjects/([^/]+)", g)
            if match:
                kinds = [("group", e.groups), ("user", e.users), ("servicePrincipal", e.service_principals)]
                for kind, objects in kinds:
                    for obj in objects:
                        if obj["id"] == match.group(1):
                            return 200, {"@odata.type": f"#microsoft.graph.{kind}", "id": obj["id"], "displayName": obj["displayName"]}
                raise KeyError(g)
            raise KeyError(g)
        if path == "/subscriptions":
            return 200, self._page(path, query, e.subscriptions, graph=False)
        match = re.fullmatch(r"/subscriptions/([^/]+)(/.*)", path)
        if match:
            sub, rest = match.group(1), match.group(2)
            if sub not in e.role_assignments:
                return 404, {"error": {"code": "SubscriptionNotFound", "message": f"The subscription '{sub}' could not be found."}}
            tail = rest.lower()
            if tail == "/providers/microsoft.authorization/roleassignments":
                return 200, self._page(path, query, e.role_assignments[sub], graph=False)
            if tail == "/providers/microsoft.authorization/roledefinitions":
                return 200, self._page(path, query, e.role_definitions[sub], graph=False)
            if tail in ("/providers/microsoft.authorization/roleeligibilityscheduleinstances",
                        "/providers/microsoft.authorization/roleassignmentscheduleinstances"):
                if sub in e.no_pim:
                    return 400, {"error": {"code": "AadPremiumLicenseRequired", "message": "The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license."}}
                data = e.eligibility if "eligibility" in tail else e.assignment_schedules
                return 200, self._page(path, query, data[sub], graph=False)
            if tail == "/providers/microsoft.authorization/classicadministrators":
                return 200, self._page(path, query, e.classic_admins[sub], graph=False)
            if tail == "/providers/microsoft.security/securitycontacts":
                return 200, self._page(path, query, e.security_contacts.get(sub, []), graph=False)
            if tail == "/providers/microsoft.insights/diagnosticsettings":
                return 200, {"value": e.diagnostic_settings[sub]}  # this API does not page
        raise KeyError(path)

    def _transitive(self, group_id: str) -> list[dict[str, Any]]:
        """Every member of a group, nested groups' members included, each once (what
        /groups/{id}/transitiveMembers returns: the nested groups themselves are listed too)."""
        seen: dict[str, dict[str, Any]] = {}
        pending = [group_id]
        while pending:
            for obj in self.estate.group_members.get(pending.pop(), []):
                if obj["id"] not in seen:
                    seen[obj["id"]] = obj
                    if obj.get("@odata.type") == "#microsoft.graph.group":
                        pending.append(obj["id"])
        return list(seen.values())

    @staticmethod
    def _select_member(obj: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
        """A directoryObject under $select: only the selected properties its type has, plus @odata.type."""
        selected = (query.get("$select") or [""])[0].split(",")
        return {k: v for k, v in obj.items() if k in selected or k in ("id", "@odata.type")}

    @staticmethod
    def _select_user(u: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
        selected = (query.get("$select") or [""])[0].split(",")
        return {k: v for k, v in u.items() if k in selected or k == "id"}
