"""Resource types collected from Google Cloud: the organization, projects, IAM bindings,
principals, service accounts, buckets and Workload Identity providers.

Ids are ``gcp:<resource name>``: ``gcp:organizations/123``, ``gcp:projects/my-project``,
``gcp:serviceAccounts/sa@p.iam.gserviceaccount.com``, ``gcp:buckets/name``, a provider's full
name. An IAM binding is one (resource, role, member) triple, so a finding names exactly who holds
what where. ``gcp.principal`` gathers each member's grants across the scope (separation of
duties, environment separation) and, for ``user:`` members, honours the people account contract
(email, active, is_admin, mfa_enabled, last_activity_at, days_since_last_activity, handles).
"""

from __future__ import annotations

from scanner.inventory.types import AccountKind, ResourceType, attr

ORGANIZATION = ResourceType(
    "gcp.organization",
    "A Google Cloud organization: effective organization policy constraints, essential contacts, audit log configuration.",
    (
        attr("organization_id", "string", "numeric organization id"),
        attr("domain", "string", "primary domain of the organization (its display name)", nullable=True),
        attr("company_domains", "list", "domains treated as the company's (setting gcp.domains, else the organization's domain)"),
        attr("domain_restricted_sharing_enforced", "boolean", "constraint iam.allowedPolicyMemberDomains is in effect (an allow-list of customer ids, not allow-all)"),
        attr("sa_key_creation_disabled", "boolean", "constraint iam.disableServiceAccountKeyCreation is enforced"),
        attr("uniform_bucket_level_access_enforced", "boolean", "constraint storage.uniformBucketLevelAccess is enforced"),
        attr("public_access_prevention_enforced", "boolean", "constraint storage.publicAccessPrevention is enforced"),
        attr("essential_contact_categories", "list", "notification categories that have at least one essential contact at the organization"),
        attr("essential_contacts_missing_categories", "list", "of LEGAL, SECURITY, SUSPENSION, TECHNICAL, TECHNICAL_INCIDENTS: those with no contact (all covered by an ALL contact)"),
        attr("data_access_logs_all_services", "boolean", "the organization's IAM policy enables DATA_READ and DATA_WRITE audit logs for allServices"),
        attr("audit_log_exempted_members", "list", "members exempted from the organization's allServices audit logs"),
        attr("read_path", "string", "cloud_asset (Cloud Asset Inventory) or resource_manager (per-project fallback)"),
    ),
)

PROJECT = ResourceType(
    "gcp.project",
    "A Google Cloud project: where it sits, which environment it is, whether Data Access audit logs cover it.",
    (
        attr("project_id", "string", "project id"),
        attr("project_number", "string", "project number"),
        attr("state", "string", "ACTIVE, DELETE_REQUESTED"),
        attr("labels", "object", "project labels"),
        attr("folders", "list", "display names of the folders above the project, nearest first"),
        attr("environment", "string", "production, non-production or unclassified (by the configured label or folder convention)"),
        attr("data_access_logs_all_services", "boolean", "DATA_READ and DATA_WRITE audit logs for allServices are enabled on the project or inherited from a folder or the organization"),
        attr("audit_log_exempted_members", "list", "members exempted from allServices audit logs on the project or above"),
    ),
)

IAM_BINDING = ResourceType(
    "gcp.iam_binding",
    "One IAM grant: a member holding a role on an organization, folder, project, bucket or service account.",
    (
        attr("resource", "string", "full resource name the policy is set on"),
        attr("resource_kind", "string", "organization, folder, project, bucket, service_account or other"),
        attr("project_id", "string", "project the resource belongs to (null at organization or folder level)", nullable=True),
        attr("environment", "string", "environment of the resource: production, non-production, unclassified, or mixed above projects"),
        attr("role", "string", "role name, e.g. roles/editor"),
        attr("basic_role", "boolean", "roles/owner or roles/editor (basic roles)"),
        attr("write_role", "boolean", "the role can change something (not a viewer, browser, reader or security reviewer role)"),
        attr("privileged", "boolean", "basic owner/editor, or an admin role (name ends in admin/Admin) able to change IAM or resources"),
        attr("member", "string", "member as written in the policy, e.g. user:ana@northwind.dev"),
        attr("member_type", "string", "user, group, serviceAccount, domain, allUsers, allAuthenticatedUsers, principal, principalSet, deleted or other"),
        attr("member_email", "string", "email of a user, group or service account member", nullable=True),
        attr("member_domain", "string", "domain of the member's email (or of a domain: member)", nullable=True),
        attr("is_public", "boolean", "member is allUsers or allAuthenticatedUsers"),
        attr("is_external", "boolean", "a user, group or domain member outside the company domains (service accounts and federated identities excepted)"),
        attr("is_personal_account", "boolean", "a consumer account (gmail.com, googlemail.com)"),
        attr("conditional", "boolean", "the binding has an IAM condition"),
        attr("group_members", "list", "for a group member: its members (Cloud Identity); [] otherwise"),
    ),
)

