"""The fake organizations the GCP fake serves: Northwind's (demo and tests) and a synthetic one
(benchmark). Plain data: the server renders each API's view of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

NOW = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)
ALL_CONSTRAINTS = (
    "iam.allowedPolicyMemberDomains",
    "iam.disableServiceAccountKeyCreation",
    "storage.uniformBucketLevelAccess",
    "storage.publicAccessPrevention",
)


def ago(days: int) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Project:
    project_id: str
    number: str
    parent: str
    labels: dict[str, str] = field(default_factory=dict)
    state: str = "ACTIVE"


@dataclass
class ServiceAccount:
    email: str
    project_id: str
    unique_id: str
    disabled: bool = False
    keys: list[dict[str, Any]] = field(default_factory=list)  # {id, keyType, validAfterTime}


@dataclass
class Bucket:
    name: str
    project_id: str
    public_access_prevention: str = "inherited"
    uniform: bool = True
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Provider:
    project_id: str
    pool: str
    provider: str
    issuer: str = "https://token.actions.githubusercontent.com"
    condition: str | None = None


@dataclass
class Org:
    org_id: str
    domain: str
    customer_id: str
    folders: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (displayName, parent)
    projects: dict[str, Project] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # canonical -> IAM policy
    service_accounts: list[ServiceAccount] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    constraints: dict[str, dict[str, Any]] = field(default_factory=dict)  # constraint -> spec (effective at org)
    contacts: list[dict[str, Any]] = field(default_factory=list)

    def grant(self, resource: str, role: str, *members: str) -> None:
        policy = self.policies.setdefault(resource, {"version": 1, "etag": "BwXfake=", "bindings": []})
        for binding in policy["bindings"]:
            if binding["role"] == role:
                binding["members"].extend(members)
                return
        policy["bindings"].append({"role": role, "members": list(members)})

    def project(self, project_id: str, number: str, parent: str, **labels: str) -> None:
        self.projects[project_id] = Project(project_id, number, parent, dict(labels))

    def number_of(self, project_id: str) -> str:
        return self.projects[project_id].number


_DATA_ACCESS = [
    {
        "service": "allServices",
        "auditLogConfigs": [{"logType": "ADMIN_READ"}, {"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}],
    }
]
_ENFORCED = {"rules": [{"enforce": True}]}


def northwind() -> Org:
    """Northwind Labs' organization: a production and a development folder, CI, datasets."""
    org = Org("112233445566", "northwind.dev", "C0nw1nd42")
    org.folders = {"100200300": ("Production", "organizations/112233445566"), "100200400": ("Development", "organizations/112233445566")}
    org.project("nw-prod-api", "210000000001", "folders/100200300", environment="production", team="platform")
    org.project("nw-prod-data", "210000000002", "folders/100200300", environment="production", team="data")
    org.project("nw-dev-sandbox", "210000000003", "folders/100200400", environment="development")
    org.project("nw-ci-tools", "210000000004", "folders/100200400")
    o = "organizations/112233445566"
    org.grant(o, "roles/resourcemanager.organizationAdmin", "user:ana@northwind.dev")
    org.grant(o, "roles/owner", "user:ana@northwind.dev")
    org.grant(o, "roles/iam.securityReviewer", "group:security@northwind.dev")
    org.grant(o, "roles/browser", "domain:northwind.dev")
    org.policies[o]["auditConfigs"] = _DATA_ACCESS
    org.grant("folders/100200400", "roles/editor", "group:developers@northwind.dev")
    api = "projects/nw-prod-api"
    org.grant(api, "roles/editor", "user:ben@northwind.dev", "serviceAccount:210000000001-compute@developer.gserviceaccount.com")
    org.grant(api, "roles/viewer", "user:carla@northwind.dev", "user:dev.contractor@gmail.com")
    org.grant(api, "roles/run.admin", "serviceAccount:deployer@nw-ci-tools.iam.gserviceaccount.com")
    org.grant(api, "roles/iam.serviceAccountAdmin", "user:ben@northwind.dev")
    org.grant(api, "roles/iam.serviceAccountUser", "user:ben@northwind.dev", "serviceAccount:deployer@nw-ci-tools.iam.gserviceaccount.com")
    org.grant("projects/nw-prod-data", "roles/bigquery.dataViewer", "user:dana@partner-analytics.com", "serviceAccount:reporting@nw-prod-data.iam.gserviceaccount.com")
    org.grant("projects/nw-dev-sandbox", "roles/editor", "user:ben@northwind.dev")
    org.grant("projects/nw-dev-sandbox", "roles/viewer", "user:carla@northwind.dev")
    org.grant("projects/nw-ci-tools", "roles/logging.logWriter", "serviceAccount:210000000004-compute@developer.gserviceaccount.com")
    org.grant(
        "projects/nw-ci-tools",
        "roles/iam.workloadIdentityUser",
        "principalSet://iam.googleapis.com/projects/210000000004/locations/global/workloadIdentityPools/github/attribute.repository_owner/northwind",
    )
    org.grant("buckets/nw-training-datasets", "roles/storage.objectViewer", "allUsers", "group:data@northwind.dev")
    org.grant("buckets/nw-model-artifacts", "roles/storage.objectViewer", "group:data@northwind.dev")
    org.grant("buckets/nw-legacy-exports", "roles/storage.objectViewer", "allAuthenticatedUsers")
    org.grant("serviceAccounts/deployer@nw-ci-tools.iam.gserviceaccount.com", "roles/iam.serviceAccountTokenCreator", "group:platform@northwind.dev")
    org.service_accounts = [
        ServiceAccount("deployer@nw-ci-tools.iam.gserviceaccount.com", "nw-ci-tools", "110000000000000000001", keys=[
            {"id": "a1b2c3d4e5f60718293a4b5c6d7e8f9001122334", "keyType": "USER_MANAGED", "validAfterTime": ago(200)},
            {"id": "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233", "keyType": "SYSTEM_MANAGED", "validAfterTime": ago(3)},
        ]),
        ServiceAccount("reporting@nw-prod-data.iam.gserviceaccount.com", "nw-prod-data", "110000000000000000002", keys=[
            {"id": "0a1b2c3d4e5f60718293a4b5c6d7e8f900112233", "keyType": "USER_MANAGED", "validAfterTime": ago(30)},
        ]),
        ServiceAccount("210000000001-compute@developer.gserviceaccount.com", "nw-prod-api", "110000000000000000003"),
        ServiceAccount("210000000004-compute@developer.gserviceaccount.com", "nw-ci-tools", "110000000000000000004"),
    ]
    org.buckets = [
        Bucket("nw-training-datasets", "nw-prod-data", "inherited", True, {"data": "dataset"}),
        Bucket("nw-model-artifacts", "nw-prod-data", "enforced", True, {"data": "model-artifacts"}),
        Bucket("nw-legacy-exports", "nw-prod-data", "enforced", False),
    ]
    org.providers = [
        Provider("nw-prod-api", "github", "github-deploy", condition="assertion.repository == 'northwind/api' && assertion.ref == 'refs/heads/main'"),
        Provider("nw-ci-tools", "github", "github-ci", condition="assertion.repository_owner == 'northwind'"),
    ]
    org.constraints = {
        "iam.allowedPolicyMemberDomains": {"rules": [{"values": {"allowedValues": ["is:C0nw1nd42"]}}]},
        "iam.disableServiceAccountKeyCreation": _ENFORCED,
        "storage.uniformBucketLevelAccess": _ENFORCED,
        "storage.publicAccessPrevention": _ENFORCED,
    }
    org.contacts = [
        {"name": "organizations/112233445566/contacts/1", "email": "security@northwind.dev", "notificationCategorySubscriptions": ["ALL"], "languageTag": "en", "validationState": "VALID", "validateTime": ago(40)},
    ]
    return org


