"""A local HTTP server speaking the Atlassian Cloud APIs the collector reads, for one fake org.

The Organizations REST API lives under ``/admin`` (the collector's ``admin_api_base``) and each
site under ``/site/<name>`` (``site_base``/``<name>``): Jira Cloud platform REST v3 at
``/rest/api/3/``, Confluence v2 at ``/wiki/api/v2/`` and v1 at ``/wiki/rest/api/``.

Every body it serves is validated against the trimmed OpenAPI descriptions in ``openapi/``;
what the description does not allow is recorded in ``schema_problems`` (tests assert it stays
empty). Paging follows each API: Organizations ``links.next`` cursors, Jira ``startAt`` /
``maxResults`` / ``isLast`` / ``total`` (and plain arrays for user search), Confluence v2
``_links.next`` relative URLs with a ``cursor``. The admin API wants ``Authorization: Bearer
<admin key>``, a site wants Basic ``email:api token``; anything else answers 401.
``fail(pattern, status)`` makes matching requests answer 401/403/404/429 (with ``Retry-After``)
or 500. Any method but GET is recorded in ``mutations`` and refused (the collector calls no
read-only POST search endpoint, so there is no exception).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.atlassian import schema
from tests.fakes.atlassian.org import Org, Site, User

PERMISSION_KEYS = {
    "ADMINISTER": ("Administer Jira", "GLOBAL"),
    "USER_PICKER": ("Browse users and groups", "GLOBAL"),
    "BROWSE_PROJECTS": ("Browse Projects", "PROJECT"),
    "ADMINISTER_PROJECTS": ("Administer Projects", "PROJECT"),
}


@dataclass
class Fault:
    pattern: re.Pattern[str]
    status: int
    times: int | None
    retry_after: str | None
    hits: int = 0


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    auth: str


@dataclass
class FakeAtlassian:
    org: Org
    max_page: int = 2
    requests: list[Recorded] = field(default_factory=list)
    mutations: list[str] = field(default_factory=list)
    schema_problems: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    url: str = ""
    _server: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- control -----------------------------------------------------------------------------

    def fail(self, pattern: str, status: int, times: int | None = None, retry_after: str | None = None) -> None:
        """Requests whose ``METHOD /path?query`` matches ``pattern`` answer ``status``."""
        self.faults.append(Fault(re.compile(pattern), status, times, retry_after))

    @property
    def admin_base(self) -> str:
        return f"{self.url}/admin"

    @property
    def site_base(self) -> str:
        return f"{self.url}/site"

    def start(self) -> FakeAtlassian:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = 1 << 16  # headers and body in one write: no Nagle / delayed-ACK stall per request

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self, "GET")

            def _refuse(self) -> None:
                fake._handle(self, self.command)

            do_POST = do_PUT = do_PATCH = do_DELETE = _refuse  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def calls(self, fragment: str) -> list[Recorded]:
        return [r for r in self.requests if fragment in r.path]

    # --- dispatch ----------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        auth = handler.headers.get("Authorization") or ""
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        with self._lock:
            self.requests.append(Recorded(method, parts.path, query, auth.split(" ", 1)[0]))
        if method != "GET":
            with self._lock:
                self.mutations.append(f"{method} {parts.path}")
            self._send(handler, 405, {"errorMessages": ["posture fake: read-only"]})
            return
        line = f"{method} {handler.path}"
        for fault in self.faults:
            if fault.pattern.search(line) and (fault.times is None or fault.hits < fault.times):
                fault.hits += 1
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                self._send(handler, fault.status, self._error_body(parts.path, fault.status), headers)
                return
        try:
            if parts.path.startswith("/admin/"):
                if auth != f"Bearer {self.org.admin_key}":
                    self._send(handler, 401, {"code": 401, "message": "Unauthorized"})
                    return
                spec, template, status, body = self._admin(parts.path.removeprefix("/admin"), query)
            elif parts.path.startswith("/site/"):
                name, _, rest = parts.path.removeprefix("/site/").partition("/")
                site = next((s for s in self.org.sites if s.name == name), None)
                if site is None:
                    self._send(handler, 404, {"errorMessages": [f"no site {name}"]})
                    return
                expected = "Basic " + base64.b64encode(f"{self.org.email}:{self.org.api_token}".encode()).decode()
                if auth != expected:
                    self._send(handler, 401, {"errorMessages": ["Client must be authenticated to access this resource."]})
                    return
                spec, template, status, body = self._site(site, "/" + rest, query)
            else:
                self._send(handler, 404, {"errorMessages": ["not found"]})
                return
        except LookupError as exc:
            self._send(handler, 404, {"errorMessages": [str(exc)]})
            return
        if template is not None:
            response_schema = schema.response_schema(spec, template, status)
            if response_schema is not None:
                found = schema.problems(spec, response_schema, body, f"{spec} GET {template} {status}")
                if found:
                    with self._lock:
                        self.schema_problems.extend(found)
        self._send(handler, status, body)

    @staticmethod
    def _error_body(path: str, status: int) -> Any:
        if path.startswith("/admin/"):
            if status == 403:
                return {"status": 403, "error": "Forbidden", "message": "The API key lacks the scope for this request", "path": path}
            if status in (401, 429):
                return {"code": status, "message": "Unauthorized" if status == 401 else "Too many requests"}
            return {"errors": [{"status": str(status), "code": f"ADMIN-{status}-1", "title": "error"}]}
        return {"errorMessages": [f"HTTP {status}"], "errors": {}}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    # --- Organizations REST API ---------------------------------------------------------------

    def _cursor_page(self, items: list[Any], query: dict[str, list[str]], self_url: str) -> tuple[list[Any], dict[str, str]]:
        start = int((query.get("cursor") or ["0"])[0].removeprefix("c") or 0)
        page = items[start : start + self.max_page]
        links = {"self": self_url}
        if start + self.max_page < len(items):
            links["next"] = f"c{start + self.max_page}"
        return page, links

    def _admin(self, path: str, query: dict[str, list[str]]) -> tuple[str, str | None, int, Any]:
        org = self.org
        spec = "admin-organizations"
        prefix = f"/v1/orgs/{org.org_id}"
        if not path.startswith(prefix):
            return spec, "/v1/orgs/{orgId}", 404, {"errors": [{"status": "404", "code": "ADMIN-404-2", "title": "Organization not found"}]}
        rest = path.removeprefix(prefix)
        base = f"https://api.atlassian.com/admin{prefix}"
        if rest == "":
            body = {
                "data": {
                    "id": org.org_id,
                    "type": "orgs",
                    "attributes": {"name": org.name},
                    "relationships": {"domains": {"links": {"related": f"{base}/domains"}}, "users": {"links": {"related": f"{base}/users"}}},
                    "links": {"self": base},
                }
            }
            return spec, "/v1/orgs/{orgId}", 200, body
        if rest == "/users":
            page, links = self._cursor_page(list(org.users), query, f"{base}/users")
            return spec, "/v1/orgs/{orgId}/users", 200, {"data": [self._org_user(u) for u in page], "meta": {"total": len(org.users)}, "links": links}
        if rest == "/domains":
            page, links = self._cursor_page(list(org.domains), query, f"{base}/domains")
            data = [
                {"id": f"dom-{i}", "type": "domains", "attributes": {"name": name, "claim": {"type": "dns", "status": status}}, "links": {"self": f"{base}/domains/dom-{i}"}}
                for i, (name, status) in enumerate(page)
            ]
            return spec, "/v1/orgs/{orgId}/domains", 200, {"data": data, "links": links}
        if rest == "/policies":
            page, links = self._cursor_page(list(org.policies), query, f"{base}/policies")
            data = [
                {
                    "id": str(p["id"]),
                    "type": "policy",
                    "attributes": {"type": p["type"], "name": p["name"], "status": p["status"], "resources": [{"id": "ari:cloud:platform::site/1", "applicationStatus": "applied"}]},
                }
                for p in page
            ]
            return spec, "/v1/orgs/{orgId}/policies", 200, {"data": data, "links": links}
        raise LookupError(path)

    @staticmethod
    def _org_user(user: User) -> dict[str, Any]:
        body: dict[str, Any] = {
            "account_id": user.account_id,
            "account_type": user.account_type,
            "account_status": user.status,
            "name": user.name,
            "picture": f"https://avatar.example/{user.account_id}.png",
            "access_billable": True,
            "product_access": [{"key": key, "name": key.replace("-", " ").title(), **({"last_active": user.last_active} if user.last_active else {})} for key in user.products],
            "links": {"self": f"https://api.atlassian.com/users/{user.account_id}/manage"},
        }
        if user.email:
            body["email"] = user.email
        if user.last_active:
            body["last_active"] = user.last_active
        return body

    # --- Jira and Confluence on a site ---------------------------------------------------------

    def _start_page(self, items: list[Any], query: dict[str, list[str]]) -> tuple[list[Any], int, int]:
        start = int((query.get("startAt") or ["0"])[0])
        size = min(int((query.get("maxResults") or ["50"])[0]), self.max_page)
        return items[start : start + size], start, size

    def _jira_user(self, site: Site, account_id: str, *, details: bool = False) -> dict[str, Any]:
        user = self.org.all_users()[account_id]
        body: dict[str, Any] = {
            "accountId": user.account_id,
            "accountType": user.account_type,
            "active": user.status == "active",
            "displayName": user.name,
            "self": f"https://{site.name}.atlassian.net/rest/api/3/user?accountId={user.account_id}",
            "timeZone": "Europe/London",
        }
        if user.email:
            body["emailAddress"] = user.email
        return body

    def _site(self, site: Site, path: str, query: dict[str, list[str]]) -> tuple[str, str | None, int, Any]:
        jira = "jira-platform-v3"
        home = f"https://{site.name}.atlassian.net"
        denied = {"errorMessages": ["You do not have permission to perform this operation."], "errors": {}}
        if path == "/rest/api/3/myself":
            me = {"accountId": "posture-scanner", "accountType": "atlassian", "active": True, "displayName": "posture audit", "emailAddress": self.org.email, "self": f"{home}/rest/api/3/myself"}
            return jira, path, 200, me
        if path == "/rest/api/3/users/search":
            everyone = [u.account_id for u in self.org.users] + [u.account_id for u in site.users]
            page, _start, _size = self._start_page(everyone, query)
            return jira, path, 200, [self._jira_user(site, m) for m in page]
        if path == "/rest/api/3/permissions":
            body = {"permissions": {k: {"key": k, "name": n, "type": t, "description": n} for k, (n, t) in PERMISSION_KEYS.items()}}
            return jira, path, 200, body
        if path == "/rest/api/3/mypermissions":
            wanted = (query.get("permissions") or [""])[0].split(",")
            body = {"permissions": {}}
            for key in wanted:
                if key in PERMISSION_KEYS:
                    name, kind = PERMISSION_KEYS[key]
                    have = site.scanner_is_admin or key != "ADMINISTER"
                    body["permissions"][key] = {"key": key, "name": name, "type": kind, "havePermission": have, "id": str(len(key))}
            return jira, path, 200, body
        if path == "/rest/api/3/project/search":
            projects = list(site.projects)
            page, start, size = self._start_page(projects, query)
            values = [
                {
                    "id": p.id,
                    "key": p.key,
                    "name": p.name,
                    "projectTypeKey": p.type_key,
                    "archived": p.archived,
                    "isPrivate": False,
                    "self": f"{home}/rest/api/3/project/{p.id}",
                    "simplified": False,
                    "style": "classic",
                }
                for p in page
            ]
            is_last = start + size >= len(projects)
            body = {"isLast": is_last, "maxResults": size, "startAt": start, "total": len(projects), "values": values, "self": f"{home}/rest/api/3/project/search?startAt={start}"}
            if not is_last:
                body["nextPage"] = f"{home}/rest/api/3/project/search?startAt={start + size}&maxResults={size}"
            return jira, path, 200, body
        if path == "/rest/api/3/permissionscheme":
            if not site.scanner_is_admin:
                return jira, None, 403, denied
            schemes = []
            for scheme in site.schemes:
                item: dict[str, Any] = {"id": scheme.id, "name": scheme.name, "self": f"{home}/rest/api/3/permissionscheme/{scheme.id}", "description": ""}
                if "permissions" in (query.get("expand") or [""])[0]:
                    item["permissions"] = [
                        {
                            "id": index + 1,
                            "permission": grant.permission,
                            "holder": {"type": grant.holder_type, **({"parameter": grant.parameter, "value": grant.parameter} if grant.parameter else {})},
                            "self": f"{home}/rest/api/3/permissionscheme/{scheme.id}/permission/{index + 1}",
                        }
                        for index, grant in enumerate(scheme.grants)
                    ]
                schemes.append(item)
            return jira, path, 200, {"permissionSchemes": schemes}
        match = re.fullmatch(r"/rest/api/3/project/([^/]+)/permissionscheme", path)
        if match:
            project = next((p for p in site.projects if match.group(1) in (p.key, p.id)), None)
            if project is None:
                raise LookupError(f"No project could be found with key '{match.group(1)}'.")
            scheme = next(s for s in site.schemes if s.id == project.scheme_id)
            return jira, "/rest/api/3/project/{projectKeyOrId}/permissionscheme", 200, {"id": scheme.id, "name": scheme.name, "self": f"{home}/rest/api/3/permissionscheme/{scheme.id}"}
        if path == "/rest/api/3/group/member":
            group = (query.get("groupname") or [""])[0]
            if group not in site.groups:
                return jira, None, 404, {"errorMessages": [f"Group {group} does not exist."], "errors": {}}
            members = list(site.groups[group])
            page, start, size = self._start_page(members, query)
            is_last = start + size >= len(members)
            body = {"isLast": is_last, "maxResults": size, "startAt": start, "total": len(members), "values": [self._jira_user(site, m) for m in page]}
            return jira, path, 200, body
        if path == "/rest/api/3/user/permission/search":
            if not site.scanner_is_admin:
                return jira, None, 403, denied
            wanted = (query.get("permissions") or [""])[0]
            holders = list(site.jira_admins) if wanted == "ADMINISTER" else []
            page, _start, _size = self._start_page(holders, query)
            return jira, path, 200, [self._jira_user(site, m) for m in page]
        if path == "/wiki/api/v2/spaces":
            spaces = list(site.spaces)
            start = int((query.get("cursor") or ["0"])[0] or 0)
            size = min(int((query.get("limit") or ["25"])[0]), self.max_page)
            page = spaces[start : start + size]
            links: dict[str, str] = {"base": f"{home}/wiki"}
            if start + size < len(spaces):
                links["next"] = f"/wiki/api/v2/spaces?cursor={start + size}&limit={size}"
            results = [
                {"id": s.id, "key": s.key, "name": s.name, "type": s.type, "status": s.status, "authorId": "nw-ana", "createdAt": "2024-01-10T09:00:00.000Z", "_links": {"webui": f"/spaces/{s.key}"}}
                for s in page
            ]
            return "confluence-v2", "/spaces", 200, {"results": results, "_links": links}
        match = re.fullmatch(r"/wiki/rest/api/space/([^/]+)", path)
        if match:
            space = next((s for s in site.spaces if s.key == match.group(1)), None)
            if space is None:
                raise LookupError(f"No space with key : {match.group(1)}")
            permissions: list[dict[str, Any]] = [
                {
                    "id": 1,
                    "subjects": {"group": {"results": [{"type": "group", "name": "confluence-users", "id": "g-1"}], "size": 1}},
                    "operation": {"operation": "read", "targetType": "space"},
                    "anonymousAccess": False,
                    "unlicensedAccess": False,
                }
            ]
            for index, (operation, target) in enumerate(space.anonymous, start=2):
                permissions.append({"id": index, "operation": {"operation": operation, "targetType": target}, "anonymousAccess": True, "unlicensedAccess": False})
            body = {
                "id": int(space.id),
                "key": space.key,
                "name": space.name,
                "type": space.type,
                "status": space.status,
                "permissions": permissions,
                "_expandable": {"settings": "", "metadata": "", "operations": "", "lookAndFeel": "", "identifiers": "", "icon": "", "description": "", "theme": "", "history": "", "homepage": ""},
                "_links": {"self": f"{home}/wiki/rest/api/space/{space.key}", "webui": f"/spaces/{space.key}"},
            }
            return "confluence-v1", "/wiki/rest/api/space/{spaceKey}", 200, body
        raise LookupError(path)