PRINCIPAL = ResourceType(
    "gcp.principal",
    "A member of IAM policies across the scope (user, group, service account, federated identity) and what it holds where.",
    (
        attr("member", "string", "member as written in policies"),
        attr("member_type", "string", "user, group, serviceAccount, domain, principal, principalSet, other"),
        attr("email", "string", "email of a user, group or service account member", nullable=True),
        attr("roles", "list", "distinct roles held anywhere in the scope"),
        attr("grants", "list", "every grant as 'role on resource'"),
        attr("holds_sa_admin_and_user", "boolean", "holds Service Account Admin and Service Account User (separation of duties)"),
        attr("production_write", "list", "production projects or folders where the principal holds a write role"),
        attr("nonproduction_write", "list", "non-production projects or folders where the principal holds a write role"),
        attr("writes_in_production_and_nonproduction", "boolean", "holds write roles in both production and non-production (organization-level write roles count for both)"),
        attr("active", "boolean", "the principal holds at least one role (Google accounts' sign-in state needs Cloud Identity)"),
        attr("is_admin", "boolean", "holds a basic owner/editor or admin role"),
        attr("mfa_enabled", "boolean", "2-step verification enforced for the account (Cloud Identity / Workspace admin)", nullable=True),
        attr("last_activity_at", "timestamp", "last sign-in (Cloud Identity / Workspace reports)", nullable=True),
        attr("days_since_last_activity", "integer", "whole days since last_activity_at", nullable=True),
        attr("handles", "list", "identifiers a roster could name this principal by: email, member"),
    ),
)

SERVICE_ACCOUNT = ResourceType(
    "gcp.service_account",
    "A service account: its user-managed keys, what it holds, and whether it is the default compute account.",
    (
        attr("email", "string", "service account email"),
        attr("project_id", "string", "project that owns the service account"),
        attr("disabled", "boolean", "the service account is disabled"),
        attr("is_default_compute", "boolean", "the Compute Engine default service account (<number>-compute@developer.gserviceaccount.com)"),
        attr("roles", "list", "roles the service account holds anywhere in the scope"),
        attr("privileged", "boolean", "holds a basic owner/editor or admin role"),
        attr("holds_basic_editor_or_owner", "boolean", "holds roles/editor or roles/owner"),
        attr("user_managed_key_count", "integer", "user-managed (downloadable) keys, enabled or not"),
        attr("user_managed_key_ages_days", "list", "age in whole days of each user-managed key"),
        attr("max_user_managed_key_age_days", "integer", "age of the oldest user-managed key; null without keys", nullable=True),
        attr("user_managed_keys_forbidden", "boolean", "policy forbids user-managed keys here: iam.disableServiceAccountKeyCreation enforced, or setting gcp.forbid_user_managed_keys"),
    ),
)

BUCKET = ResourceType(
    "gcp.bucket",
    "A Cloud Storage bucket (datasets, model artifacts): public access prevention, uniform access, public grants.",
    (
        attr("project_id", "string", "project that owns the bucket", nullable=True),
        attr("labels", "object", "bucket labels"),
        attr("public_access_prevention", "string", "enforced or inherited (unspecified)"),
        attr("uniform_bucket_level_access", "boolean", "uniform bucket-level access is on (ACLs disabled)"),
        attr("public_members", "list", "allUsers / allAuthenticatedUsers grants on the bucket, as 'member role'"),
        attr("is_public", "boolean", "public members hold a role and public access prevention does not block them"),
    ),
)

WIF_PROVIDER = ResourceType(
    "gcp.wif_provider",
    "A Workload Identity Federation provider: who outside Google Cloud may exchange tokens for access.",
    (
        attr("project_id", "string", "project of the workload identity pool"),
        attr("pool", "string", "workload identity pool id"),
        attr("disabled", "boolean", "provider disabled"),
        attr("issuer_uri", "string", "OIDC issuer; null for AWS, SAML or X.509 providers", nullable=True),
        attr("is_github", "boolean", "issuer is GitHub Actions (token.actions.githubusercontent.com)"),
        attr("attribute_condition", "string", "CEL attribute condition; null when none", nullable=True),
        attr("pins_repository", "boolean", "the condition names assertion.repository / repository_id (or attribute.repository) with a value"),
        attr("pins_ref", "boolean", "the condition names assertion.ref (or attribute.ref), or a GitHub environment"),
        attr("environment", "string", "environment of the pool's project"),
    ),
)

TYPES: tuple[ResourceType, ...] = (ORGANIZATION, PROJECT, IAM_BINDING, PRINCIPAL, SERVICE_ACCOUNT, BUCKET, WIF_PROVIDER)

# People accounts on Google Cloud, declared here until the AccountKind declaration lands in
# scanner.inventory.types: the type, which of its resources are people (a `user:` member), and
# the attributes a roster links them by. Consumed by the integrator's correlation wiring.
ACCOUNT_KINDS: tuple[AccountKind, ...] = (
    AccountKind("gcp.principal", "gcp", roster_fields=("gcp_user",), only=(("member_type", "user"),)),
)
