"""A local HTTP server speaking the Google Cloud APIs the collector reads, for one fake org.

Every API lives under ``/<api>/`` (the collector's ``endpoint_base``). Each response body is
validated against the API's discovery document (``discovery/``) before it is sent: a body the
description does not allow is recorded in ``schema_problems`` (tests assert it stays empty).
Lists page with ``pageSize``/``pageToken``/``nextPageToken``. ``fail(pattern, reason)`` makes
matching requests answer Google's error shape: 403 PERMISSION_DENIED, 403 SERVICE_DISABLED
(``details[].reason``), 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED. Anything that could change the
org (setIamPolicy, create, patch, delete: any method but GET, or a POST other than
``:getIamPolicy``) is recorded in ``mutations`` and refused; tests assert it stays empty.
It also serves an OAuth token endpoint (``/token``, for service-account key files) and IAM
Credentials' ``generateAccessToken`` (impersonation).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.gcp import schema
from tests.fakes.gcp.org import ALL_CONSTRAINTS, Org

_ERRORS = {
    "PERMISSION_DENIED": (403, "IAM_PERMISSION_DENIED", "iam.googleapis.com"),
    "SERVICE_DISABLED": (403, "SERVICE_DISABLED", "googleapis.com"),
    "NOT_FOUND": (404, None, None),
    "RESOURCE_EXHAUSTED": (429, "RATE_LIMIT_EXCEEDED", "googleapis.com"),
    "UNAVAILABLE": (503, None, None),
}


@dataclass
class Fault:
    pattern: re.Pattern[str]
    reason: str
    times: int | None
    hits: int = 0


@dataclass
class Recorded:
    method: str
    api: str
    path: str
    query: dict[str, list[str]]


@dataclass
class FakeGcp:
    org: Org
    token: str = "ya29.fake-access-token-for-tests-0123456789"
    max_page: int = 3
    latency: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    mutations: list[str] = field(default_factory=list)
    schema_problems: list[str] = field(default_factory=list)
    token_requests: int = 0
    faults: list[Fault] = field(default_factory=list)
    url: str = ""
    _server: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, pattern: str, reason: str, times: int | None = None) -> None:
        """Requests whose "METHOD /api/path?query" matches ``pattern`` answer ``reason``."""
        if reason not in _ERRORS:
            raise ValueError(reason)
        self.faults.append(Fault(re.compile(pattern), reason, times))

    def start(self) -> FakeGcp:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
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

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def calls(self, api: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if api is None or r.api == api]

    # --- plumbing --------------------------------------------------------------------------

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _error(self, handler: BaseHTTPRequestHandler, reason: str, message: str, api: str) -> None:
        http, detail_reason, domain = _ERRORS[reason]
        status = "PERMISSION_DENIED" if reason == "SERVICE_DISABLED" else reason
        error: dict[str, Any] = {"code": http, "message": message, "status": status}
        if detail_reason:
            metadata = {"service": f"{api}.googleapis.com", "consumer": "projects/999999999999"} if reason == "SERVICE_DISABLED" else {}
            error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": detail_reason, "domain": domain, "metadata": metadata}]
        self._send(handler, http, {"error": error}, {"Retry-After": "0"} if http == 429 else None)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        split = urlsplit(handler.path)
        path = unquote(split.path)
        query = parse_qs(split.query)
        if path == "/token" and method == "POST":
            with self._lock:
                self.token_requests += 1
            self._send(handler, 200, {"access_token": self.token, "expires_in": 3600, "token_type": "Bearer"})
            return
        if method == "POST" and path.endswith(":generateAccessToken"):
            with self._lock:
                self.token_requests += 1
            self._send(handler, 200, {"accessToken": self.token, "expireTime": "2099-01-01T00:00:00Z"})
            return
        api, _, rest = path.lstrip("/").partition("/")
        with self._lock:
            self.requests.append(Recorded(method, api, rest, query))
        if not (method == "GET" or (method == "POST" and rest.endswith(":getIamPolicy"))):
            with self._lock:
                self.mutations.append(f"{method} /{api}/{rest}")
            self._error(handler, "PERMISSION_DENIED", "the fake is read-only", api)
            return
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            self._send(handler, 401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}})
            return
        if self.latency:
            time.sleep(self.latency)
        probe = f"{method} /{api}/{rest}?{split.query}"
        for fault in self.faults:
            if fault.pattern.search(probe) and (fault.times is None or fault.hits < fault.times):
                fault.hits += 1
                self._error(handler, fault.reason, f"injected {fault.reason} for {rest}", api)
                return
        try:
            found = self._route(api, rest, query)
        except KeyError as exc:
            self._error(handler, "NOT_FOUND", f"{exc.args[0]} not found", api)
            return
        if found is None:
            self._error(handler, "NOT_FOUND", f"no route for {method} /{api}/{rest}", api)
            return
        method_id, response = found
        problems = schema.problems(api, schema.response_schema(api, method_id), response)
        if problems:
            with self._lock:
                self.schema_problems.extend(f"{api} {method_id}: {p}" for p in problems)
            self._send(handler, 500, {"error": {"code": 500, "message": "fake answer breaks the discovery schema", "status": "INTERNAL"}})
            return
        self._send(handler, 200, response)

    def _page(self, items: list[Any], query: dict[str, list[str]], key: str) -> dict[str, Any]:
        size = min(int((query.get("pageSize") or [self.max_page])[0]) or self.max_page, self.max_page)
        start = int((query.get("pageToken") or ["0"])[0])
        out: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            out["nextPageToken"] = str(start + size)
        return out

    # --- routes ------------------------------------------------------------------------------

    def _route(self, api: str, rest: str, query: dict[str, list[str]]) -> tuple[str, dict[str, Any]] | None:
        org = self.org
        if api == "cloudresourcemanager":
            m = re.fullmatch(r"v3/(organizations|folders|projects)/([^/:]+):getIamPolicy", rest)
            if m:
                canonical = f"{m.group(1)}/{self._project_id(m.group(2)) if m.group(1) == 'projects' else m.group(2)}"
                self._exists(canonical)
                kind = {"organizations": "organizations", "folders": "folders", "projects": "projects"}[m.group(1)]
                return f"{kind}.getIamPolicy", org.policies.get(canonical, {"version": 1, "etag": "ACAB"})
            if rest == f"v3/organizations/{org.org_id}":
                return "organizations.get", self._organization()
            m = re.fullmatch(r"v3/folders/(\d+)", rest)
            if m:
                return "folders.get", self._folder(m.group(1))
            m = re.fullmatch(r"v3/projects/([^/]+)", rest)
            if m:
                return "projects.get", self._project(org.projects[self._project_id(m.group(1))])
            if rest == "v3/folders":
                parent = query["parent"][0]
                items = [self._folder(f) for f, (_n, p) in sorted(org.folders.items()) if p == parent]
                return "folders.list", self._page(items, query, "folders")
            if rest == "v3/projects":
                parent = query["parent"][0]
                items = [self._project(p) for _, p in sorted(org.projects.items()) if p.parent == parent]
                return "projects.list", self._page(items, query, "projects")
            return None
        if api == "cloudasset":
            m = re.fullmatch(r"v1/(organizations|folders|projects)/([^/:]+):(searchAllResources|searchAllIamPolicies)", rest)
            if not m:
                return None
            scope = f"{m.group(1)}/{m.group(2)}"
            if m.group(3) == "searchAllResources":
                types = set(query.get("assetTypes") or [])
                items = [r for r in self._asset_resources(scope) if not types or r["assetType"] in types]
                return "v1.searchAllResources", self._page(items, query, "results")
            return "v1.searchAllIamPolicies", self._page(self._asset_policies(scope), query, "results")
        if api == "iam":
            m = re.fullmatch(r"v1/projects/([^/]+)/serviceAccounts", rest)
            if m:
                pid = self._project_id(m.group(1))
                self._exists(f"projects/{pid}")
                items = [self._service_account(sa) for sa in org.service_accounts if sa.project_id == pid]
                return "projects.serviceAccounts.list", self._page(items, query, "accounts")
            m = re.fullmatch(r"v1/projects/([^/]+)/serviceAccounts/([^/:]+):getIamPolicy", rest)
            if m:
                sa = next(s for s in org.service_accounts if s.email == m.group(2) or s.unique_id == m.group(2))
                return "projects.serviceAccounts.getIamPolicy", org.policies.get(f"serviceAccounts/{sa.email}", {"version": 1, "etag": "ACAB"})
            m = re.fullmatch(r"v1/projects/([^/]+)/serviceAccounts/([^/]+)/keys", rest)
            if m:
                sa = next(s for s in org.service_accounts if s.email == m.group(2) or s.unique_id == m.group(2))
                types = set(query.get("keyTypes") or [])
                keys = [self._key(sa, k) for k in sa.keys if not types or k["keyType"] in types]
                return "projects.serviceAccounts.keys.list", {"keys": keys}
            m = re.fullmatch(r"v1/projects/([^/]+)/locations/global/workloadIdentityPools", rest)
            if m:
                pid = self._project_id(m.group(1))
                pools = sorted({p.pool for p in org.providers if p.project_id == pid})
                number = org.number_of(pid)
                items = [{"name": f"projects/{number}/locations/global/workloadIdentityPools/{pool}", "state": "ACTIVE", "disabled": False} for pool in pools]
                return "projects.locations.workloadIdentityPools.list", self._page(items, query, "workloadIdentityPools")
            m = re.fullmatch(r"v1/projects/([^/]+)/locations/global/workloadIdentityPools/([^/]+)/providers", rest)
            if m:
                pid = self._project_id(m.group(1))
                items = [self._provider(p) for p in org.providers if p.project_id == pid and p.pool == m.group(2)]
                return "projects.locations.workloadIdentityPools.providers.list", self._page(items, query, "workloadIdentityPoolProviders")
            return None
        if api == "orgpolicy":
            m = re.fullmatch(r"v2/(organizations|folders|projects)/([^/]+)/policies/([^/:]+):getEffectivePolicy", rest)
            if not m or m.group(3) not in ALL_CONSTRAINTS:
                return None
            name = f"{m.group(1)}/{m.group(2)}/policies/{m.group(3)}"
            spec = org.constraints.get(m.group(3))
            body: dict[str, Any] = {"name": name}
            if spec:
                body["spec"] = spec
            return f"{m.group(1)}.policies.getEffectivePolicy", body
        if api == "essentialcontacts":
            if rest == f"v1/organizations/{org.org_id}/contacts":
                return "organizations.contacts.list", self._page(list(org.contacts), query, "contacts")
            return None
        if api == "storage":
            if rest == "storage/v1/b":
                pid = self._project_id(query["project"][0])
                self._exists(f"projects/{pid}")
                items = [self._bucket(b) for b in org.buckets if b.project_id == pid]
                page = self._page(items, query, "items")
                page["kind"] = "storage#buckets"
                return "buckets.list", page
            m = re.fullmatch(r"storage/v1/b/([^/]+)/iam", rest)
            if m:
                bucket = next(b for b in org.buckets if b.name == m.group(1))
                policy = dict(org.policies.get(f"buckets/{bucket.name}", {"bindings": []}))
                policy.update({"kind": "storage#policy", "resourceId": f"projects/_/buckets/{bucket.name}", "etag": "CAE="})
                policy.pop("auditConfigs", None)
                return "buckets.getIamPolicy", policy
            return None
        return None

    # --- renderings --------------------------------------------------------------------------

    def _project_id(self, id_or_number: str) -> str:
        for pid, project in self.org.projects.items():
            if project.number == id_or_number:
                return pid
        return id_or_number

    def _exists(self, canonical: str) -> None:
        kind, _, ident = canonical.partition("/")
        known = {
            "organizations": ident == self.org.org_id,
            "folders": ident in self.org.folders,
            "projects": ident in self.org.projects,
        }.get(kind, True)
        if not known:
            raise KeyError(canonical)

    def _organization(self) -> dict[str, Any]:
        org = self.org
        return {"name": f"organizations/{org.org_id}", "displayName": org.domain, "directoryCustomerId": org.customer_id, "state": "ACTIVE", "createTime": "2020-01-01T00:00:00Z"}

    def _folder(self, folder_id: str) -> dict[str, Any]:
        name, parent = self.org.folders[folder_id]
        return {"name": f"folders/{folder_id}", "displayName": name, "parent": parent, "state": "ACTIVE"}

    @staticmethod
    def _project(p: Any) -> dict[str, Any]:
        return {"name": f"projects/{p.number}", "projectId": p.project_id, "displayName": p.project_id, "parent": p.parent, "state": p.state, "labels": dict(p.labels)}

    def _service_account(self, sa: Any) -> dict[str, Any]:
        return {
            "name": f"projects/{sa.project_id}/serviceAccounts/{sa.email}",
            "email": sa.email,
            "projectId": sa.project_id,
            "uniqueId": sa.unique_id,
            "disabled": sa.disabled,
            "oauth2ClientId": sa.unique_id,
        }

    @staticmethod
    def _key(sa: Any, key: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": f"projects/{sa.project_id}/serviceAccounts/{sa.email}/keys/{key['id']}",
            "keyType": key["keyType"],
            "keyAlgorithm": "KEY_ALG_RSA_2048",
            "keyOrigin": "GOOGLE_PROVIDED",
            "validAfterTime": key["validAfterTime"],
            "validBeforeTime": "9999-12-31T23:59:59Z",
            "disabled": False,
        }

    def _provider(self, p: Any) -> dict[str, Any]:
        number = self.org.number_of(p.project_id)
        body: dict[str, Any] = {
            "name": f"projects/{number}/locations/global/workloadIdentityPools/{p.pool}/providers/{p.provider}",
            "state": "ACTIVE",
            "disabled": False,
            "oidc": {"issuerUri": p.issuer},
            "attributeMapping": {"google.subject": "assertion.sub", "attribute.repository": "assertion.repository"},
        }
        if p.condition:
            body["attributeCondition"] = p.condition
        return body

    @staticmethod
    def _bucket(b: Any) -> dict[str, Any]:
        return {
            "kind": "storage#bucket",
            "id": b.name,
            "name": b.name,
            "projectNumber": "0",
            "labels": dict(b.labels),
            "iamConfiguration": {
                "publicAccessPrevention": b.public_access_prevention,
                "uniformBucketLevelAccess": {"enabled": b.uniform},
                "bucketPolicyOnly": {"enabled": b.uniform},
            },
        }

    def _in_scope(self, scope: str, project_id: str | None, folder_chain: list[str]) -> bool:
        kind, _, ident = scope.partition("/")
        if kind == "organizations":
            return ident == self.org.org_id
        if kind == "folders":
            return f"folders/{ident}" in folder_chain
        return project_id is not None and self._project_id(ident) == project_id

    def _chain(self, parent: str) -> list[str]:
        chain = []
        while parent.startswith("folders/"):
            chain.append(parent)
            parent = self.org.folders[parent.split("/", 1)[1]][1]
        return chain

    def _asset_resources(self, scope: str) -> list[dict[str, Any]]:
        org = self.org
        crm = "//cloudresourcemanager.googleapis.com/"
        out: list[dict[str, Any]] = []
        for folder_id, (name, parent) in sorted(org.folders.items()):
            chain = self._chain(f"folders/{folder_id}")
            if not (scope.startswith("organizations/") or scope in chain):
                continue
            out.append({
                "name": f"{crm}folders/{folder_id}",
                "assetType": "cloudresourcemanager.googleapis.com/Folder",
                "displayName": name,
                "parentFullResourceName": crm + parent,
                "organization": f"organizations/{org.org_id}",
                "state": "ACTIVE",
                "folders": chain,
            })
        for pid, p in sorted(org.projects.items()):
            chain = self._chain(p.parent)
            if not self._in_scope(scope, pid, chain):
                continue
            out.append({
                "name": f"{crm}projects/{p.number}",
                "assetType": "cloudresourcemanager.googleapis.com/Project",
                "project": f"projects/{p.number}",
                "displayName": pid,
                "parentFullResourceName": crm + p.parent,
                "folders": chain,
                "organization": f"organizations/{org.org_id}",
                "labels": dict(p.labels),
                "state": p.state,
                "additionalAttributes": {"projectId": pid},
            })
        for sa in org.service_accounts:
            p = org.projects[sa.project_id]
            chain = self._chain(p.parent)
            if not self._in_scope(scope, sa.project_id, chain):
                continue
            sa_name = f"//iam.googleapis.com/projects/{sa.project_id}/serviceAccounts/{sa.unique_id}"
            out.append({
                "name": sa_name,
                "assetType": "iam.googleapis.com/ServiceAccount",
                "project": f"projects/{p.number}",
                "displayName": sa.email.split("@", 1)[0],
                "folders": chain,
                "organization": f"organizations/{org.org_id}",
                "state": "DISABLED" if sa.disabled else "ENABLED",
                "additionalAttributes": {"email": sa.email, "oauth2ClientId": sa.unique_id},
                "versionedResources": [{"version": "v1", "resource": self._service_account(sa)}],
            })
            for key in sa.keys:
                if key["keyType"] != "USER_MANAGED":
                    continue  # Cloud Asset indexes the keys users create
                out.append({
                    "name": f"{sa_name}/keys/{key['id']}",
                    "assetType": "iam.googleapis.com/ServiceAccountKey",
                    "project": f"projects/{p.number}",
                    "parentFullResourceName": sa_name,
                    "parentAssetType": "iam.googleapis.com/ServiceAccount",
                    "folders": chain,
                    "organization": f"organizations/{org.org_id}",
                    "createTime": key["validAfterTime"],
                    "versionedResources": [{"version": "v1", "resource": self._key(sa, key)}],
                })
        for b in org.buckets:
            p = org.projects[b.project_id]
            chain = self._chain(p.parent)
            if not self._in_scope(scope, b.project_id, chain):
                continue
            out.append({
                "name": f"//storage.googleapis.com/{b.name}",
                "assetType": "storage.googleapis.com/Bucket",
                "project": f"projects/{p.number}",
                "displayName": b.name,
                "folders": chain,
                "organization": f"organizations/{org.org_id}",
                "labels": dict(b.labels),
                "location": "EU",
                "versionedResources": [{"version": "v1", "resource": self._bucket(b)}],
            })
        for pv in org.providers:
            p = org.projects[pv.project_id]
            chain = self._chain(p.parent)
            if not self._in_scope(scope, pv.project_id, chain):
                continue
            provider = self._provider(pv)
            out.append({
                "name": f"//iam.googleapis.com/{provider['name']}",
                "assetType": "iam.googleapis.com/WorkloadIdentityPoolProvider",
                "project": f"projects/{p.number}",
                "folders": chain,
                "organization": f"organizations/{org.org_id}",
                "state": "ACTIVE",
                "versionedResources": [{"version": "v1", "resource": provider}],
            })
        return out

    def _asset_policies(self, scope: str) -> list[dict[str, Any]]:
        org = self.org
        out: list[dict[str, Any]] = []
        for canonical, policy in sorted(org.policies.items()):
            kind, _, ident = canonical.partition("/")
            project_id: str | None = None
            chain: list[str] = []
            if kind == "organizations":
                resource, asset_type = f"//cloudresourcemanager.googleapis.com/{canonical}", "cloudresourcemanager.googleapis.com/Organization"
            elif kind == "folders":
                resource, asset_type = f"//cloudresourcemanager.googleapis.com/{canonical}", "cloudresourcemanager.googleapis.com/Folder"
                chain = self._chain(canonical)
            elif kind == "projects":
                project_id = ident
                resource, asset_type = f"//cloudresourcemanager.googleapis.com/projects/{org.number_of(ident)}", "cloudresourcemanager.googleapis.com/Project"
            elif kind == "buckets":
                project_id = next(b.project_id for b in org.buckets if b.name == ident)
                resource, asset_type = f"//storage.googleapis.com/{ident}", "storage.googleapis.com/Bucket"
            else:
                sa = next(s for s in org.service_accounts if s.email == ident)
                project_id = sa.project_id
                resource, asset_type = f"//iam.googleapis.com/projects/{sa.project_id}/serviceAccounts/{sa.unique_id}", "iam.googleapis.com/ServiceAccount"
            if project_id:
                chain = self._chain(org.projects[project_id].parent)
            if kind == "organizations":
                if not scope.startswith("organizations/"):
                    continue
            elif kind == "folders":
                if not (scope.startswith("organizations/") or scope in chain):
                    continue
            elif not self._in_scope(scope, project_id, chain):
                continue
            result: dict[str, Any] = {"resource": resource, "assetType": asset_type, "organization": f"organizations/{org.org_id}", "policy": policy, "folders": chain}
            if project_id:
                result["project"] = f"projects/{org.number_of(project_id)}"
            out.append(result)
        return out