def tidewater() -> Org:
    """Tidewater, the shop Northwind acquired: its own organization, nothing enforced yet, and
    no Cloud Asset Inventory access granted to the audit identity (the fallback path)."""
    org = Org("998877665544", "tidewater.io", "C0tide77")
    org.folders = {"500600700": ("Apps", "organizations/998877665544")}
    org.project("tw-prod-shop", "310000000001", "folders/500600700", environment="prod")
    org.project("tw-staging", "310000000002", "folders/500600700", environment="staging")
    o = "organizations/998877665544"
    org.grant(o, "roles/owner", "user:founder@tidewater.io")
    org.grant(o, "roles/iam.securityReviewer", "serviceAccount:auditor@tw-prod-shop.iam.gserviceaccount.com")
    org.grant("projects/tw-prod-shop", "roles/viewer", "user:erin@tidewater.io")
    org.grant("projects/tw-prod-shop", "roles/cloudsql.client", "serviceAccount:shop@tw-prod-shop.iam.gserviceaccount.com")
    org.grant("projects/tw-staging", "roles/editor", "user:erin@tidewater.io", "serviceAccount:310000000002-compute@developer.gserviceaccount.com")
    org.policies["projects/tw-prod-shop"]["auditConfigs"] = _DATA_ACCESS
    org.grant("buckets/tw-shop-media", "roles/storage.objectViewer", "allUsers")
    org.service_accounts = [
        ServiceAccount("shop@tw-prod-shop.iam.gserviceaccount.com", "tw-prod-shop", "120000000000000000001", keys=[
            {"id": "1234567890abcdef1234567890abcdef12345678", "keyType": "USER_MANAGED", "validAfterTime": ago(45)},
        ]),
        ServiceAccount("auditor@tw-prod-shop.iam.gserviceaccount.com", "tw-prod-shop", "120000000000000000002"),
        ServiceAccount("310000000002-compute@developer.gserviceaccount.com", "tw-staging", "120000000000000000003"),
    ]
    org.buckets = [Bucket("tw-shop-media", "tw-prod-shop", "inherited", False)]
    org.providers = [Provider("tw-prod-shop", "gh", "github", condition="assertion.repository == 'tidewater/shop'")]
    org.constraints = {}
    org.contacts = [
        {"name": "organizations/998877665544/contacts/7", "email": "ops@tidewater.io", "notificationCategorySubscriptions": ["TECHNICAL"], "languageTag": "en", "validationState": "VALID", "validateTime": ago(400)},
    ]
    return org


