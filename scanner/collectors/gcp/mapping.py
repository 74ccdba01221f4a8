"""Turn what the collector read (either path) into ``gcp.*`` resources.

Both read paths (Cloud Asset Inventory, or Resource Manager + IAM) fill the same ``RawScope``;
this module knows nothing of HTTP. What could not be read is ``Unknown`` with the reason, and
every attribute derived from it stays Unknown (a False derived from missing data would PASS).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from scanner.inventory.model import Resource, Unknown

CONSTRAINTS = (
    "iam.allowedPolicyMemberDomains",
    "iam.disableServiceAccountKeyCreation",
    "storage.uniformBucketLevelAccess",
    "storage.publicAccessPrevention",
)
CONTACT_CATEGORIES = ("LEGAL", "SECURITY", "SUSPENSION", "TECHNICAL", "TECHNICAL_INCIDENTS")
PERSONAL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
BASIC_WRITE = frozenset({"roles/owner", "roles/editor"})
SA_ADMIN = "roles/iam.serviceAccountAdmin"
SA_USER = "roles/iam.serviceAccountUser"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"

# A role whose last segment says it only reads. Anything else (custom roles included) is
# treated as able to write: a wrong "read-only" would hide a separation problem.
_READ_ONLY = re.compile(r"(?i)(viewer|reader|browser|reviewer|getter|lister)$")
_ADMIN = re.compile(r"(admin)$", re.IGNORECASE)
_DEFAULT_COMPUTE = re.compile(r"^\d+-compute@developer\.gserviceaccount\.com$")
_PINS_REPOSITORY = re.compile(r"\b(assertion|attribute)\.(repository|repository_id)\s*(==|in\b)")
_PINS_REF = re.compile(r"\b(assertion|attribute)\.(ref|environment|job_workflow_ref)\s*(==|in\b|\.startsWith)")


@dataclass(frozen=True)
class EnvironmentConvention:
    """How projects are told apart: a label, else the names of the folders above them."""

    label: str = "environment"
    production_values: tuple[str, ...] = ("production", "prod")
    nonproduction_values: tuple[str, ...] = ("development", "dev", "staging", "stage", "test", "testing", "qa", "sandbox", "nonprod", "non-production")
    production_folders: tuple[str, ...] = ("production", "prod")
    nonproduction_folders: tuple[str, ...] = ("development", "dev", "staging", "test", "sandbox", "non-production", "nonprod")

    def classify(self, labels: Mapping[str, str], folder_names: Iterable[str]) -> str:
        value = str(labels.get(self.label, "")).lower()
        if value in self.production_values:
            return "production"
        if value and value in self.nonproduction_values:
            return "non-production"
        for name in folder_names:
            lowered = name.lower()
            if lowered in self.production_folders:
                return "production"
            if lowered in self.nonproduction_folders:
                return "non-production"
        return "unclassified"


@dataclass
class RawScope:
    """Everything read for one source (an organization, a folder, or one project)."""

    scope: str  # organizations/123, folders/456, projects/my-project
    read_path: str = "cloud_asset"
    organization: dict[str, Any] | None = None
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)  # folders/1 -> {displayName, parent}
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)  # project id -> {projectId, number, state, labels, parent}
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # canonical resource -> IAM policy
    policy_unknown: dict[str, str] = field(default_factory=dict)  # canonical resource -> reason
    policies_unknown: str | None = None  # no IAM policy could be read at all
    service_accounts: list[dict[str, Any]] | Unknown = field(default_factory=list)
    buckets: list[dict[str, Any]] | Unknown = field(default_factory=list)
    providers: list[dict[str, Any]] | Unknown = field(default_factory=list)
    constraints: dict[str, dict[str, bool | Unknown]] = field(default_factory=dict)  # resource -> constraint -> enforced
    contacts: list[dict[str, Any]] | Unknown | None = None

    def project_id_for(self, number_or_id: str) -> str:
        for project_id, project in self.projects.items():
            if str(project.get("number")) == number_or_id:
                return project_id
        return number_or_id


def member_parts(member: str) -> tuple[str, str | None, str | None]:
    """(type, email, domain) of an IAM member string."""
    if member in ("allUsers", "allAuthenticatedUsers"):
        return member, None, None
    if member.startswith("deleted:"):
        return "deleted", None, None
    kind, _, rest = member.partition(":")
    if kind in ("user", "group", "serviceAccount"):
        email = rest.split("?", 1)[0].lower()
        return kind, email, email.rpartition("@")[2] or None
    if kind == "domain":
        return "domain", None, rest.lower()
    if member.startswith("principalSet://"):
        return "principalSet", None, None
    if member.startswith("principal://"):
        return "principal", None, None
    return "other", None, None


def in_domains(domain: str, domains: Iterable[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


def is_write_role(role: str) -> bool:
    return not _READ_ONLY.search(role.rsplit("/", 1)[-1])


def is_privileged_role(role: str) -> bool:
    return role in BASIC_WRITE or bool(_ADMIN.search(role.rsplit("/", 1)[-1]))


def _has_data_access_all_services(configs: Iterable[Mapping[str, Any]]) -> tuple[bool, list[str]]:
    types: set[str] = set()
    exempted: list[str] = []
    for config in configs:
        if config.get("service") != "allServices":
            continue
        for log in config.get("auditLogConfigs") or ():
            types.add(str(log.get("logType")))
            exempted.extend(str(m) for m in log.get("exemptedMembers") or ())
    return {"DATA_READ", "DATA_WRITE"} <= types, sorted(set(exempted))


def _days(value: str | None, now: datetime) -> int | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0, (now - when).days)


@dataclass(frozen=True)
class Options:
    domains: tuple[str, ...]
    convention: EnvironmentConvention
    forbid_user_managed_keys: bool


class _Builder:
    def __init__(self, raw: RawScope, options: Options, now: datetime) -> None:
        self.raw = raw
        self.options = options
        self.now = now
        self.source = f"gcp:{raw.scope}"
        org = raw.organization or {}
        org_domain = str(org.get("displayName") or "").lower() or None
        self.domains = tuple(d.lower() for d in options.domains) or ((org_domain,) if org_domain else ())

    # --- hierarchy ---------------------------------------------------------------------------

    def folder_chain(self, parent: str | None) -> list[str]:
        """Folder names above a resource, nearest first (cycles cut)."""
        names: list[str] = []
        seen: set[str] = set()
        while parent and parent.startswith("folders/") and parent not in seen:
            seen.add(parent)
            folder = self.raw.folders.get(parent) or {}
            names.append(str(folder.get("displayName") or parent))
            parent = folder.get("parent")
        return names

    def ancestors(self, parent: str | None) -> list[str]:
        """Canonical names of the folders and organization above, nearest first."""
        chain: list[str] = []
        seen: set[str] = set()
        while parent and parent not in seen:
            seen.add(parent)
            chain.append(parent)
            parent = (self.raw.folders.get(parent) or {}).get("parent") if parent.startswith("folders/") else None
        return chain

    def environment_of(self, resource: str) -> str:
        if resource.startswith("projects/"):
            project = self.raw.projects.get(resource.split("/", 1)[1])
            if project is None:
                return "unclassified"
            return self.options.convention.classify(project.get("labels") or {}, self.folder_chain(project.get("parent")))
        if resource.startswith("folders/"):
            folder = self.raw.folders.get(resource) or {}
            return self.options.convention.classify({}, [str(folder.get("displayName") or "")] + self.folder_chain(folder.get("parent")))
        if resource.startswith("organizations/"):
            return "mixed"
        return "unclassified"

    # --- resources -----------------------------------------------------------------------------

    def build(self) -> list[Resource]:
        resources: list[Resource] = []
        if self.raw.organization is not None:
            resources.append(self.organization())
        resources.extend(self.project(pid, p) for pid, p in sorted(self.raw.projects.items()))
        bindings = self.bindings()
        resources.extend(bindings)
        principals = self.principals(bindings)
        resources.extend(principals.values())
        resources.extend(self.service_accounts(principals))
        resources.extend(self.buckets())
        resources.extend(self.providers())
        return resources

    def _constraint(self, resource: str, constraint: str) -> bool | Unknown:
        values = self.raw.constraints.get(resource)
        if values is None:
            return Unknown(f"organization policy {constraint} not read for {resource}")
        return values.get(constraint, Unknown(f"organization policy {constraint} not read for {resource}"))

    def organization(self) -> Resource:
        org = self.raw.organization or {}
        name = str(org.get("name"))
        policy = self.raw.policies.get(name)
        if policy is None:
            reason = self.raw.policy_unknown.get(name) or self.raw.policies_unknown or f"IAM policy of {name} not read"
            data_access: bool | Unknown = Unknown(reason)
            exempted: list[str] | Unknown = Unknown(reason)
        else:
            data_access, exempted = _has_data_access_all_services(policy.get("auditConfigs") or ())
        contacts = self.raw.contacts
        categories: list[str] | Unknown
        missing: list[str] | Unknown
        if contacts is None:
            categories = missing = Unknown("essential contacts not read")
        elif isinstance(contacts, Unknown):
            categories = missing = contacts
        else:
            covered = sorted({str(c) for contact in contacts for c in contact.get("notificationCategorySubscriptions") or ()})
            categories = covered
            missing = [] if "ALL" in covered else [c for c in CONTACT_CATEGORIES if c not in covered]
        attributes: dict[str, Any] = {
            "organization_id": name.split("/", 1)[1],
            "domain": org.get("displayName"),
            "company_domains": list(self.domains),
            "domain_restricted_sharing_enforced": self._constraint(name, "iam.allowedPolicyMemberDomains"),
            "sa_key_creation_disabled": self._constraint(name, "iam.disableServiceAccountKeyCreation"),
            "uniform_bucket_level_access_enforced": self._constraint(name, "storage.uniformBucketLevelAccess"),
            "public_access_prevention_enforced": self._constraint(name, "storage.publicAccessPrevention"),
            "essential_contact_categories": categories,
            "essential_contacts_missing_categories": missing,
            "data_access_logs_all_services": data_access,
            "audit_log_exempted_members": exempted,
            "read_path": self.raw.read_path,
        }
        return Resource("gcp.organization", f"gcp:{name}", str(org.get("displayName") or name), self.source, attributes)

    def project(self, project_id: str, project: Mapping[str, Any]) -> Resource:
        canonical = f"projects/{project_id}"
        configs: list[Mapping[str, Any]] = []
        unknown: str | None = None
        for resource in [canonical, *self.ancestors(project.get("parent"))]:
            policy = self.raw.policies.get(resource)
            if policy is None:
                if resource in self.raw.policy_unknown or self.raw.policies_unknown:
                    unknown = unknown or self.raw.policy_unknown.get(resource) or self.raw.policies_unknown
                continue
            configs.extend(policy.get("auditConfigs") or ())
        data_access, exempted = _has_data_access_all_services(configs)
        data_access_value: bool | Unknown = data_access
        exempted_value: list[str] | Unknown = exempted
        if unknown and not data_access:
            data_access_value = Unknown(unknown)
            exempted_value = Unknown(unknown)
        attributes = {
            "project_id": project_id,
            "project_number": str(project.get("number") or ""),
            "state": str(project.get("state") or "ACTIVE"),
            "labels": dict(project.get("labels") or {}),
            "folders": self.folder_chain(project.get("parent")),
            "environment": self.environment_of(canonical),
            "data_access_logs_all_services": data_access_value,
            "audit_log_exempted_members": exempted_value,
        }
        return Resource("gcp.project", f"gcp:{canonical}", project_id, self.source, attributes)

    def bindings(self) -> list[Resource]:
        out: list[Resource] = []
        for resource, policy in sorted(self.raw.policies.items()):
            kind = resource.split("/", 1)[0]
            resource_kind = {
                "organizations": "organization",
                "folders": "folder",
                "projects": "project",
                "buckets": "bucket",
                "serviceAccounts": "service_account",
            }.get(kind, "other")
            project_id = self._project_of(resource)
            environment = self.environment_of(f"projects/{project_id}" if project_id else resource)
            for binding in policy.get("bindings") or ():
                role = str(binding.get("role"))
                for member in binding.get("members") or ():
                    out.append(self._binding(resource, resource_kind, project_id, environment, role, str(member), bool(binding.get("condition"))))
        return out

    def _project_of(self, resource: str) -> str | None:
        if resource.startswith("projects/"):
            return resource.split("/", 1)[1]
        if resource.startswith("buckets/"):
            for bucket in self.raw.buckets if isinstance(self.raw.buckets, list) else ():
                if f"buckets/{bucket.get('name')}" == resource:
                    return bucket.get("projectId")
        if resource.startswith("serviceAccounts/"):
            email = resource.split("/", 1)[1]
            for account in self.raw.service_accounts if isinstance(self.raw.service_accounts, list) else ():
                if account.get("email") == email:
                    return account.get("projectId")
        return None

    def _binding(self, resource: str, resource_kind: str, project_id: str | None, environment: str, role: str, member: str, conditional: bool) -> Resource:
        member_type, email, domain = member_parts(member)
        external: bool | Unknown = False
        if member_type in ("user", "group", "domain") and domain:
            external = Unknown("no company domain known: set gcp.domains") if not self.domains else not in_domains(domain, self.domains)
        group_members: list[str] | Unknown = []
        if member_type == "group":
            group_members = Unknown("group membership needs the Cloud Identity Groups API (cloudidentity.groups.memberships.list), not read")
        attributes = {
            "resource": resource,
            "resource_kind": resource_kind,
            "project_id": project_id,
            "environment": environment,
            "role": role,
            "basic_role": role in BASIC_WRITE,
            "write_role": is_write_role(role),
            "privileged": is_privileged_role(role),
            "member": member,
            "member_type": member_type,
            "member_email": email,
            "member_domain": domain,
            "is_public": member_type in ("allUsers", "allAuthenticatedUsers"),
            "is_external": external,
            "is_personal_account": bool(domain and domain in PERSONAL_DOMAINS and member_type in ("user", "group")),
            "conditional": conditional,
            "group_members": group_members,
        }
        rid = f"gcp:{resource}#{role}#{member}"
        return Resource("gcp.iam_binding", rid, f"{member} {role} on {resource}", self.source, attributes)

    def principals(self, bindings: list[Resource]) -> dict[str, Resource]:
        grants: dict[str, list[Resource]] = defaultdict(list)
        for binding in bindings:
            if binding.attributes["member_type"] in ("allUsers", "allAuthenticatedUsers", "deleted"):
                continue
            grants[str(binding.attributes["member"])].append(binding)
        classified = any(self.environment_of(f"projects/{p}") != "unclassified" for p in self.raw.projects)
        incomplete = self.raw.policies_unknown or (
            f"IAM policies of {len(self.raw.policy_unknown)} resource(s) not read ({', '.join(sorted(self.raw.policy_unknown)[:3])})"
            if self.raw.policy_unknown
            else None
        )
        out: dict[str, Resource] = {}
        for member, held in sorted(grants.items()):
            member_type, email, _domain = member_parts(member)
            roles = sorted({str(b.attributes["role"]) for b in held})
            prod: set[str] = set()
            nonprod: set[str] = set()
            for b in held:
                if not b.attributes["write_role"]:
                    continue
                resource = str(b.attributes["resource"])
                environment = b.attributes["environment"]
                if environment == "production":
                    prod.add(resource)
                elif environment == "non-production":
                    nonprod.add(resource)
                elif environment == "mixed":
                    prod.add(resource)
                    nonprod.add(resource)
            sod: bool | Unknown = SA_ADMIN in roles and SA_USER in roles
            both: bool | Unknown = bool(prod) and bool(nonprod)
            if not classified:
                both = Unknown("no project matched the environment convention: set gcp.environment_label or gcp.production_folders")
            if incomplete:
                sod = sod or Unknown(incomplete)
                both = both or (Unknown(incomplete) if not isinstance(both, Unknown) else both)
            person = member_type == "user"
            people_unknown = Unknown("sign-in and 2-step verification state need Cloud Identity / Workspace Admin reports, not read")
            attributes = {
                "member": member,
                "member_type": member_type,
                "email": email,
                "roles": roles,
                "grants": sorted(f"{b.attributes['role']} on {b.attributes['resource']}" for b in held),
                "holds_sa_admin_and_user": sod,
                "production_write": sorted(prod),
                "nonproduction_write": sorted(nonprod),
                "writes_in_production_and_nonproduction": both,
                "active": True,
                "is_admin": any(is_privileged_role(r) for r in roles),
                "mfa_enabled": people_unknown if person else None,
                "last_activity_at": people_unknown if person else None,
                "days_since_last_activity": people_unknown if person else None,
                "handles": [h for h in (email, member) if h],
            }
            out[member] = Resource("gcp.principal", f"gcp:principal/{member}", email or member, self.source, attributes)
        return out

    def service_accounts(self, principals: Mapping[str, Resource]) -> list[Resource]:
        if isinstance(self.raw.service_accounts, Unknown):
            return []
        out: list[Resource] = []
        for account in self.raw.service_accounts:
            email = str(account.get("email"))
            project_id = str(account.get("projectId") or "")
            principal = principals.get(f"serviceAccount:{email}")
            roles: list[str] = list(principal.attributes["roles"]) if principal else []
            keys = account.get("keys")
            ages: list[int] | Unknown
            count: int | Unknown
            oldest: int | None | Unknown
            if isinstance(keys, Unknown):
                ages = count = oldest = keys
            else:
                user_keys = [k for k in keys or () if k.get("keyType", "USER_MANAGED") == "USER_MANAGED"]
                ages = [d for d in (_days(k.get("validAfterTime"), self.now) for k in user_keys) if d is not None]
                count = len(user_keys)
                oldest = max(ages) if ages else None
            forbidden: bool | Unknown = True
            if not self.options.forbid_user_managed_keys:
                # The project's own effective policy when it was read (project scope), else the
                # scanned container's (organization or folder): the constraint is inherited.
                scope = f"projects/{project_id}" if f"projects/{project_id}" in self.raw.constraints else self.raw.scope
                forbidden = self._constraint(scope, "iam.disableServiceAccountKeyCreation")
            attributes = {
                "email": email,
                "project_id": project_id,
                "disabled": bool(account.get("disabled")),
                "is_default_compute": bool(_DEFAULT_COMPUTE.match(email)),
                "roles": roles,
                "privileged": any(is_privileged_role(r) for r in roles),
                "holds_basic_editor_or_owner": any(r in BASIC_WRITE for r in roles),
                "user_managed_key_count": count,
                "user_managed_key_ages_days": ages,
                "max_user_managed_key_age_days": oldest,
                "user_managed_keys_forbidden": forbidden,
            }
            if self.raw.policies_unknown or self.raw.policy_unknown:
                reason = self.raw.policies_unknown or "some IAM policies were not read"
                for key in ("privileged", "holds_basic_editor_or_owner"):
                    if not attributes[key]:
                        attributes[key] = Unknown(reason)
            out.append(Resource("gcp.service_account", f"gcp:serviceAccounts/{email}", email, self.source, attributes))
        return out

    def buckets(self) -> list[Resource]:
        if isinstance(self.raw.buckets, Unknown):
            return []
        out: list[Resource] = []
        for bucket in self.raw.buckets:
            name = str(bucket.get("name"))
            config = bucket.get("iamConfiguration") or {}
            pap = str(config.get("publicAccessPrevention") or "inherited")
            if pap == "unspecified":
                pap = "inherited"
            uniform = bool((config.get("uniformBucketLevelAccess") or {}).get("enabled"))
            canonical = f"buckets/{name}"
            policy = self.raw.policies.get(canonical)
            public: list[str] | Unknown
            is_public: bool | Unknown
            if policy is None and (canonical in self.raw.policy_unknown or self.raw.policies_unknown):
                public = is_public = Unknown(self.raw.policy_unknown.get(canonical) or self.raw.policies_unknown or "bucket IAM policy not read")
            else:
                public = sorted(
                    f"{m} {b.get('role')}"
                    for b in (policy or {}).get("bindings") or ()
                    for m in b.get("members") or ()
                    if m in ("allUsers", "allAuthenticatedUsers")
                )
                blocked: bool | Unknown = pap == "enforced"
                if not blocked and public and self.raw.constraints:
                    project_scope = f"projects/{bucket.get('projectId')}"
                    scope = project_scope if project_scope in self.raw.constraints else self.raw.scope
                    blocked = self._constraint(scope, "storage.publicAccessPrevention")
                is_public = bool(public) and (Unknown(blocked.reason) if isinstance(blocked, Unknown) else not blocked)
            attributes = {
                "project_id": bucket.get("projectId"),
                "labels": dict(bucket.get("labels") or {}),
                "public_access_prevention": pap,
                "uniform_bucket_level_access": uniform,
                "public_members": public,
                "is_public": is_public,
            }
            out.append(Resource("gcp.bucket", f"gcp:{canonical}", name, self.source, attributes))
        return out

    def providers(self) -> list[Resource]:
        if isinstance(self.raw.providers, Unknown):
            return []
        out: list[Resource] = []
        for provider in self.raw.providers:
            name = str(provider.get("name"))
            parts = name.split("/")
            project = parts[1] if len(parts) > 1 else ""
            project_id = self.raw.project_id_for(project)
            pool = parts[5] if len(parts) > 5 else ""
            issuer = (provider.get("oidc") or {}).get("issuerUri")
            condition = provider.get("attributeCondition") or None
            attributes = {
                "project_id": project_id,
                "pool": pool,
                "disabled": bool(provider.get("disabled")) or provider.get("state") == "DELETED",
                "issuer_uri": issuer,
                "is_github": bool(issuer and str(issuer).rstrip("/") == GITHUB_ISSUER),
                "attribute_condition": condition,
                "pins_repository": bool(condition and _PINS_REPOSITORY.search(condition)),
                "pins_ref": bool(condition and _PINS_REF.search(condition)),
                "environment": self.environment_of(f"projects/{project_id}"),
            }
            out.append(Resource("gcp.wif_provider", f"gcp:{name}", f"{pool}/{parts[-1]}", self.source, attributes))
        return out


def build_resources(raw: RawScope, options: Options, now: datetime) -> list[Resource]:
    """Resources for one source; deterministic order."""
    return _Builder(raw, options, now).build()
