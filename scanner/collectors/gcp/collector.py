"""The Google Cloud collector: one organization, folders, or projects, read-only.

Sources: ``gcp:organizations/<id>``, ``gcp:folders/<id>`` or one ``gcp:projects/<id>`` per
project. Each source is read by Cloud Asset Inventory where granted (``searchAllResources`` and
``searchAllIamPolicies`` at the scope: every project, service account, key, bucket, provider and
IAM policy in a handful of paged calls), else by walking Resource Manager (folders, projects,
``getIamPolicy`` at each level) plus IAM and Cloud Storage per project. Which path ran is on the
organization resource (``read_path``) and in the source's notes. Organization policy constraints
(effective), essential contacts and audit log configuration are read on both paths.

One project that fails (deleted mid-scan, permission missing) is one error line naming it; the
other projects complete and the source is ``partial``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from scanner.collectors.base import CallCounter, Collector, CollectResult, iso
from scanner.collectors.gcp.client import (
    SCOPES,
    GcpRest,
    GoogleApiError,
    endpoints_from,
    scrub,
)
from scanner.collectors.gcp.mapping import (
    CONSTRAINTS,
    EnvironmentConvention,
    Options,
    RawScope,
    build_resources,
)
from scanner.errors import AuthError, CollectorError, ConfigError
from scanner.inventory.model import Resource, SourceStatus, Unknown

_ORG_ID = re.compile(r"^\d{1,20}$")
_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_SA_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.gserviceaccount\.com$")

ASSET_TYPES = (
    "cloudresourcemanager.googleapis.com/Project",
    "cloudresourcemanager.googleapis.com/Folder",
    "iam.googleapis.com/ServiceAccount",
    "iam.googleapis.com/ServiceAccountKey",
    "storage.googleapis.com/Bucket",
    "iam.googleapis.com/WorkloadIdentityPoolProvider",
)
# versionedResources carry the resource as its own API returns it (key type and age, bucket
# iamConfiguration, provider attributeCondition): no per-item call needed.
_READ_MASK = "name,assetType,project,displayName,parentFullResourceName,folders,organization,labels,state,additionalAttributes,versionedResources,createTime"

# The permission each read needs, for messages (granted by the roles in deploy/gcp/).
PERMISSIONS = {
    "searchAllResources": "cloudasset.assets.searchAllResources (roles/cloudasset.viewer)",
    "searchAllIamPolicies": "cloudasset.assets.searchAllIamPolicies (roles/cloudasset.viewer)",
    "getIamPolicy": "resourcemanager.projects.getIamPolicy (roles/iam.securityReviewer)",
    "orgpolicy": "orgpolicy.policy.get (roles/orgpolicy.policyViewer)",
    "contacts": "essentialcontacts.contacts.list (roles/essentialcontacts.viewer)",
    "serviceAccounts": "iam.serviceAccounts.list (roles/iam.serviceAccountViewer)",
    "keys": "iam.serviceAccountKeys.list (roles/iam.securityReviewer)",
    "providers": "iam.workloadIdentityPoolProviders.list (roles/iam.workloadIdentityPoolViewer)",
    "buckets": "storage.buckets.list + storage.buckets.getIamPolicy (posture custom role, deploy/gcp/)",
    "folders": "resourcemanager.folders.list (roles/browser)",
    "projects": "resourcemanager.projects.list (roles/browser)",
}


@dataclass(frozen=True)
class _Settings:
    organization: str | None
    folders: tuple[str, ...]
    projects: tuple[str, ...]
    impersonate: str | None
    roots: Mapping[str, str]
    credential: Any
    quota_project: str | None
    options: Options
    use_asset: bool
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
        raise ConfigError(f"gcp.{key} must be a list of strings")
    return tuple(value)


def validate_settings(settings: Mapping[str, Any]) -> _Settings:
    """Check the ``gcp:`` settings before any network call; one line naming the field."""
    org = settings.get("organization")
    if org is not None:
        org = str(org).removeprefix("organizations/")
        if not _ORG_ID.match(org):
            raise ConfigError(f"gcp.organization must be a numeric organization id (gcloud organizations list), not {org!r}")
    folders = tuple(f.removeprefix("folders/") for f in _string_list(settings, "folders"))
    for folder in folders:
        if not _ORG_ID.match(folder):
            raise ConfigError(f"gcp.folders: {folder!r} is not a numeric folder id")
    projects = tuple(p.removeprefix("projects/") for p in _string_list(settings, "projects"))
    for project in projects:
        if not _PROJECT_ID.match(project):
            raise ConfigError(f"gcp.projects: {project!r} is not a project id (6-30 lower-case letters, digits, hyphens)")
    if not (org or folders or projects):
        raise ConfigError("gcp: name what to scan: --gcp-organization ORG_ID, --gcp-folders or --gcp-projects")
    impersonate = settings.get("impersonate")
    if impersonate is not None and (not isinstance(impersonate, str) or not _SA_EMAIL.match(impersonate)):
        raise ConfigError("gcp.impersonate must be a service account email (name@project.iam.gserviceaccount.com)")
    credential = settings.get("credential")
    if credential is not None and not hasattr(credential, "before_request"):
        raise ConfigError("gcp.credential must be a google.auth credentials object")
    domains = tuple(d.lower().lstrip("@") for d in _string_list(settings, "domains"))
    env = settings.get("environments") or {}
    if not isinstance(env, Mapping):
        raise ConfigError("gcp.environments must be a mapping (label, production_values, production_folders, ...)")
    convention_fields: dict[str, Any] = {}
    for key in ("production_values", "nonproduction_values", "production_folders", "nonproduction_folders"):
        if key in env:
            convention_fields[key] = tuple(v.lower() for v in _string_list(env, key))
    if "label" in env:
        if not isinstance(env["label"], str) or not env["label"]:
            raise ConfigError("gcp.environments.label must be a label key, e.g. environment")
        convention_fields["label"] = env["label"]
    forbid = settings.get("forbid_user_managed_keys", False)
    if not isinstance(forbid, bool):
        raise ConfigError("gcp.forbid_user_managed_keys must be true or false")
    use_asset = settings.get("cloud_asset", True)
    if not isinstance(use_asset, bool):
        raise ConfigError("gcp.cloud_asset must be true or false")
    retries = settings.get("max_retries", 4)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ConfigError("gcp.max_retries must be a whole number >= 0")
    backoff = settings.get("retry_backoff", 0.5)
    if not isinstance(backoff, (int, float)) or isinstance(backoff, bool) or backoff < 0:
        raise ConfigError("gcp.retry_backoff must be a number of seconds >= 0")
    page_size = settings.get("page_size", 500)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= 500:
        raise ConfigError("gcp.page_size must be 1..500")
    quota = settings.get("quota_project")
    if quota is not None and not isinstance(quota, str):
        raise ConfigError("gcp.quota_project must be a project id")
    return _Settings(
        organization=org,
        folders=folders,
        projects=projects,
        impersonate=impersonate,
        roots=endpoints_from(settings),
        credential=credential,
        quota_project=quota,
        options=Options(domains, EnvironmentConvention(**convention_fields), forbid),
        use_asset=use_asset,
        max_retries=retries,
        retry_backoff=float(backoff),
        page_size=page_size,
    )


def make_credentials(options: _Settings) -> tuple[Any, str]:
    """The credential and a description of who it speaks for (never a secret)."""
    credential = options.credential
    identity = "access token"
    if credential is None:
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            credential, _project = google.auth.default(scopes=list(SCOPES), quota_project_id=options.quota_project)
        except DefaultCredentialsError as exc:
            raise AuthError(
                "gcp: no Google credentials found (Application Default Credentials): run `gcloud auth application-default login`, "
                "set GOOGLE_APPLICATION_CREDENTIALS to a service-account key or Workload Identity Federation config, or run on Google Cloud"
                f" ({scrub(str(exc)).splitlines()[0][:160]})"
            ) from None
        identity = "application default credentials"
    email = getattr(credential, "service_account_email", None)
    if isinstance(email, str) and "@" in email:
        identity = f"service account {email}"
    if options.impersonate:
        from google.auth import impersonated_credentials

        kwargs: dict[str, Any] = {}
        if "iamcredentials" in options.roots and not options.roots["iamcredentials"].startswith("https://iamcredentials.googleapis.com"):
            kwargs["iam_endpoint_override"] = (
                f"{options.roots['iamcredentials']}v1/projects/-/serviceAccounts/{options.impersonate}:generateAccessToken"
            )
        credential = impersonated_credentials.Credentials(
            source_credentials=credential, target_principal=options.impersonate, target_scopes=list(SCOPES), lifetime=3600, **kwargs
        )
        identity = f"service account {options.impersonate} (impersonated by {identity})"
    return credential, identity


class GcpCollector(Collector):
    platform = "gcp"

    def __init__(self, settings: Mapping[str, Any], context: Any) -> None:
        super().__init__(settings, context)
        self._options = validate_settings(settings)
        self.session_factory: Callable[[Any], Any] | None = None

    def _session(self, credential: Any) -> Any:
        if self.session_factory is not None:
            return self.session_factory(credential)
        from google.auth.transport.requests import AuthorizedSession

        return AuthorizedSession(credential)

    def _rest(self, session: Any, counter: CallCounter) -> GcpRest:
        return GcpRest(
            session,
            self._options.roots,
            counter,
            max_retries=self._options.max_retries,
            backoff=self._options.retry_backoff,
            on_wait=lambda message: self.context.progress.log("gcp", message),
        )

    def scopes(self) -> list[str]:
        options = self._options
        if options.organization:
            return [f"organizations/{options.organization}"]
        return [f"folders/{f}" for f in options.folders] + [f"projects/{p}" for p in options.projects]

    # --- collect ---------------------------------------------------------------------------

    def collect(self) -> CollectResult:
        clock = self.context.clock
        started = iso(clock())
        try:
            credential, identity = make_credentials(self._options)
        except AuthError as exc:
            failed = tuple(
                SourceStatus(f"gcp:{scope}", "gcp", "failed", errors=(str(exc),), started_at=started, finished_at=iso(clock()), error_kind="auth")
                for scope in self.scopes()
            )
            return CollectResult((), failed)
        session = self._session(credential)
        resources: list[Resource] = []
        statuses: list[SourceStatus] = []
        for scope in self.scopes():
            counter = CallCounter()
            rest = self._rest(session, counter)
            outcome = _Outcome()
            source_started = iso(clock())
            self.context.progress.task("gcp", f"reading {scope}")
            try:
                raw = self._read_scope(rest, scope, outcome)
                resources.extend(build_resources(raw, self._options.options, clock()))
            except CollectorError as exc:
                outcome.add(str(exc), exc.kind)
                outcome.failed = True
            statuses.append(
                SourceStatus(
                    f"gcp:{scope}",
                    "gcp",
                    outcome.status(),  # type: ignore[arg-type]
                    errors=tuple(outcome.errors),
                    notes=tuple(outcome.notes),
                    identity=identity,
                    started_at=source_started,
                    finished_at=iso(clock()),
                    api_calls=counter.snapshot(),
                    error_kind=outcome.error_kind(),
                )
            )
        return CollectResult(tuple(resources), tuple(statuses))

    # --- one scope -------------------------------------------------------------------------

    def _read_scope(self, rest: GcpRest, scope: str, outcome: _Outcome) -> RawScope:
        raw = RawScope(scope=scope)
        kind, _, ident = scope.partition("/")
        if kind == "organizations":
            raw.organization = self._get_container(rest, scope, "organization")
        elif kind == "folders":
            folder = self._get_container(rest, scope, "folder")
            raw.folders[scope] = {"displayName": folder.get("displayName"), "parent": folder.get("parent")}
        else:
            self._add_project(raw, self._get_container(rest, scope, "project"))
        asset_denied: str | None = None
        if self._options.use_asset:
            try:
                self._read_by_asset(rest, raw)
            except GoogleApiError as exc:
                if not (exc.denied or exc.not_found):
                    raise
                asset_denied = (
                    f"the Cloud Asset API is disabled for the caller's quota project"
                    if exc.service_disabled
                    else f"{PERMISSIONS['searchAllIamPolicies']} not granted on {scope}"
                )
                raw = RawScope(
                    scope=scope,
                    organization=raw.organization,
                    folders={k: v for k, v in raw.folders.items() if k == scope},
                    projects={k: v for k, v in raw.projects.items() if f"projects/{k}" == scope},
                )
        if not self._options.use_asset or asset_denied:
            raw.read_path = "resource_manager"
            why = f" ({asset_denied})" if asset_denied else " (gcp.cloud_asset is false)"
            outcome.notes.append(f"read path: Resource Manager + IAM per project{why}; grant roles/cloudasset.viewer at {scope} for the few-request path")
            self._read_by_walk(rest, raw, outcome)
        else:
            outcome.notes.append(f"read path: Cloud Asset Inventory at {scope}")
        self._read_org_policies(rest, raw, outcome)
        if kind == "organizations":
            self._read_contacts(rest, raw, outcome)
        return raw

    def _get_container(self, rest: GcpRest, scope: str, what: str) -> dict[str, Any]:
        try:
            return rest.call("cloudresourcemanager", "GET", f"v3/{scope}")
        except GoogleApiError as exc:
            if exc.denied or exc.not_found:
                raise GoogleApiError(
                    f"gcp: {what} {scope} is not visible to this identity or no longer exists (Cloud Resource Manager answered {exc.google.status or exc.google.http}); "
                    f"check the id and grant roles/browser (resourcemanager.{what}s.get) on it",
                    exc.google,
                    exc.api,
                ) from None
            raise

    # Cloud Asset path --------------------------------------------------------------------------

    def _read_by_asset(self, rest: GcpRest, raw: RawScope) -> None:
        scope = raw.scope
        results = list(
            rest.pages(
                "cloudasset",
                f"v1/{scope}:searchAllResources",
                "results",
                {"assetTypes": list(ASSET_TYPES), "readMask": _READ_MASK},
                page_size=self._options.page_size,
            )
        )
        policies = list(rest.pages("cloudasset", f"v1/{scope}:searchAllIamPolicies", "results", {}, page_size=self._options.page_size))
        accounts: dict[str, dict[str, Any]] = {}
        keys: list[tuple[str, dict[str, Any]]] = []
        buckets: list[dict[str, Any]] = []
        providers: list[dict[str, Any]] = []
        for result in results:
            asset_type = result.get("assetType")
            name = str(result.get("name") or "")
            data = _versioned(result)
            extra = result.get("additionalAttributes") or {}
            if asset_type == "cloudresourcemanager.googleapis.com/Project":
                project_id = str(extra.get("projectId") or data.get("projectId") or name.rsplit("/", 1)[-1])
                number = str(result.get("project") or "").removeprefix("projects/") or str(data.get("projectNumber") or "")
                parent = _parent_of(result, data)
                raw.projects[project_id] = {
                    "projectId": project_id,
                    "number": number,
                    "state": str(result.get("state") or data.get("lifecycleState") or "ACTIVE"),
                    "labels": result.get("labels") or data.get("labels") or {},
                    "parent": parent,
                }
            elif asset_type == "cloudresourcemanager.googleapis.com/Folder":
                folder = name.split("cloudresourcemanager.googleapis.com/", 1)[-1]
                raw.folders[folder] = {"displayName": result.get("displayName") or data.get("displayName"), "parent": _parent_of(result, data)}
            elif asset_type == "iam.googleapis.com/ServiceAccount":
                email = str(data.get("email") or extra.get("email") or result.get("displayName") or "")
                project_id = str(data.get("projectId") or name.split("/projects/", 1)[-1].split("/", 1)[0])
                accounts[name] = {"email": email, "projectId": project_id, "disabled": bool(data.get("disabled")), "keys": []}
            elif asset_type == "iam.googleapis.com/ServiceAccountKey":
                keys.append((str(result.get("parentFullResourceName") or name.rsplit("/keys/", 1)[0]), data or {"keyType": "USER_MANAGED", "validAfterTime": result.get("createTime")}))
            elif asset_type == "storage.googleapis.com/Bucket":
                project_id = raw.project_id_for(str(result.get("project") or "").removeprefix("projects/"))
                buckets.append(
                    {
                        "name": data.get("name") or name.rsplit("/", 1)[-1],
                        "projectId": project_id,
                        "labels": result.get("labels") or data.get("labels") or {},
                        "iamConfiguration": data.get("iamConfiguration") or {},
                    }
                )
            elif asset_type == "iam.googleapis.com/WorkloadIdentityPoolProvider":
                provider = dict(data)
                provider["name"] = data.get("name") or name.split("iam.googleapis.com/", 1)[-1]
                providers.append(provider)
        for parent, key in keys:
            if parent in accounts:
                accounts[parent]["keys"].append(key)
        raw.service_accounts = list(accounts.values())
        # Bucket project numbers resolve once every project is known (results are not ordered).
        for bucket in buckets:
            bucket["projectId"] = raw.project_id_for(str(bucket["projectId"]))
        raw.buckets = buckets
        raw.providers = providers
        by_unique = {name: a["email"] for name, a in accounts.items()}
        for result in policies:
            canonical = self._canonical(raw, str(result.get("resource") or ""), by_unique)
            if canonical:
                raw.policies[canonical] = result.get("policy") or {}

    @staticmethod
    def _canonical(raw: RawScope, full_name: str, accounts: Mapping[str, str]) -> str | None:
        """``//cloudresourcemanager.googleapis.com/projects/123`` -> ``projects/<project id>``."""
        if full_name.startswith("//cloudresourcemanager.googleapis.com/"):
            rest = full_name.removeprefix("//cloudresourcemanager.googleapis.com/")
            if rest.startswith("projects/"):
                return f"projects/{raw.project_id_for(rest.split('/', 1)[1])}"
            return rest
        if full_name.startswith("//storage.googleapis.com/"):
            return f"buckets/{full_name.removeprefix('//storage.googleapis.com/').split('/', 1)[0]}"
        if full_name in accounts:
            return f"serviceAccounts/{accounts[full_name]}"
        if full_name.startswith("//iam.googleapis.com/") and "/serviceAccounts/" in full_name:
            return f"serviceAccounts/{full_name.rsplit('/', 1)[-1]}"
        return None

    # Resource Manager fallback -------------------------------------------------------------------

    def _read_by_walk(self, rest: GcpRest, raw: RawScope, outcome: _Outcome) -> None:
        scope = raw.scope
        containers = [scope] if not scope.startswith("projects/") else []
        if scope.startswith("projects/") and not raw.projects:
            self._add_project(raw, self._get_container(rest, scope, "project"))
        index = 0
        while index < len(containers):
            parent = containers[index]
            index += 1
            try:
                for folder in rest.pages("cloudresourcemanager", "v3/folders", "folders", {"parent": parent}):
                    name = str(folder.get("name"))
                    raw.folders[name] = {"displayName": folder.get("displayName"), "parent": folder.get("parent")}
                    containers.append(name)
                for project in rest.pages("cloudresourcemanager", "v3/projects", "projects", {"parent": parent}):
                    self._add_project(raw, project)
            except GoogleApiError as exc:
                if not exc.denied:
                    raise
                outcome.add(f"gcp: cannot list folders/projects under {parent}: {PERMISSIONS['projects']} missing", "permission")
        targets = containers + [f"projects/{p}" for p in sorted(raw.projects)]
        with ThreadPoolExecutor(max_workers=max(1, self.context.concurrency)) as pool:
            for target, result in zip(targets, pool.map(lambda t: self._policy(rest, t), targets)):
                if isinstance(result, Unknown):
                    raw.policy_unknown[target] = result.reason
                    outcome.add(result.reason, "permission" if "denied" in result.reason or "grant" in result.reason else "api")
                else:
                    raw.policies[target] = result
            project_parts = list(pool.map(lambda p: self._project_parts(rest, p), sorted(raw.projects)))
        accounts: list[dict[str, Any]] = []
        buckets: list[dict[str, Any]] = []
        providers: list[dict[str, Any]] = []
        for project_id, (sa, bk, pv, errors) in zip(sorted(raw.projects), project_parts):
            accounts.extend(sa)
            buckets.extend(bk)
            providers.extend(pv)
            for message, kind in errors:
                outcome.add(message, kind)
        raw.service_accounts = accounts
        raw.buckets = buckets
        raw.providers = providers
        for account in accounts:
            policy = account.pop("iam", None)
            canonical = f"serviceAccounts/{account['email']}"
            if isinstance(policy, Unknown):
                raw.policy_unknown[canonical] = policy.reason
            elif policy and policy.get("bindings"):
                raw.policies[canonical] = policy
        for bucket in buckets:
            policy = bucket.pop("iam", None)
            canonical = f"buckets/{bucket['name']}"
            if isinstance(policy, Unknown):
                raw.policy_unknown[canonical] = policy.reason
            elif policy is not None:
                raw.policies[canonical] = policy

    @staticmethod
    def _add_project(raw: RawScope, project: Mapping[str, Any]) -> None:
        project_id = str(project.get("projectId"))
        raw.projects[project_id] = {
            "projectId": project_id,
            "number": str(project.get("name") or "").removeprefix("projects/"),
            "state": str(project.get("state") or "ACTIVE"),
            "labels": project.get("labels") or {},
            "parent": project.get("parent"),
        }

    def _policy(self, rest: GcpRest, target: str) -> dict[str, Any] | Unknown:
        try:
            return rest.get_iam_policy("cloudresourcemanager", f"v3/{target}:getIamPolicy")
        except GoogleApiError as exc:
            return Unknown(self._part_error(exc, target, "getIamPolicy"))

    @staticmethod
    def _part_error(exc: GoogleApiError, target: str, part: str) -> str:
        if exc.service_disabled:
            return str(exc)
        if exc.not_found:
            return f"gcp: {target} not found ({exc.api}: {part}); deleted during the scan?"
        if exc.denied:
            return f"gcp: {target}: permission denied ({PERMISSIONS.get(part, part)})"
        return str(exc)

    def _project_parts(
        self, rest: GcpRest, project_id: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, str]]]:
        errors: list[tuple[str, str]] = []
        target = f"projects/{project_id}"

        def note(exc: GoogleApiError, part: str) -> None:
            errors.append((self._part_error(exc, target, part), exc.kind))

        accounts: list[dict[str, Any]] = []
        try:
            for account in rest.pages("iam", f"v1/{target}/serviceAccounts", "accounts", page_size=100):
                entry: dict[str, Any] = {
                    "email": account.get("email"),
                    "projectId": account.get("projectId") or project_id,
                    "disabled": bool(account.get("disabled")),
                }
                try:
                    # Who may act as the service account (Service Account User, Token Creator).
                    entry["iam"] = rest.get_iam_policy("iam", f"v1/{account.get('name')}:getIamPolicy")
                except GoogleApiError as exc:
                    entry["iam"] = Unknown(self._part_error(exc, f"service account {account.get('email')}", "getIamPolicy"))
                    note(exc, "getIamPolicy")
                try:
                    body = rest.call("iam", "GET", f"v1/{account.get('name')}/keys", {"keyTypes": "USER_MANAGED"})
                    entry["keys"] = list(body.get("keys") or [])
                except GoogleApiError as exc:
                    entry["keys"] = Unknown(self._part_error(exc, target, "keys"))
                    note(exc, "keys")
                accounts.append(entry)
        except GoogleApiError as exc:
            note(exc, "serviceAccounts")
        buckets: list[dict[str, Any]] = []
        try:
            for bucket in rest.pages("storage", "storage/v1/b", "items", {"project": project_id}):
                item: dict[str, Any] = {
                    "name": bucket.get("name"),
                    "projectId": project_id,
                    "labels": bucket.get("labels") or {},
                    "iamConfiguration": bucket.get("iamConfiguration") or {},
                }
                try:
                    item["iam"] = rest.call("storage", "GET", f"storage/v1/b/{bucket.get('name')}/iam")
                except GoogleApiError as exc:
                    item["iam"] = Unknown(self._part_error(exc, f"bucket {bucket.get('name')}", "buckets"))
                    note(exc, "buckets")
                buckets.append(item)
        except GoogleApiError as exc:
            note(exc, "buckets")
        providers: list[dict[str, Any]] = []
        try:
            for pool in rest.pages("iam", f"v1/{target}/locations/global/workloadIdentityPools", "workloadIdentityPools"):
                for provider in rest.pages("iam", f"v1/{pool.get('name')}/providers", "workloadIdentityPoolProviders"):
                    providers.append(provider)
        except GoogleApiError as exc:
            note(exc, "providers")
        return accounts, buckets, providers, errors

    # Both paths --------------------------------------------------------------------------------

    def _read_org_policies(self, rest: GcpRest, raw: RawScope, outcome: _Outcome) -> None:
        targets = [raw.scope]
        for target in targets:
            values: dict[str, bool | Unknown] = {}
            for constraint in CONSTRAINTS:
                try:
                    policy = rest.call("orgpolicy", "GET", f"v2/{target}/policies/{constraint}:getEffectivePolicy")
                    values[constraint] = _enforced(policy, list_constraint=constraint == "iam.allowedPolicyMemberDomains")
                except GoogleApiError as exc:
                    message = self._part_error(exc, target, "orgpolicy")
                    outcome.add(message, exc.kind)
                    if exc.service_disabled or exc.denied:
                        # The same answer for every constraint: one line, no more calls.
                        for rest_constraint in CONSTRAINTS:
                            values.setdefault(rest_constraint, Unknown(message))
                        break
                    values[constraint] = Unknown(message)
            raw.constraints[target] = values

    def _read_contacts(self, rest: GcpRest, raw: RawScope, outcome: _Outcome) -> None:
        try:
            raw.contacts = list(rest.pages("essentialcontacts", f"v1/{raw.scope}/contacts", "contacts"))
        except GoogleApiError as exc:
            message = self._part_error(exc, raw.scope, "contacts")
            raw.contacts = Unknown(message)
            outcome.add(message, exc.kind)


def _versioned(result: Mapping[str, Any]) -> dict[str, Any]:
    for version in result.get("versionedResources") or ():
        resource = version.get("resource") if isinstance(version, dict) else None
        if isinstance(resource, dict):
            return resource
    return {}


def _parent_of(result: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    parent = str(result.get("parentFullResourceName") or "")
    if parent.startswith("//cloudresourcemanager.googleapis.com/"):
        return parent.removeprefix("//cloudresourcemanager.googleapis.com/")
    value = data.get("parent")
    if isinstance(value, dict) and value.get("type") and value.get("id"):
        return f"{value['type']}s/{value['id']}"
    return value if isinstance(value, str) else None


def _enforced(policy: Mapping[str, Any], *, list_constraint: bool) -> bool:
    """Whether an effective org policy is in force: a boolean constraint's unconditional rule
    enforces; a list constraint restricts values (allowed values and no allow-all)."""
    spec = policy.get("spec") or {}
    rules = [r for r in spec.get("rules") or () if not r.get("condition")]
    if list_constraint:
        if any(r.get("allowAll") for r in rules):
            return False
        return any((r.get("values") or {}).get("allowedValues") or r.get("denyAll") for r in rules)
    return any(r.get("enforce") is True for r in rules)