def synthetic(projects: int = 500, service_accounts: int = 2000, bindings: int = 5000) -> Org:
    """A large organization for the benchmark: folders of projects, SAs with keys, bindings."""
    org = Org("424242424242", "example.com", "C0synth01")
    for f in range(10):
        org.folders[str(700000000 + f)] = ("Production" if f % 2 == 0 else "Development", "organizations/424242424242")
    for p in range(projects):
        pid = f"synth-project-{p:04d}"
        org.project(pid, str(400000000000 + p), f"folders/{700000000 + p % 10}")
    ids = sorted(org.projects)
    for s in range(service_accounts):
        pid = ids[s % projects]
        keys = [{"id": f"{s:040x}", "keyType": "USER_MANAGED", "validAfterTime": ago(s % 200)}] if s % 2 == 0 else []
        org.service_accounts.append(ServiceAccount(f"sa-{s:04d}@{pid}.iam.gserviceaccount.com", pid, str(130000000000000000000 + s), keys=keys))
    roles = ("roles/viewer", "roles/editor", "roles/storage.admin", "roles/run.developer", "roles/logging.viewer")
    for b in range(bindings):
        pid = ids[b % projects]
        member = f"user:user{b % 300}@example.com" if b % 3 else f"serviceAccount:{org.service_accounts[b % service_accounts].email}"
        org.grant(f"projects/{pid}", roles[b % len(roles)], member)
    org.policies["organizations/424242424242"] = {"version": 1, "bindings": [{"role": "roles/owner", "members": ["user:admin@example.com"]}], "auditConfigs": _DATA_ACCESS}
    for i in range(50):
        org.buckets.append(Bucket(f"synth-bucket-{i:03d}", ids[i * 7 % projects]))
    for i in range(20):
        org.providers.append(Provider(ids[i * 13 % projects], "github", f"gh-{i}", condition="assertion.repository == 'example/app'"))
    org.constraints = {c: _ENFORCED for c in ALL_CONSTRAINTS if c != "iam.allowedPolicyMemberDomains"}
    return org
