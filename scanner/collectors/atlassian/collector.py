"""The Atlassian Cloud collector: one organization and its Jira / Confluence sites, read-only.

Sources: ``atlassian:org/<org id>`` (the Organizations REST API, with an organization admin API
key) and one ``atlassian:site/<site>`` per site (Jira Cloud platform REST v3 and Confluence,
with an Atlassian account's email + API token). Either credential may be absent: that source
fails with one line naming the variable to set, and the other completes.

Reads: the organization, its verified domains, its accounts (status, last active, product
access) and its policies; per site, the scanning account's own global permissions, the site
admin groups' members, who holds Administer Jira, every project and its permission scheme's
Browse Projects grants, every Confluence space (v2, cursor paged) and its permissions (v1,
anonymous grants). A permission the scanning account lacks makes the affected attributes
Unknown with the permission named; the rest of the site completes and its source is partial.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.collectors.atlassian.client import ADMIN_API_BASE, AtlassianRest, check_url
from scanner.collectors.atlassian.mapping import (
    NOT_EXPOSED_AUTH,
    AuthPolicy,
    Options,
    RawOrg,
    RawSite,
    build_resources,
)
from scanner.collectors.base import CallCounter, Collector, CollectResult, iso
from scanner.errors import AuthError, CollectorError, ConfigError, PermissionDenied
from scanner.inventory.model import Resource, SourceStatus, Unknown

_ORG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,63}$")
_SITE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

ENV_ADMIN_KEY = "ATLASSIAN_ADMIN_API_KEY"
ENV_EMAIL = "ATLASSIAN_EMAIL"
ENV_TOKEN = "ATLASSIAN_API_TOKEN"

# What each read needs, for the one-line messages (docs: README "Atlassian (Jira, Confluence)").
PERMISSIONS = {
    "org": "an organization admin API key for this organization (admin.atlassian.com -> Settings -> API keys; read scopes where the key is scoped)",
    "domains": "an organization admin API key with read access to domains (read:domains:admin)",
    "policies": "an organization admin API key with read access to policies (read:policies:admin)",
    "users": "an organization admin API key with read access to users (read:users:admin)",
    "group": "the Browse users and groups global permission (USER_PICKER) in Jira",
    "administer": "the Administer Jira global permission (ADMINISTER), or site admin, for the scanning account",
    "projects": "Browse Projects on the projects (the scanning account sees only projects it may browse)",
    "spaces": "the Confluence 'Can use' global permission and View on each space",
}


@dataclass(frozen=True)
class _Settings:
    org: str | None
    sites: tuple[str, ...]
    admin_api_base: str
    site_base: str | None
    admin_groups: tuple[str, ...]
    options: Options
    max_retries: int
    retry_backoff: float
    page_size: int


@dataclass
class _Outcome:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    failed: bool = False

    def add(self, message: str, kind: str) -> None:
        if message not in self.errors:
            self.errors.append(message)
        self.kinds.append(kind)

    def status(self) -> str:
        if self.failed:
            return "failed"
        return "partial" if self.errors else "ok"

    def error_kind(self) -> str | None:
        for kind in ("auth", "permission", "api"):
            if kind in self.kinds:
                return kind
        return None


def _string_list(settings: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = settings.get(key) or []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"atlassian.{key} must be a list of strings")
    return tuple(value)


def _auth_policies(value: Any) -> tuple[AuthPolicy, ...] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise ConfigError("atlassian.authentication_policies must be a list of {name, sso_enforced, two_step_enforced, members: [emails], default: true|false}")
    out: list[AuthPolicy] = []
    for index, item in enumerate(value):
        where = f"atlassian.authentication_policies[{index}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item["name"]:
            raise ConfigError(f"{where} must be a mapping with a name")
        unknown = set(item) - {"name", "sso_enforced", "two_step_enforced", "members", "default"}
        if unknown:
            raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (name, sso_enforced, two_step_enforced, members, default)")
        for key in ("sso_enforced", "two_step_enforced", "default"):
            if not isinstance(item.get(key, False), bool):
                raise ConfigError(f"{where}.{key} must be true or false")
        members = item.get("members") or []
        if not isinstance(members, (list, tuple)) or not all(isinstance(m, str) and "@" in m for m in members):
            raise ConfigError(f"{where}.members must be a list of email addresses")
        out.append(
            AuthPolicy(
                item["name"],
                bool(item.get("sso_enforced", False)),
                bool(item.get("two_step_enforced", False)),
                tuple(m.lower() for m in members),
                bool(item.get("default", False)),
            )
        )
    if sum(1 for p in out if p.default) > 1:
        raise ConfigError("atlassian.authentication_policies: only one policy can be the default")
    return tuple(out)


def validate_settings(settings: Mapping[str, Any]) -> _Settings:
    """Check the ``atlassian:`` settings before any network call; one line naming the field."""
    org = settings.get("org")
    if org is not None:
        if not isinstance(org, str) or not _ORG_ID.match(org):
            raise ConfigError("atlassian.org must be the organization id (admin.atlassian.com/o/<id>/...)")
    sites = []
    for site in _string_list(settings, "sites"):
        name = site.lower().removeprefix("https://").split("/", 1)[0].removesuffix(".atlassian.net")
        if not _SITE.match(name):
            raise ConfigError(f"atlassian.sites: {site!r} is not a site name (SITE in SITE.atlassian.net)")
        sites.append(name)
    if not org and not sites:
        raise ConfigError("atlassian: name what to scan: --atlassian-org ORG_ID and/or --atlassian-site SITE")
    admin_base = check_url(settings.get("admin_api_base", ADMIN_API_BASE), "admin_api_base")
    site_base = settings.get("site_base")
    if site_base is not None:
        site_base = check_url(site_base, "site_base")
    groups = _string_list(settings, "admin_groups") or ("site-admins",)
    sso = settings.get("sso_licensed", True)
    if not isinstance(sso, bool):
        raise ConfigError("atlassian.sso_licensed must be true or false")
    retries = settings.get("max_retries", 4)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ConfigError("atlassian.max_retries must be a whole number >= 0")
    backoff = settings.get("retry_backoff", 0.5)
    if not isinstance(backoff, (int, float)) or isinstance(backoff, bool) or backoff < 0:
        raise ConfigError("atlassian.retry_backoff must be a number of seconds >= 0")
    page_size = settings.get("page_size", 50)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= 100:
        raise ConfigError("atlassian.page_size must be 1..100")
    domains = tuple(sorted({d.lower().lstrip("@") for d in _string_list(settings, "domains")}))
    return _Settings(
        org=org,
        sites=tuple(sites),
        admin_api_base=admin_base,
        site_base=site_base,
        admin_groups=groups,
        options=Options(domains, _auth_policies(settings.get("authentication_policies")), sso),
        max_retries=retries,
        retry_backoff=float(backoff),
        page_size=page_size,
    )


class AtlassianCollector(Collector):
    platform = "atlassian"

    def __init__(self, settings: Mapping[str, Any], context: Any) -> None:
        super().__init__(settings, context)
        self._options = validate_settings(settings)

    def _secret(self, name: str) -> str | None:
        value = self.context.environ.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def _session(self, auth: Any, headers: Mapping[str, str]) -> Any:
        import requests

        session = requests.Session()
        session.auth = auth
        session.headers.update({"Accept": "application/json", "User-Agent": "posture-audit", **headers})
        # Redirects could carry the credential to another host; a redirect is an error instead.
        session.max_redirects = 0
        return session

    def _rest(self, session: Any, api: str, base: str, counter: CallCounter, title: str, secrets: list[str | None]) -> AtlassianRest:
        return AtlassianRest(
            session,
            api,
            base,
            counter,
            secrets,
            title=title,
            max_retries=self._options.max_retries,
            backoff=self._options.retry_backoff,
            on_wait=lambda message: self.context.progress.log("atlassian", message),
        )

    def site_url(self, site: str) -> str:
        if self._options.site_base:
            return f"{self._options.site_base}/{site}"
        return f"https://{site}.atlassian.net"

    # --- collect ----------------------------------------------------------------------------

    def collect(self) -> CollectResult:
        clock = self.context.clock
        options = self._options
        admin_key = self._secret(ENV_ADMIN_KEY)
        email = self._secret(ENV_EMAIL)
        token = self._secret(ENV_TOKEN)
        secrets: list[str | None] = [admin_key, token]
        raw = RawOrg(org_id=options.org)
        if not options.org:
            # Without the organization nobody is known to be a managed account: the checks that
            # depend on it ERROR rather than skipping every account.
            raw.users = Unknown("no organization scanned (set --atlassian-org ORG_ID): managed accounts, last activity and authentication policies are unknown")
            raw.domains = raw.users
        statuses: list[SourceStatus] = []

        if options.org:
            counter = CallCounter()
            outcome = _Outcome()
            started = iso(clock())
            identity = "organization admin API key" if admin_key else None
            if not admin_key:
                outcome.add(f"atlassian: no organization admin API key: set {ENV_ADMIN_KEY} (admin.atlassian.com -> Settings -> API keys)", "auth")
                outcome.failed = True
                raw.users = Unknown(f"the organization was not read ({ENV_ADMIN_KEY} not set)")
                raw.domains = raw.users
            else:
                self.context.progress.task("atlassian", f"reading organization {options.org}")
                session = self._session(None, {"Authorization": f"Bearer {admin_key}"})
                rest = self._rest(session, "admin", options.admin_api_base, counter, "Atlassian Organizations API", secrets)
                try:
                    self._read_org(rest, raw, outcome)
                except CollectorError as exc:
                    outcome.add(str(exc), exc.kind)
                    outcome.failed = True
                    reason = f"the organization was not read ({exc})"
                    raw.users = raw.users if isinstance(raw.users, Unknown) else Unknown(reason)
                    raw.domains = raw.domains if isinstance(raw.domains, Unknown) else Unknown(reason)
            outcome.notes.append(f"not exposed by the API: authentication policy settings and members{' (declared in atlassian.authentication_policies)' if options.options.authentication_policies is not None else ''}; organization admins; audit log and data retention")
            statuses.append(self._status(f"atlassian:org/{options.org}", outcome, identity, started, counter))

        for site in options.sites:
            counter = CallCounter()
            outcome = _Outcome()
            started = iso(clock())
            raw_site = RawSite(name=site, url=f"https://{site}.atlassian.net")
            identity = f"API token of {email}" if email and token else None
            if not (email and token):
                missing = " and ".join(n for n, v in ((ENV_EMAIL, email), (ENV_TOKEN, token)) if not v)
                outcome.add(f"atlassian: no site credential for {site}: set {missing} (an API token from id.atlassian.com -> Security -> API tokens)", "auth")
                outcome.failed = True
                raw_site.read = False
                self._site_unknown(raw_site, f"site {site} was not read ({missing} not set)")
            else:
                self.context.progress.task("atlassian", f"reading site {site}")
                session = self._session((email, token), {})
                jira = self._rest(session, "jira", self.site_url(site), counter, f"Jira ({site}.atlassian.net)", secrets)
                wiki = self._rest(session, "confluence", self.site_url(site), counter, f"Confluence ({site}.atlassian.net)", secrets)
                try:
                    self._read_site(jira, wiki, raw_site, outcome)
                except CollectorError as exc:
                    outcome.add(str(exc), exc.kind)
                    outcome.failed = True
                    raw_site.read = False
                    self._site_unknown(raw_site, f"site {site} was not read ({exc})")
            raw.sites.append(raw_site)
            statuses.append(self._status(f"atlassian:site/{site}", outcome, identity, started, counter))

        resources: list[Resource] = build_resources(raw, options.options, clock())
        return CollectResult(tuple(resources), tuple(statuses))

    def _status(self, name: str, outcome: _Outcome, identity: str | None, started: str | None, counter: CallCounter) -> SourceStatus:
        return SourceStatus(
            name,
            "atlassian",
            outcome.status(),  # type: ignore[arg-type]
            errors=tuple(outcome.errors),
            notes=tuple(outcome.notes),
            identity=identity,
            started_at=started,
            finished_at=iso(self.context.clock()),
            api_calls=counter.snapshot(),
            error_kind=outcome.error_kind(),
        )

    @staticmethod
    def _site_unknown(raw_site: RawSite, reason: str) -> None:
        unknown = Unknown(reason)
        raw_site.users = unknown
        raw_site.site_admins = unknown
        raw_site.jira_admins = unknown

    # --- the organization --------------------------------------------------------------------

    def _read_org(self, rest: AtlassianRest, raw: RawOrg, outcome: _Outcome) -> None:
        org = self._options.org
        body = rest.get(f"/v1/orgs/{org}", permission=PERMISSIONS["org"])
        data = body.get("data") if isinstance(body, dict) else None
        raw.name = str((data or {}).get("attributes", {}).get("name") or org)
        raw.read = True
        for part, attribute in (("users", "users"), ("domains", "domains"), ("policies", "policies")):
            try:
                setattr(raw, attribute, list(rest.cursor_pages(f"/v1/orgs/{org}/{part}", permission=PERMISSIONS[part])))
            except PermissionDenied as exc:
                outcome.add(str(exc), exc.kind)
                setattr(raw, attribute, Unknown(str(exc)))
        if self._options.options.authentication_policies is None:
            outcome.notes.append(f"authentication policies: {NOT_EXPOSED_AUTH}")

    # --- one site ----------------------------------------------------------------------------

    def _read_site(self, jira: AtlassianRest, wiki: AtlassianRest, raw_site: RawSite, outcome: _Outcome) -> None:
        size = self._options.page_size
        jira.get("/rest/api/3/myself")  # the credential works on this site (401 is one line here)
        catalogue = jira.get("/rest/api/3/permissions")
        known = set((catalogue.get("permissions") or {}) if isinstance(catalogue, dict) else ())
        if "ADMINISTER" not in known:
            outcome.notes.append("jira: the permission catalogue has no ADMINISTER key; Jira admins read as reported")
        mine = jira.get("/rest/api/3/mypermissions", {"permissions": "ADMINISTER"})
        have = ((mine.get("permissions") or {}).get("ADMINISTER") or {}).get("havePermission") if isinstance(mine, dict) else None
        raw_site.scanner_is_admin = bool(have)
        if not have:
            outcome.notes.append(f"jira: the scanning account lacks {PERMISSIONS['administer']}: permission schemes and Jira admins are Unknown")

        # Every user of the site (apps and people outside the organization's domains too).
        try:
            raw_site.users = list(jira.start_at_pages("/rest/api/3/users/search", page_size=size, permission=PERMISSIONS["group"]))
        except PermissionDenied as exc:
            outcome.add(str(exc), exc.kind)
            raw_site.users = Unknown(str(exc))

        # Site admins: members of the admin groups.
        members: dict[str, dict[str, Any]] = {}
        try:
            for group in self._options.admin_groups:
                for user in jira.start_at_pages("/rest/api/3/group/member", {"groupname": group, "includeInactiveUsers": "false"}, page_size=size, permission=PERMISSIONS["group"]):
                    members[str(user.get("accountId"))] = user
            raw_site.site_admins = list(members.values())
        except PermissionDenied as exc:
            outcome.add(str(exc), exc.kind)
            raw_site.site_admins = Unknown(str(exc))

        # Who holds Administer Jira.
        try:
            raw_site.jira_admins = list(
                jira.start_at_pages("/rest/api/3/user/permission/search", {"permissions": "ADMINISTER"}, page_size=size, permission=PERMISSIONS["administer"])
            )
        except PermissionDenied as exc:
            outcome.add(str(exc), exc.kind)
            raw_site.jira_admins = Unknown(str(exc))

        # Projects and their permission schemes' Browse Projects grants.
        try:
            projects = list(jira.start_at_pages("/rest/api/3/project/search", page_size=size, permission=PERMISSIONS["projects"]))
            raw_site.projects = projects
        except PermissionDenied as exc:
            outcome.add(str(exc), exc.kind)
            raw_site.projects = Unknown(str(exc))
            projects = []
        try:
            body = jira.get("/rest/api/3/permissionscheme", {"expand": "permissions"}, permission=PERMISSIONS["administer"])
            raw_site.schemes = {int(s["id"]): s for s in (body.get("permissionSchemes") or ()) if isinstance(s, dict) and "id" in s}
        except PermissionDenied as exc:
            outcome.add(str(exc), exc.kind)
            raw_site.schemes = Unknown(str(exc))
        if not isinstance(raw_site.schemes, Unknown):
            for project in projects:
                key = str(project.get("key"))
                try:
                    scheme = jira.get(f"/rest/api/3/project/{key}/permissionscheme", permission=PERMISSIONS["administer"])
                    raw_site.project_schemes[key] = int(scheme["id"])
                except PermissionDenied as exc:
                    outcome.add(str(exc), exc.kind)
                    raw_site.project_schemes[key] = Unknown(str(exc))

        # Confluence spaces (v2, cursor paged) and their anonymous grants (v1 expand=permissions).
        try:
            spaces = list(wiki.next_link_pages("/wiki/api/v2/spaces", {"limit": min(size, 250)}, permission=PERMISSIONS["spaces"]))
            raw_site.spaces = spaces
        except PermissionDenied as exc:
            outcome.add(str(exc), exc.kind)
            raw_site.spaces = Unknown(str(exc))
            spaces = []
        for space in spaces:
            key = str(space.get("key"))
            try:
                detail = wiki.get(f"/wiki/rest/api/space/{key}", {"expand": "permissions"}, permission=f"View on space {key} (or Confluence admin)")
                raw_site.space_permissions[key] = [p for p in (detail.get("permissions") or ()) if isinstance(p, dict)]
            except PermissionDenied as exc:
                outcome.add(str(exc), exc.kind)
                raw_site.space_permissions[key] = Unknown(str(exc))
