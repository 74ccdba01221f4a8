"""Google Cloud's platform descriptor: settings, flags, units. Imports no Google SDK.

Registry line for ``scanner.collectors.PLATFORMS``:
``"gcp": "scanner.collectors.gcp.platform:PLATFORM"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit

OPTIONS: tuple[Option, ...] = (
    Option("organization", "string_or_integer", "organization id to audit (every folder and project under it)", flag="--gcp-organization", metavar="ORG_ID"),
    Option("folders", "list", "folder ids to audit (instead of an organization)", flag="--gcp-folders", metavar="ID,...", csv=True),
    Option("projects", "list", "project ids to audit (instead of an organization)", flag="--gcp-projects", metavar="ID,...", csv=True),
    Option("impersonate", "string", "service account to impersonate for the scan (needs roles/iam.serviceAccountTokenCreator on it)", flag="--gcp-impersonate", metavar="SA_EMAIL"),
    Option("domains", "list", "company domains; principals outside them are external (default: the organization's domain)", flag="--gcp-domain", metavar="DOMAIN"),
    Option("quota_project", "string", "Project billed for API quota (Cloud Asset, Org Policy) when the credential has none.", flag="--gcp-quota-project", metavar="PROJECT"),
    Option("endpoint_base", "string", "serve every API under BASE/<api>/ (a test double or private gateway)", flag="--gcp-endpoint-base", metavar="URL"),
    Option("endpoints", "mapping", "Per-API root URL overrides: {cloudasset: URL, cloudresourcemanager: URL, iam: URL, orgpolicy: URL, essentialcontacts: URL, storage: URL, iamcredentials: URL}."),
    Option("environments", "mapping", "How projects are classified: {label: environment, production_values: [...], nonproduction_values: [...], production_folders: [...], nonproduction_folders: [...]}."),
    Option("forbid_user_managed_keys", "boolean", "Treat every user-managed service account key as forbidden (CIS 1.4), not only where iam.disableServiceAccountKeyCreation is enforced."),
    Option("cloud_asset", "boolean", "Use Cloud Asset Inventory when granted (default true); false forces the per-project Resource Manager path."),
    Option("max_retries", "integer", "retries on 429 / 5xx per request (default 4)"),
)


def units(settings: Mapping[str, Any]) -> list[Unit]:
    """One unit per organization or folder; projects batched as one unit each (one credential)."""
    shared = {k: v for k, v in settings.items() if k not in ("organization", "folders", "projects")}
    out: list[Unit] = []
    org = settings.get("organization")
    if org:
        org_id = str(org).removeprefix("organizations/")
        out.append(Unit("gcp", f"gcp:organizations/{org_id}", "gcp", {**shared, "organization": org_id}))
        return out
    for folder in settings.get("folders") or ():
        out.append(Unit("gcp", f"gcp:folders/{folder}", "gcp", {**shared, "folders": [folder]}))
    for project in settings.get("projects") or ():
        out.append(Unit("gcp", f"gcp:projects/{project}", "gcp", {**shared, "projects": [project]}))
    return out


def validate(settings: Mapping[str, Any]) -> object:
    # Imported here: the settings check lives beside the collector (no Google SDK imported).
    from scanner.collectors.gcp.collector import validate_settings

    return validate_settings(settings)


PLATFORM = Platform(
    name="gcp",
    title="Google Cloud",
    extra="gcp",
    collector="scanner.collectors.gcp.collector:GcpCollector",
    options=OPTIONS,
    secret_env=(),
    enable_flag=None,
    required=("organization", "folders", "projects"),
    account_types=("gcp.principal",),
    cis_benchmark="CIS Google Cloud Platform Foundation Benchmark",
    units=units,
    validate=validate,
    notes={
        "credentials": "Application Default Credentials (gcloud auth application-default login, GOOGLE_APPLICATION_CREDENTIALS key or Workload Identity Federation config, metadata server); --gcp-impersonate for an audit service account",
        "roles": "deploy/gcp/: roles/cloudasset.viewer, roles/iam.securityReviewer, roles/browser, roles/orgpolicy.policyViewer, roles/essentialcontacts.viewer, roles/iam.workloadIdentityPoolViewer + custom role posture.bucketReader",
    },
)
