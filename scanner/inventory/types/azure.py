"""Resource types collected from Azure Resource Manager and Microsoft Entra ID (Graph).

ARM objects keep their ARM id (``/subscriptions/<id>/providers/...``); Entra objects are named
``azure:<tenant-id>/<kind>/<object-id>``. ``azure.user`` honours the account contract of the
people view (email, active, is_admin, mfa_enabled, last_activity_at, days_since_last_activity,
handles).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from scanner.inventory.types import AccountKind, ResourceType, attr

# --- Azure RBAC knowledge shared by the collector and people correlation ---------------------
# The one definition of a "privileged" Azure RBAC role: the built-in roles Microsoft's built-in
# roles page lists in its "Privileged" table (role definition GUID, the same in every tenant ->
# name). A custom role is privileged too when it grants "*" or Microsoft.Authorization writes;
# the collector decides that from the definition and sets ``azure.role_assignment.privileged``.
OWNER: Final = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR: Final = "b24988ac-6180-42a0-ab88-20f7382dd24c"
USER_ACCESS_ADMINISTRATOR: Final = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
RBAC_ADMINISTRATOR: Final = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
RESERVATIONS_ADMINISTRATOR: Final = "a8889054-8d42-49c9-bc1c-52486c10e7cd"
READER: Final = "acdd72a7-3385-48ef-bd42-f606fba81ae7"

PRIVILEGED_ROLES: Final = MappingProxyType({
    OWNER: "Owner",
    CONTRIBUTOR: "Contributor",
    USER_ACCESS_ADMINISTRATOR: "User Access Administrator",
    RBAC_ADMINISTRATOR: "Role Based Access Control Administrator",
    RESERVATIONS_ADMINISTRATOR: "Reservations Administrator",
})
# The same roles by lower-cased name, for data that names a role but carries no GUID.
PRIVILEGED_ROLE_NAMES: Final = frozenset(name.lower() for name in PRIVILEGED_ROLES.values())
# Privileged roles that can grant access to others (write role assignments): Owner-equivalent.
ACCESS_ADMIN_ROLES: Final = frozenset({OWNER, USER_ACCESS_ADMINISTRATOR, RBAC_ADMINISTRATOR})
# Roles that can change resources (write) in a scope; Reader and the like cannot.
WRITE_ROLES: Final = frozenset({OWNER, CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR, RBAC_ADMINISTRATOR})


def is_privileged_role_name(name: str) -> bool:
    """A role named ``name`` is one of PRIVILEGED_ROLES (built-in names are the same everywhere)."""
    return name.strip().lower() in PRIVILEGED_ROLE_NAMES


_CREDENTIAL_ATTRIBUTES = (
    attr("secret_count", "integer", "client secrets (password credentials) present"),
    attr("secret_lifetimes_days", "list", "lifetime in whole days (start to end) of every client secret"),
    attr("max_secret_lifetime_days", "integer", "longest client secret lifetime in days; null without secrets", nullable=True),
    attr("expired_secret_count", "integer", "client secrets past their end date but still present"),
    attr("certificate_count", "integer", "certificate credentials (key credentials) present"),
    attr("expired_certificate_count", "integer", "certificate credentials past their end date but still present"),
)

TENANT = ResourceType(
    "azure.tenant",
    "A Microsoft Entra ID tenant: sign-in policy (security defaults, Conditional Access) and admins.",
    (
        attr("tenant_id", "string", "tenant (directory) id"),
        attr("verified_domains", "list", "verified domain names; principals outside them are external"),
        attr("security_defaults_enabled", "boolean", "security defaults are on (MFA for all, legacy auth blocked)"),
        attr("conditional_access_policy_count", "integer", "Conditional Access policies in the tenant, any state"),
        attr("enabled_conditional_access_policies", "list", "names of Conditional Access policies that are on (not report-only)"),
        attr("report_only_conditional_access_policies", "list", "names of Conditional Access policies in report-only mode"),
        attr("mfa_required_all_users_by_ca", "boolean", "an enabled CA policy requires MFA for all users on all apps"),
        attr("mfa_required_admins_by_ca", "boolean", "an enabled CA policy requires MFA for all users or for Global Administrators"),
        attr("mfa_enforced_all_users", "boolean", "security defaults on, or MFA required for all users by CA"),
        attr("mfa_enforced_admins", "boolean", "security defaults on, or MFA required for admins by CA"),
        attr("mfa_policy_exclusions", "list", "users, groups and roles excluded from every enabled CA policy requiring MFA for all users, e.g. 'breakglass@contoso.com (user)'"),
        attr("mfa_excluded_accounts", "list", "user accounts those exclusions leave without MFA: excluded users, transitive members of excluded groups, active and eligible holders of excluded roles"),
        attr("mfa_excluded_account_count", "integer", "number of mfa_excluded_accounts"),
        attr("mfa_excluded_admins_without_mfa", "list", "enabled mfa_excluded_accounts holding a privileged directory role (active or PIM-eligible, directly or through a group) with no MFA method registered: never break-glass"),
        attr("admins_outside_mfa_policy", "list", "admins (users holding a privileged directory role, active or PIM-eligible, directly or through a group) whom no enabled Conditional Access policy requiring MFA takes in (excluded by user, group or role, or never included); [] under security defaults"),
        attr("admins_outside_mfa_policy_without_mfa", "list", "enabled admins_outside_mfa_policy with no MFA method registered"),
        attr("admin_mfa_policy_exclusions", "list", "users, groups and roles excluded from every enabled CA policy requiring MFA for admins"),
        attr("legacy_auth_policy_exclusions", "list", "users, groups and roles excluded from every enabled CA policy blocking legacy authentication"),
        attr("managed_device_policy_exclusions", "list", "users, groups and roles excluded from every enabled CA policy requiring a compliant or hybrid-joined device"),
        attr("legacy_auth_blocked", "boolean", "security defaults on, or an enabled CA policy blocks legacy clients for all users"),
        attr("managed_device_required_for_admins", "boolean", "an enabled CA policy requires a compliant or hybrid-joined device for all users or admins"),
        attr("global_admin_count", "integer", "active Global Administrator assignments (users, groups, apps)"),
        attr("global_admins", "list", "user principal names (or display names) of the Global Administrators"),
        attr("directory_pim_available", "boolean", "Privileged Identity Management for directory roles answers (Entra ID P2)"),
        attr("permanent_global_admin_count", "integer", "standing Global Administrator assignments: active, not a PIM activation, no end date"),
        attr("permanent_global_admins", "list", "names of the standing Global Administrators"),
        attr("eligible_global_admin_count", "integer", "principals eligible for Global Administrator through PIM (just-in-time)"),
        attr("eligible_global_admins", "list", "names of the PIM-eligible Global Administrators"),
        attr("guest_invite_setting", "string", "who may invite guests: none, adminsAndGuestInviters, adminsGuestInvitersAndAllMembers, everyone"),
        attr("guest_invites_restricted", "boolean", "only admins and the Guest Inviter role may invite guests (or nobody)"),
        attr("user_count", "integer", "users in the tenant (members and guests)"),
        attr("guest_count", "integer", "guest users in the tenant"),
    ),
)

SUBSCRIPTION = ResourceType(
    "azure.subscription",
    "An Azure subscription: who owns it, whether its activity log leaves it, classic admins.",
    (
        attr("subscription_id", "string", "subscription GUID"),
        attr("tenant_id", "string", "tenant the subscription trusts"),
        attr("state", "string", "Enabled, Disabled, Warned, PastDue, Deleted"),
        attr("tags", "object", "subscription tags"),
        attr("owner_count", "integer", "principals holding Owner at this subscription or above (active or PIM-eligible), a group's transitive members counted in place of the group"),
        attr("owners", "list", "display names of those Owner principals ('name (via group)' for group members)"),
        attr("permanent_owner_count", "integer", "Owner assignments at subscription scope that are standing (not JIT, no end date)"),
        attr("user_access_admin_count", "integer", "principals holding User Access Administrator at this subscription or above (active or PIM-eligible), group members counted in place of the group"),
        attr("user_access_admins", "list", "display names of those User Access Administrators"),
        attr("rbac_admin_count", "integer", "principals holding Role Based Access Control Administrator at this subscription or above (active or PIM-eligible), group members counted in place of the group"),
        attr("rbac_admins", "list", "display names of those RBAC Administrators"),
        attr("access_admin_count", "integer", "distinct principals who can grant access without being Owner: User Access Administrator or RBAC Administrator holders"),
        attr("access_admins", "list", "display names of those principals"),
        attr("pim_available", "boolean", "Privileged Identity Management answers for this subscription (Entra ID P2)"),
        attr("activity_log_exported", "boolean", "a diagnostic setting sends the activity log to a workspace, storage account or event hub"),
        attr("activity_log_destinations", "list", "where the activity log diagnostic settings send it"),
        attr("classic_administrators", "list", "classic (co-)administrators: email and role"),
        attr("classic_administrator_count", "integer", "classic service administrators and co-administrators"),
        attr("environment", "string", "production, staging, development (or the tag's own word) from an environment tag (settings environment_tags), else 'production' / 'non-production' from the name conventions in settings (production_name_pattern, nonproduction_name_pattern); null when neither says", nullable=True),
        attr("is_production", "boolean", "environment is production"),
        attr("security_contact_emails", "list", "Microsoft Defender for Cloud security contact email addresses (securityContacts, enabled contacts only)"),
        attr("security_contact_configured", "boolean", "an enabled Defender for Cloud security contact names at least one email address"),
        attr("security_alerts_to_owners", "boolean", "Defender for Cloud also emails subscription Owners (notificationsByRole on, Owner among the roles)"),
    ),
)

ROLE_ASSIGNMENT = ResourceType(
    "azure.role_assignment",
    "An Azure RBAC role assignment, active or PIM-eligible, with who holds it and how.",
    (
        attr("subscription_id", "string", "subscription the assignment was read from"),
        attr("role_definition_id", "string", "role definition GUID"),
        attr("role_name", "string", "role name (Owner, Contributor, a custom role name)"),
        attr("role_type", "string", "BuiltInRole or CustomRole"),
        attr("privileged", "boolean", "one of PRIVILEGED_ROLES (Owner, Contributor, User Access Administrator, RBAC Administrator, Reservations Administrator), or a custom role granting * or Microsoft.Authorization write"),
        attr("principal_id", "string", "object id of the principal"),
        attr("principal_type", "string", "User, Group, ServicePrincipal, ForeignGroup, Device"),
        attr("principal_name", "string", "display name or UPN of the principal", nullable=True),
        attr("principal_email", "string", "mail (or UPN) of a user principal", nullable=True),
        attr("principal_is_guest", "boolean", "the principal is an Entra guest user"),
        attr("principal_is_external", "boolean", "guest, or a user whose email domain is not a verified domain of the tenant"),
        attr("group_member_ids", "list", "for a Group principal: object ids of its transitive members (users, apps, devices; nested groups flattened); [] otherwise"),
        attr("group_members", "list", "names of those members (UPN, guest email or display name), in the order of group_member_ids"),
        attr("group_members_include_guest", "boolean", "a transitive member of the group is an Entra guest"),
        attr("group_external_members", "list", "transitive members of the group who are guests or external (foreign domain, third-party app)"),
        attr("held_by_guest_or_external", "boolean", "the principal, or anyone holding the role through the group, is a guest or external"),
        attr("scope", "string", "ARM scope of the assignment"),
        attr("scope_level", "string", "root, management_group, subscription, resource_group or resource"),
        attr("assignment_type", "string", "permanent (standing), time_bound (active with end date), activated (JIT activation) or eligible (PIM, not active)"),
        attr("end_at", "timestamp", "when a time-bound, activated or eligible assignment ends", nullable=True),
        attr("pim_available", "boolean", "Privileged Identity Management answers for the subscription"),
        attr("created_at", "timestamp", "when the assignment was created", nullable=True),
        attr("write_role", "boolean", "the role can change resources: Owner, Contributor, User Access Administrator, RBAC Administrator, or a custom role with any non-read action"),
        attr("environments", "list", "environments of the subscriptions the assignment applies to (one for a subscription or below; each read subscription under a management group); null environments left out"),
        attr("cross_environment_writers", "list", "holders of this write assignment (the principal, or the group's transitive members) who also hold a write role in a subscription of the other class (production vs non-production); [] for a non-write role"),
    ),
)

ROLE_DEFINITION = ResourceType(
    "azure.role_definition",
    "A custom Azure RBAC role definition and how far its permissions reach.",
    (
        attr("role_name", "string", "role name"),
        attr("role_type", "string", "CustomRole"),
        attr("actions", "list", "allowed control-plane actions"),
        attr("not_actions", "list", "excluded control-plane actions"),
        attr("data_actions", "list", "allowed data-plane actions"),
        attr("assignable_scopes", "list", "scopes where it can be assigned"),
        attr("allows_all_actions", "boolean", "actions include * (subscription administrator equivalent)"),
        attr("allows_authorization_write", "boolean", "can write role assignments or definitions (Microsoft.Authorization/*/write or wider)"),
    ),
)

USER = ResourceType(
    "azure.user",
    "A Microsoft Entra ID user (member or guest): sign-in state, MFA registration, directory roles.",
    (
        attr("object_id", "string", "Entra object id"),
        attr("user_principal_name", "string", "sign-in name (UPN)"),
        attr("mail", "string", "mail attribute", nullable=True),
        attr("email", "string", "work email for roster matching: mail, else the UPN", nullable=True),
        attr("user_type", "string", "Member or Guest"),
        attr("is_guest", "boolean", "user type is Guest"),
        attr("account_enabled", "boolean", "accountEnabled: the user can sign in"),
        attr("active", "boolean", "the account can still sign in (accountEnabled)"),
        attr("is_admin", "boolean", "holds a privileged (non-reader) Entra directory role, e.g. Global Administrator"),
        attr("directory_roles", "list", "names of active Entra directory roles"),
        attr("eligible_directory_roles", "list", "names of Entra directory roles the user is eligible for through PIM (just-in-time, not active)"),
        attr("mfa_registered", "boolean", "registered an MFA method (userRegistrationDetails)"),
        attr("mfa_capable", "boolean", "registered a strong method allowed by policy (userRegistrationDetails)"),
        attr("mfa_enabled", "boolean", "MFA registered (the contract's MFA flag)"),
        attr("methods_registered", "list", "authentication methods registered"),
        attr("last_sign_in_at", "timestamp", "last interactive sign-in", nullable=True),
        attr("last_activity_at", "timestamp", "last interactive or non-interactive sign-in", nullable=True),
        attr("days_since_last_activity", "integer", "whole days since last_activity_at", nullable=True),
        attr("created_at", "timestamp", "when the account was created", nullable=True),
        attr("days_inactive", "integer", "days since last sign-in, or since creation for an account that never signed in", nullable=True),
        attr("on_premises_synced", "boolean", "synchronised from on-premises Active Directory"),
        attr("handles", "list", "identifiers a roster could name this account by: UPN, mail, object id"),
    ),
)

SERVICE_PRINCIPAL = ResourceType(
    "azure.service_principal",
    "An Entra service principal (enterprise app): its credentials, directory roles and Graph permissions.",
    (
        attr("object_id", "string", "Entra object id"),
        attr("app_id", "string", "application (client) id"),
        attr("service_principal_type", "string", "Application, ManagedIdentity, Legacy, SocialIdp"),
        attr("account_enabled", "boolean", "the service principal can sign in"),
        attr("owned_by_tenant", "boolean", "the app is registered in this tenant (not a third-party or Microsoft app)"),
        attr("app_owner_organization_id", "string", "tenant that registered the app", nullable=True),
        *_CREDENTIAL_ATTRIBUTES,
        attr("directory_roles", "list", "names of active Entra directory roles held"),
        attr("has_privileged_directory_role", "boolean", "holds a privileged Entra directory role"),
        attr("graph_app_permissions", "list", "Microsoft Graph application permissions granted"),
        attr("high_privilege_graph_permissions", "list", "granted Graph permissions that allow takeover or bulk data access"),
    ),
)

APPLICATION = ResourceType(
    "azure.application",
    "An Entra app registration: where most client secrets live.",
    (
        attr("object_id", "string", "Entra object id of the application"),
        attr("app_id", "string", "application (client) id"),
        attr("sign_in_audience", "string", "who can sign in: AzureADMyOrg, AzureADMultipleOrgs, ...", nullable=True),
        attr("created_at", "timestamp", "when the app was registered", nullable=True),
        *_CREDENTIAL_ATTRIBUTES,
        attr("federated_credentials", "list",
             "federated identity credentials (GET /applications/{id}/federatedIdentityCredentials): "
             "[{name, issuer, subject, audiences}], the external workloads (a GitHub Actions OIDC subject, ...) "
             "that may sign in as this app without a secret; Unknown when they could not be read"),
    ),
)

TYPES: tuple[ResourceType, ...] = (
    TENANT,
    SUBSCRIPTION,
    ROLE_ASSIGNMENT,
    ROLE_DEFINITION,
    USER,
    SERVICE_PRINCIPAL,
    APPLICATION,
)

# The people-linking kinds of this platform (scanner.correlate reads them).
ACCOUNT_KINDS: tuple[AccountKind, ...] = (
    AccountKind("azure.user", "azure", roster_fields=("entra_upn",), unique_name=True),
    # A standing Owner assignment of a leaver is a finding of its own: linked through its principal.
    AccountKind("azure.role_assignment", "azure", principal_of=("azure.user",)),
)
