"""The fake Azure estate the fake server serves: Northwind Labs' Entra tenant and subscriptions.

Shapes follow the published examples (Azure REST API specs for ARM, Microsoft Graph v1.0 docs
for Graph; trimmed property lists under ``tests/fakes/azure/spec``, checked by test_azure_fake_shapes). Two tenants: ``northwind()`` (the
main one, with nw-prod and nw-dev) and ``sandbox()`` (a second, differently configured tenant,
so every tenant-level policy has a PASS and a FAIL in the demo).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.azure.intune import compliance_policy, managed_device

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
UAA = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
RBAC_ADMIN = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
DIRECTORY_SYNC = "d29b2b05-8046-44ba-8758-1e26182fcf32"  # Directory Synchronization Accounts
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
MICROSOFT_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

NORTHWIND_TENANT = "7f0c9a8e-1b2d-4c3e-9f40-5a6b7c8d9e01"
SANDBOX_TENANT = "3c1e5f7a-9b2d-4e6f-8a0c-1d2e3f4a5b6c"
ACME_TENANT = "5d2c8e40-77aa-4c1b-9e0d-acacacacacac"
NW_PROD = "11111111-2222-3333-4444-555555555555"
NW_DEV = "66666666-7777-8888-9999-000000000000"
SANDBOX_SUB = "99999999-aaaa-bbbb-cccc-dddddddddddd"

# Graph app role ids of Microsoft Graph (application permissions).
GRAPH_ROLES = {
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    "Policy.Read.All": "246dd0d5-5bd0-4def-940b-0421030a5b68",
    "AuditLog.Read.All": "b0afded3-3588-46d8-8b3d-9842eff778da",
    "RoleManagement.Read.Directory": "483bed4a-2ad3-4361-a73b-c83ccdbdc53c",
    "UserAuthenticationMethod.Read.All": "38d9df27-64da-44fd-b7c5-a6fbac20248f",
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
}


@dataclass
class Estate:
    """Everything one fake tenant holds, as REST JSON objects."""

    tenant_id: str
    organization: dict[str, Any]
    users: list[dict[str, Any]]
    registration: list[dict[str, Any]]
    directory_role_assignments: list[dict[str, Any]]
    directory_role_definitions: list[dict[str, Any]]
    security_defaults: dict[str, Any]
    ca_policies: list[dict[str, Any]]
    authorization_policy: dict[str, Any]
    service_principals: list[dict[str, Any]]
    applications: list[dict[str, Any]]
    graph_grants: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    subscriptions: list[dict[str, Any]]
    # PIM for Entra directory roles (Graph): eligibilities and active schedule instances
    directory_eligibility: list[dict[str, Any]] = field(default_factory=list)
    directory_assignment_schedules: list[dict[str, Any]] = field(default_factory=list)
    directory_no_pim: bool = False  # no Entra ID P2: Graph answers 400 AadPremiumLicenseRequired
    # group id -> its direct members (users, service principals, groups); the server flattens them
    group_members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # ARM per subscription id
    role_assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    role_definitions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    eligibility: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    assignment_schedules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    classic_admins: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    diagnostic_settings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    no_pim: set[str] = field(default_factory=set)
    # Graph federatedIdentityCredential objects per application object id (absent: none)
    federated_credentials: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Defender for Cloud security contacts per subscription (absent: none configured)
    security_contacts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Intune (Graph deviceManagement): managed devices and compliance policies (with assignments)
    managed_devices: list[dict[str, Any]] = field(default_factory=list)
    compliance_policies: list[dict[str, Any]] = field(default_factory=list)


def _uid(n: int, prefix: str = "a1") -> str:
    return f"{prefix}{n:06d}-0000-4000-8000-{n:012d}"


def user(n: int, upn: str, name: str, *, mail: str | None = None, guest: bool = False, enabled: bool = True,
         created: str = "2024-02-01T09:00:00Z", last: str | None = None, last_non_interactive: str | None = None,
         synced: bool = False) -> dict[str, Any]:
    """A user as GET /users?$select=...,signInActivity returns it (graph-users.json shape)."""
    activity = None
    if last is not None or last_non_interactive is not None:
        activity = {
            "lastSignInDateTime": last or "0001-01-01T00:00:00Z",
            "lastSignInRequestId": f"{n:08d}-1111-2222-3333-444444444444",
            "lastNonInteractiveSignInDateTime": last_non_interactive or "0001-01-01T00:00:00Z",
            "lastNonInteractiveSignInRequestId": "",
            "lastSuccessfulSignInDateTime": last or last_non_interactive,
            "lastSuccessfulSignInRequestId": f"{n:08d}-1111-2222-3333-444444444444",
        }
    return {
        "id": _uid(n),
        "displayName": name,
        "userPrincipalName": upn,
        "mail": mail,
        "userType": "Guest" if guest else "Member",
        "accountEnabled": enabled,
        "createdDateTime": created,
        "onPremisesSyncEnabled": True if synced else None,
        "signInActivity": activity,
    }


def registration(u: dict[str, Any], *, mfa: bool, methods: list[str] | None = None, admin: bool = False) -> dict[str, Any]:
    """A userRegistrationDetails entry (graph-userRegistrationDetails.json shape)."""
    methods = methods if methods is not None else (["microsoftAuthenticatorPush", "softwareOneTimePasscode"] if mfa else [])
    return {
        "id": u["id"],
        "userPrincipalName": u["userPrincipalName"],
        "userDisplayName": u["displayName"],
        "isAdmin": admin,
        "isSsprRegistered": mfa,
        "isSsprEnabled": False,
        "isSsprCapable": False,
        "isMfaRegistered": mfa,
        "isMfaCapable": mfa,
        "isPasswordlessCapable": False,
        "lastUpdatedDateTime": "2026-11-01T08:00:00Z",
        "methodsRegistered": methods,
        "isSystemPreferredAuthenticationMethodEnabled": True,
        "systemPreferredAuthenticationMethods": ["push"] if mfa else [],
        "userPreferredMethodForSecondaryAuthentication": "push" if mfa else "none",
        "userType": "guest" if u["userType"] == "Guest" else "member",
    }


def directory_assignment(principal_id: str, role_id: str, n: int) -> dict[str, Any]:
    return {"id": f"lAPpYvVpN0KRkAEhdxReE{n:04d}-1", "principalId": principal_id, "directoryScopeId": "/", "roleDefinitionId": role_id}


def directory_eligibility(principal_id: str, role_id: str, n: int, end: str | None = None) -> dict[str, Any]:
    """A unifiedRoleEligibilityScheduleInstance (Graph v1.0 rbacapplication-list-roleeligibilityscheduleinstances shape)."""
    return {
        "id": f"8MYkhImhnkm70CbBdTyW1{n:04d}-1-e",
        "principalId": principal_id,
        "roleDefinitionId": role_id,
        "directoryScopeId": "/",
        "appScopeId": None,
        "startDateTime": "2026-06-01T09:00:00Z",
        "endDateTime": end,
        "memberType": "Direct",
        "roleEligibilityScheduleId": f"77f71919-62f3-4d0c-9f88-{n:012d}",
    }


def directory_schedule(assignment: dict[str, Any], kind: str = "Assigned", end: str | None = None) -> dict[str, Any]:
    """A unifiedRoleAssignmentScheduleInstance for an active directory role assignment (Graph v1.0
    rbacapplication-list-roleassignmentscheduleinstances shape): Assigned (standing) or Activated (JIT)."""
    return {
        "id": assignment["id"],
        "principalId": assignment["principalId"],
        "roleDefinitionId": assignment["roleDefinitionId"],
        "directoryScopeId": "/",
        "appScopeId": None,
        "startDateTime": "2026-11-20T07:30:00Z" if kind == "Activated" else None,
        "endDateTime": end,
        "assignmentType": kind,
        "memberType": "Direct",
        "roleAssignmentOriginId": assignment["id"],
        "roleAssignmentScheduleId": assignment["id"],
    }


def group(gid: str, name: str) -> dict[str, Any]:
    """A security group as a directoryObject (what /directoryObjects/{id} and transitiveMembers return)."""
    return {"@odata.type": "#microsoft.graph.group", "id": gid, "displayName": name}


def member(obj: dict[str, Any]) -> dict[str, Any]:
    """A group member as transitiveMembers lists it: a directoryObject with its @odata.type."""
    if "@odata.type" in obj:
        return obj
    if "userPrincipalName" in obj:
        return {"@odata.type": "#microsoft.graph.user", **obj}
    return {"@odata.type": "#microsoft.graph.servicePrincipal", **obj}


def ca_policy(pid: str, name: str, state: str, *, users: list[str] | None = None, roles: list[str] | None = None,
              apps: list[str] | None = None, client_apps: list[str] | None = None, controls: list[str], operator: str = "OR",
              exclude_users: list[str] | None = None, exclude_groups: list[str] | None = None,
              exclude_roles: list[str] | None = None) -> dict[str, Any]:
    """A conditionalAccessPolicy (graph-conditionalAccessPolicies.json shape)."""
    return {
        "id": pid,
        "displayName": name,
        "createdDateTime": "2025-03-01T10:00:00Z",
        "modifiedDateTime": "2026-01-15T10:00:00Z",
        "state": state,
        "sessionControls": None,
        "conditions": {
            "signInRiskLevels": [],
            "clientAppTypes": client_apps or ["all"],
            "platforms": None,
            "locations": None,
            "applications": {"includeApplications": apps or ["All"], "excludeApplications": [], "includeUserActions": []},
            "users": {
                "includeUsers": users or [],
                "excludeUsers": exclude_users or [],
                "includeGroups": [],
                "excludeGroups": exclude_groups or [],
                "includeRoles": roles or [],
                "excludeRoles": exclude_roles or [],
            },
        },
        "grantControls": {"operator": operator, "builtInControls": controls, "customAuthenticationFactors": [], "termsOfUse": []},
    }


def secret(key: int, name: str, start: str, end: str) -> dict[str, Any]:
    """A passwordCredential as list calls return it: no secretText, only a 3-character hint."""
    return {"customKeyIdentifier": None, "displayName": name, "endDateTime": end, "hint": "Q~x",
            "keyId": f"{key:08d}-aaaa-4bbb-8ccc-dddddddddddd", "secretText": None, "startDateTime": start}


def certificate(key: int, name: str, start: str, end: str) -> dict[str, Any]:
    return {"customKeyIdentifier": "52F1A5C9", "displayName": name, "endDateTime": end, "key": None,
            "keyId": f"{key:08d}-eeee-4fff-8aaa-bbbbbbbbbbbb", "startDateTime": start, "type": "AsymmetricX509Cert", "usage": "Verify"}


def service_principal(n: int, app_id: str, name: str, owner: str, *, secrets: list[dict[str, Any]] | None = None,
                      certificates: list[dict[str, Any]] | None = None, sp_type: str = "Application") -> dict[str, Any]:
    return {
        "id": _uid(n, "b2"),
        "appId": app_id,
        "displayName": name,
        "servicePrincipalType": sp_type,
        "accountEnabled": True,
        "appOwnerOrganizationId": owner,
        "passwordCredentials": secrets or [],
        "keyCredentials": certificates or [],
    }


def application(n: int, app_id: str, name: str, *, secrets: list[dict[str, Any]] | None = None,
                certificates: list[dict[str, Any]] | None = None, created: str = "2024-05-01T09:00:00Z") -> dict[str, Any]:
    return {
        "id": _uid(n, "c3"),
        "appId": app_id,
        "displayName": name,
        "signInAudience": "AzureADMyOrg",
        "createdDateTime": created,
        "passwordCredentials": secrets or [],
        "keyCredentials": certificates or [],
    }


def federated_credential(n: int, name: str, subject: str) -> dict[str, Any]:
    """A Graph federatedIdentityCredential trusting GitHub Actions' OIDC issuer for ``subject``."""
    return {
        "id": _uid(n, "c7"),
        "name": name,
        "issuer": "https://token.actions.githubusercontent.com",
        "subject": subject,
        "description": None,
        "audiences": ["api://AzureADTokenExchange"],
    }


def graph_service_principal() -> dict[str, Any]:
    sp = service_principal(999, GRAPH_APP_ID, "Microsoft Graph", MICROSOFT_TENANT)
    sp["appRoles"] = [
        {"allowedMemberTypes": ["Application"], "id": role_id, "isEnabled": True, "value": value,
         "displayName": value, "description": value, "origin": "Application"}
        for value, role_id in GRAPH_ROLES.items()
    ]
    return sp


def grant(principal: dict[str, Any], resource: dict[str, Any], permission: str, n: int) -> dict[str, Any]:
    return {
        "id": f"grant{n:04d}",
        "appRoleId": GRAPH_ROLES[permission],
        "createdDateTime": "2025-01-01T00:00:00Z",
        "principalDisplayName": principal["displayName"],
        "principalId": principal["id"],
        "principalType": "ServicePrincipal",
        "resourceDisplayName": "Microsoft Graph",
        "resourceId": resource["id"],
    }


def subscription(sub_id: str, name: str, tenant_id: str, tags: dict[str, str]) -> dict[str, Any]:
    """A subscription (GetSubscriptions.json shape)."""
    return {
        "id": f"/subscriptions/{sub_id}",
        "subscriptionId": sub_id,
        "tenantId": tenant_id,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "tags": tags,
    }


def role_assignment(sub_id: str, n: int, principal_id: str, principal_type: str, role: str, scope: str,
                    created: str = "2025-06-01T10:00:00Z") -> dict[str, Any]:
    """An ARM role assignment (RoleAssignments_ListForSubscription.json shape, plus createdOn)."""
    name = f"{n:08d}-5555-4666-8777-{sub_id[-12:]}"
    base = scope.rstrip("/")  # an assignment's id lives under its scope (a management group's too)
    return {
        "id": f"{base}/providers/Microsoft.Authorization/roleAssignments/{name}",
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": f"/subscriptions/{sub_id}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            "principalId": principal_id,
            "principalType": principal_type,
            "scope": scope,
            "createdOn": created,
        },
    }


def schedule_instance(assignment: dict[str, Any], kind: str, end: str | None) -> dict[str, Any]:
    """A roleAssignmentScheduleInstance (GetRoleAssignmentScheduleInstancesByScope.json shape)."""
    props = assignment["properties"]
    name = assignment["name"]
    return {
        "id": f"{props['scope']}/providers/Microsoft.Authorization/RoleAssignmentScheduleInstances/{name}",
        "name": name,
        "type": "Microsoft.Authorization/RoleAssignmentScheduleInstances",
        "properties": {
            "originRoleAssignmentId": assignment["id"],
            "assignmentType": kind,
            "scope": props["scope"],
            "roleDefinitionId": props["roleDefinitionId"],
            "principalId": props["principalId"],
            "principalType": props["principalType"],
            "status": "Provisioned",
            "startDateTime": "2026-11-20T07:00:00Z" if kind == "Activated" else props["createdOn"],
            "endDateTime": end,
            "memberType": "Direct",
            "createdOn": props["createdOn"],
        },
    }


def eligibility(sub_id: str, n: int, principal_id: str, principal_type: str, role: str, end: str | None) -> dict[str, Any]:
    """A roleEligibilityScheduleInstance (GetRoleEligibilityScheduleInstancesByScope.json shape)."""
    name = f"{n:08d}-9999-4aaa-8bbb-{sub_id[-12:]}"
    scope = f"/subscriptions/{sub_id}"
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/RoleEligibilityScheduleInstances/{name}",
        "name": name,
        "type": "Microsoft.Authorization/RoleEligibilityScheduleInstances",
        "properties": {
            "scope": scope,
            "roleDefinitionId": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            "principalId": principal_id,
            "principalType": principal_type,
            "status": "Provisioned",
            "roleEligibilityScheduleId": f"{scope}/providers/Microsoft.Authorization/RoleEligibilitySchedules/{name}",
            "startDateTime": "2026-01-10T00:00:00Z",
            "endDateTime": end,
            "memberType": "Direct",
            "createdOn": "2026-01-10T00:00:00Z",
        },
    }


def builtin_role(sub_id: str, role: str, name: str, actions: list[str]) -> dict[str, Any]:
    return role_definition(sub_id, role, name, "BuiltInRole", actions, ["/"])


def role_definition(sub_id: str, role: str, name: str, role_type: str, actions: list[str], scopes: list[str],
                    not_actions: list[str] | None = None) -> dict[str, Any]:
    """A role definition (GetRoleDefinitionAtScope.json shape)."""
    return {
        "id": f"/subscriptions/{sub_id}/providers/Microsoft.Authorization/roleDefinitions/{role}",
        "type": "Microsoft.Authorization/roleDefinitions",
        "name": role,
        "properties": {
            "roleName": name,
            "type": role_type,
            "description": name,
            "assignableScopes": scopes,
            "permissions": [{"actions": actions, "notActions": not_actions or [], "dataActions": [], "notDataActions": []}],
        },
    }


def classic_admin(sub_id: str, email: str, role: str, n: int) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub_id}/providers/Microsoft.Authorization/classicAdministrators/classicadmin{n}",
        "type": "Microsoft.Authorization/classicAdministrators",
        "name": f"classicadmin{n}",
        "properties": {"emailAddress": email, "role": role},
    }


def diagnostic_setting(sub_id: str, name: str, workspace: str) -> dict[str, Any]:
    """A subscription diagnostic setting (listSubscriptionDiagnosticSettings.json shape)."""
    return {
        "id": f"subscriptions/{sub_id}/providers/microsoft.insights/diagnosticSettings/{name}",
        "type": None,
        "name": name,
        "properties": {
            "workspaceId": f"/subscriptions/{sub_id}/resourceGroups/rg-logging/providers/Microsoft.OperationalInsights/workspaces/{workspace}",
            "logs": [{"categoryGroup": "allLogs", "enabled": True}],
        },
    }


def security_contact(sub_id: str, emails: str, *, enabled: bool = True, owners: bool = True) -> dict[str, Any]:
    """A Defender for Cloud security contact (2023-12-01-preview GetSecurityContactsSubscription_example.json shape)."""
    return {
        "id": f"/subscriptions/{sub_id}/providers/Microsoft.Security/securityContact/default",
        "name": "default",
        "type": "Microsoft.Security/securityContact",
        "properties": {
            "notificationsByRole": {"state": "On" if owners else "Off", "roles": ["Owner"] if owners else []},
            "isEnabled": enabled,
            "emails": emails,
            "phone": "",
            "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "Medium"},
                                     {"sourceType": "AttackPath", "minimalRiskLevel": "Critical"}],
        },
    }


def _builtin_roles(sub_id: str) -> list[dict[str, Any]]:
    return [
        builtin_role(sub_id, OWNER, "Owner", ["*"]),
        builtin_role(sub_id, CONTRIBUTOR, "Contributor", ["*"]),
        builtin_role(sub_id, UAA, "User Access Administrator", ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"]),
        builtin_role(sub_id, RBAC_ADMIN, "Role Based Access Control Administrator",
                     ["Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read", "Microsoft.Support/*"]),
        builtin_role(sub_id, READER, "Reader", ["*/read"]),
    ]


def northwind() -> Estate:
    """Northwind Labs' main tenant, nw-prod and nw-dev, as on 2026-11-20."""
    t = NORTHWIND_TENANT
    ana = user(1, "ana@northwind.dev", "Ana Silva", mail="ana@northwind.dev", last="2026-11-19T16:02:11Z", created="2023-01-09T09:00:00Z", synced=True)
    dmitri = user(4, "dmitri@northwind.dev", "Dmitri Volkov", mail="dmitri@northwind.dev", last="2026-11-09T17:45:00Z", created="2023-03-01T09:00:00Z", synced=True)
    eve = user(5, "eve_acme-outsourcing.io#EXT#@northwind.onmicrosoft.com", "Eve Okafor", mail="eve@acme-outsourcing.io", guest=True,
               last="2026-11-14T10:20:00Z", created="2025-09-15T12:00:00Z")
    farid = user(6, "farid@northwind.dev", "Farid Haddad", mail="farid@northwind.dev", last="2026-11-18T08:30:00Z", created="2026-10-01T09:00:00Z")
    breakglass = user(7, "breakglass@northwind.onmicrosoft.com", "Emergency access", last="2026-10-02T09:00:00Z", created="2023-01-09T09:10:00Z")
    lab_admin = user(8, "lab-admin@northwind.onmicrosoft.com", "Lab admin (shared)", last="2026-04-30T11:00:00Z", created="2023-06-12T09:00:00Z")
    old_contractor = user(9, "tomas@northwind.dev", "Tomas Berg", mail="tomas@northwind.dev", enabled=False, last="2026-02-27T09:00:00Z", created="2024-08-01T09:00:00Z")
    breakglass2 = user(10, "breakglass2@northwind.onmicrosoft.com", "Emergency access 2", last="2026-10-02T09:05:00Z", created="2023-01-09T09:12:00Z")
    users = [ana, dmitri, eve, farid, breakglass, lab_admin, old_contractor, breakglass2]
    reg = [
        registration(ana, mfa=True, admin=True),
        registration(dmitri, mfa=True),
        registration(eve, mfa=True),
        registration(farid, mfa=False),
        registration(breakglass, mfa=True, methods=["fido2"], admin=True),
        registration(lab_admin, mfa=False, admin=True),
        registration(breakglass2, mfa=True, methods=["fido2"], admin=True),
    ]  # tomas (disabled) is not in the report
    scanner_sp = service_principal(1, "5b7a0c1e-0d2f-4f3a-9b8c-7d6e5f4a3b21", "posture-scanner", t,
                                   certificates=[certificate(1, "posture-scanner-2026", "2026-01-05T00:00:00Z", "2027-01-05T00:00:00Z")])
    deployer_sp = service_principal(2, "6c8b1d2f-1e30-4a4b-8c9d-8e7f6a5b4c32", "github-deployer", t,
                                    secrets=[secret(2, "sp rotation", "2026-09-01T00:00:00Z", "2026-11-30T00:00:00Z")])
    legacy_sp = service_principal(3, "7d9c2e30-2f41-4b5c-9dae-9f8a7b6c5d43", "legacy-sync", t,
                                  secrets=[secret(3, "initial", "2023-06-01T00:00:00Z", "2026-06-01T00:00:00Z")])
    acme_sp = service_principal(4, "8eab3f41-3052-4c6d-8ebf-a09b8c7d6e54", "Acme Outsourcing Portal", ACME_TENANT)
    graph_sp = graph_service_principal()
    sps = [scanner_sp, deployer_sp, legacy_sp, acme_sp, graph_sp]
    apps = [
        application(1, scanner_sp["appId"], "posture-scanner",
                    certificates=[certificate(11, "posture-scanner-2026", "2026-01-05T00:00:00Z", "2027-01-05T00:00:00Z")]),
        application(2, deployer_sp["appId"], "github-deployer", created="2024-11-02T09:00:00Z",
                    secrets=[secret(12, "deploy key", "2025-11-01T00:00:00Z", "2027-11-01T00:00:00Z")]),
        application(3, legacy_sp["appId"], "legacy-sync", created="2023-05-30T09:00:00Z",
                    secrets=[secret(13, "rotated 2025", "2025-05-01T00:00:00Z", "2025-10-28T00:00:00Z"),
                             secret(14, "rotated 2026", "2026-04-01T00:00:00Z", "2026-09-28T00:00:00Z")]),
    ]
    grants = [grant(scanner_sp, graph_sp, p, i) for i, p in enumerate(
        ["Directory.Read.All", "Policy.Read.All", "AuditLog.Read.All", "RoleManagement.Read.Directory", "UserAuthenticationMethod.Read.All"])]
    grants.append(grant(legacy_sp, graph_sp, "Directory.ReadWrite.All", 10))
    ops_group = group("d4000001-0000-4000-8000-000000000001", "nw-ops")
    # Owner on nw-dev through a group; a nested vendor group brings the Acme guest in with it.
    platform_admins = group("d4000002-0000-4000-8000-000000000002", "nw-platform-admins")
    acme_staff = group("d4000003-0000-4000-8000-000000000003", "acme-outsourcing-staff")

    prod, dev = NW_PROD, NW_DEV
    mg_scope = "/providers/Microsoft.Management/managementGroups/northwind"
    ana_prod = role_assignment(prod, 1, ana["id"], "User", OWNER, f"/subscriptions/{prod}", "2023-02-01T10:00:00Z")
    eve_prod = role_assignment(prod, 2, eve["id"], "User", OWNER, f"/subscriptions/{prod}", "2025-09-16T10:00:00Z")
    farid_prod = role_assignment(prod, 3, farid["id"], "User", OWNER, f"/subscriptions/{prod}", "2026-11-20T07:00:00Z")
    deployer_prod = role_assignment(prod, 4, deployer_sp["id"], "ServicePrincipal", CONTRIBUTOR, f"/subscriptions/{prod}")
    scanner_mg = role_assignment(prod, 5, scanner_sp["id"], "ServicePrincipal", READER, mg_scope)
    ops_rg = role_assignment(prod, 6, ops_group["id"], "Group", "0f6a2b9c-1d3e-4f50-a617-28394a5b6c7d",
                             f"/subscriptions/{prod}/resourceGroups/rg-platform")
    # Three principals can grant access on nw-prod without being Owner: Dmitri (standing User
    # Access Administrator), the deployer app (UAA, an app) and Ana (eligible RBAC Administrator).
    dmitri_uaa = role_assignment(prod, 7, dmitri["id"], "User", UAA, f"/subscriptions/{prod}", "2024-04-02T10:00:00Z")
    deployer_uaa = role_assignment(prod, 8, deployer_sp["id"], "ServicePrincipal", UAA, f"/subscriptions/{prod}", "2025-01-15T10:00:00Z")
    ana_dev = role_assignment(dev, 11, ana["id"], "User", OWNER, f"/subscriptions/{dev}", "2023-02-01T10:00:00Z")
    farid_dev = role_assignment(dev, 12, farid["id"], "User", CONTRIBUTOR, f"/subscriptions/{dev}", "2026-10-02T10:00:00Z")
    acme_dev = role_assignment(dev, 13, acme_sp["id"], "ServicePrincipal", READER, f"/subscriptions/{dev}")
    platform_dev = role_assignment(dev, 14, platform_admins["id"], "Group", OWNER, f"/subscriptions/{dev}", "2026-03-02T10:00:00Z")
    scanner_mg_dev = role_assignment(dev, 5, scanner_sp["id"], "ServicePrincipal", READER, mg_scope)
    scanner_mg_dev["name"] = scanner_mg["name"]
    scanner_mg_dev["id"] = scanner_mg["id"]  # the same inherited assignment, seen from both subscriptions

    custom_superuser = role_definition(prod, "0f6a2b9c-1d3e-4f50-a617-28394a5b6c7d", "NW Ops Superuser", "CustomRole", ["*"],
                                       [f"/subscriptions/{prod}", f"/subscriptions/{dev}"])
    custom_logs = role_definition(prod, "1a7b3cad-2e4f-4061-b728-394a5b6c7d8e", "NW Log Reader", "CustomRole",
                                  ["Microsoft.Insights/*/read", "Microsoft.OperationalInsights/workspaces/query/*/read"], [f"/subscriptions/{prod}"])

    # Ana is a standing Global Administrator next to the two break-glass accounts; Farid is
    # eligible (just-in-time through PIM).
    directory_assignments = [
        directory_assignment(ana["id"], GLOBAL_ADMIN, 1),
        directory_assignment(breakglass["id"], GLOBAL_ADMIN, 2),
        directory_assignment(lab_admin["id"], USER_ADMIN, 3),
        directory_assignment(breakglass2["id"], GLOBAL_ADMIN, 4),
    ]
    return Estate(
        tenant_id=t,
        organization={
            "id": t,
            "displayName": "Northwind Labs",
            "verifiedDomains": [
                {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": False, "isInitial": True, "name": "northwind.onmicrosoft.com", "type": "Managed"},
                {"capabilities": "Email", "isDefault": True, "isInitial": False, "name": "northwind.dev", "type": "Managed"},
            ],
        },
        users=users,
        registration=reg,
        directory_role_assignments=directory_assignments,
        directory_eligibility=[directory_eligibility(farid["id"], GLOBAL_ADMIN, 1, "2027-06-01T00:00:00Z")],
        directory_assignment_schedules=[directory_schedule(a) for a in directory_assignments],
        directory_role_definitions=[
            {"id": GLOBAL_ADMIN, "displayName": "Global Administrator", "isBuiltIn": True},
            {"id": USER_ADMIN, "displayName": "User Administrator", "isBuiltIn": True},
        ],
        security_defaults={"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
                           "id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
                           "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.", "isEnabled": False},
        ca_policies=[
            ca_policy("1b2c3d4e-0001-4000-8000-000000000001", "Require MFA for all users", "enabled", users=["All"], controls=["mfa"],
                      exclude_users=[breakglass["id"], breakglass2["id"]]),
            ca_policy("1b2c3d4e-0002-4000-8000-000000000002", "Block legacy authentication", "enabledForReportingButNotEnforced",
                      users=["All"], client_apps=["exchangeActiveSync", "other"], controls=["block"],
                      exclude_users=[breakglass["id"]]),
        ],
        authorization_policy={"id": "authorizationPolicy", "displayName": "Authorization Policy", "allowInvitesFrom": "everyone",
                              "allowedToSignUpEmailBasedSubscriptions": True, "blockMsolPowerShell": False},
        service_principals=sps,
        applications=apps,
        # The deployer app signs in from the api repository's production environment (GitHub
        # OIDC): the path GitHub -> Azure Owner-equivalent (Contributor + User Access Administrator).
        federated_credentials={apps[1]["id"]: [
            federated_credential(1, "github-api-production", "repo:northwind-labs/api:environment:production")]},
        graph_grants=grants,
        groups=[ops_group, platform_admins, acme_staff],
        group_members={
            ops_group["id"]: [member(ana), member(farid)],
            platform_admins["id"]: [member(farid), acme_staff],
            acme_staff["id"]: [member(eve)],
        },
        subscriptions=[
            subscription(prod, "nw-prod", t, {"environment": "production"}),
            subscription(dev, "nw-dev", t, {"environment": "development"}),
        ],
        role_assignments={
            prod: [ana_prod, eve_prod, farid_prod, deployer_prod, scanner_mg, ops_rg, dmitri_uaa, deployer_uaa],
            dev: [ana_dev, farid_dev, acme_dev, scanner_mg_dev, platform_dev],
        },
        role_definitions={
            prod: _builtin_roles(prod) + [custom_superuser, custom_logs],
            dev: _builtin_roles(dev) + [custom_superuser],
        },
        eligibility={
            prod: [eligibility(prod, 1, dmitri["id"], "User", OWNER, "2027-01-10T00:00:00Z"),
                   eligibility(prod, 2, ana["id"], "User", RBAC_ADMIN, "2027-03-01T00:00:00Z")],
            dev: [],
        },
        assignment_schedules={
            prod: [schedule_instance(ana_prod, "Assigned", None), schedule_instance(eve_prod, "Assigned", None),
                   schedule_instance(farid_prod, "Activated", "2026-11-20T15:00:00Z"),
                   schedule_instance(deployer_prod, "Assigned", "2027-05-01T00:00:00Z"),
                   schedule_instance(dmitri_uaa, "Assigned", None), schedule_instance(deployer_uaa, "Assigned", None)],
            dev: [schedule_instance(ana_dev, "Assigned", None), schedule_instance(farid_dev, "Assigned", None),
                  schedule_instance(platform_dev, "Assigned", None)],
        },
        classic_admins={
            prod: [classic_admin(prod, "dmitri@northwind.dev", "ServiceAdministrator;AccountAdministrator", 1)],
            dev: [],
        },
        diagnostic_settings={
            prod: [diagnostic_setting(prod, "activity-to-sentinel", "law-nw-security")],
            dev: [],
        },
        # nw-prod names the security team; nw-dev has none (alerts reach nobody in particular).
        security_contacts={prod: [security_contact(prod, "security@northwind.dev;ana@northwind.dev")]},
        # Intune: Ana's Mac is fine; Farid's laptop is neither compliant nor encrypted; Dmitri's
        # phone stopped checking in; Eve's personal Android is rooted; Tomas (gone, account
        # disabled) had his laptop retired but not his phone.
        managed_devices=[
            managed_device(1, "NW-MAC-ANA", ana, os="macOS", version="15.1.1", state="compliant", encrypted=True,
                           last_sync="2026-11-19T18:20:00Z", jailbroken="Unknown"),
            managed_device(2, "NW-LT-FARID", farid, os="Windows", version="10.0.22631.4460", state="noncompliant", encrypted=False,
                           last_sync="2026-11-18T08:45:00Z", jailbroken="Unknown"),
            managed_device(3, "Dmitri's iPhone", dmitri, os="iOS", version="17.6.1", state="compliant", encrypted=True,
                           last_sync="2026-09-01T07:10:00Z"),
            managed_device(4, "eve-pixel", eve, os="Android", version="14", state="noncompliant", encrypted=True,
                           last_sync="2026-11-19T21:00:00Z", jailbroken="True", owner_type="personal"),
            managed_device(5, "NW-LT-TOMAS", old_contractor, os="Windows", version="10.0.22631.3007", state="compliant", encrypted=True,
                           last_sync="2026-02-27T17:00:00Z", jailbroken="Unknown", management="retireIssued"),
            # ... but his phone was forgotten: still managed, still holding company mail.
            managed_device(6, "Tomas's iPhone", old_contractor, os="iOS", version="17.5", state="compliant", encrypted=True,
                           last_sync="2026-11-17T20:00:00Z", owner_type="personal"),
        ],
        compliance_policies=[
            compliance_policy(1, "windows10CompliancePolicy", "Windows baseline", storageRequireEncryption=True, bitLockerEnabled=True,
                              secureBootEnabled=True, osMinimumVersion="10.0.22621", passwordRequired=True),
            compliance_policy(2, "macOSCompliancePolicy", "macOS baseline", storageRequireEncryption=True, firewallEnabled=True,
                              passwordRequired=True),  # no minimum OS version
            compliance_policy(3, "iosCompliancePolicy", "iOS baseline", passcodeRequired=True, osMinimumVersion="17.0",
                              securityBlockJailbrokenDevices=True),
            compliance_policy(4, "androidWorkProfileCompliancePolicy", "Android work profile", osMinimumVersion="13",
                              securityBlockJailbrokenDevices=True),  # encryption not required
            compliance_policy(5, "windows10CompliancePolicy", "Windows pilot (draft)", assigned=False),
        ],
    )


def sandbox() -> Estate:
    """A second, smaller tenant with a different sign-in setup (legacy auth blocked, device
    compliance for admins, MFA still in report-only, one standing Global Administrator, Entra ID P2)."""
    t = SANDBOX_TENANT
    admin = user(101, "sandbox-admin@nwlabs-sandbox.onmicrosoft.com", "Sandbox admin", last="2026-11-17T09:00:00Z", created="2025-02-01T09:00:00Z")
    tester = user(102, "ci-tester@nwlabs-sandbox.onmicrosoft.com", "CI tester", last="2026-11-20T06:00:00Z", created="2025-02-01T09:00:00Z")
    users = [admin, tester]
    sandbox_ga = directory_assignment(admin["id"], GLOBAL_ADMIN, 101)
    return Estate(
        tenant_id=t,
        organization={"id": t, "displayName": "Northwind Labs Sandbox",
                      "verifiedDomains": [{"capabilities": "Email", "isDefault": True, "isInitial": True, "name": "nwlabs-sandbox.onmicrosoft.com", "type": "Managed"}]},
        users=users,
        registration=[registration(admin, mfa=True, admin=True), registration(tester, mfa=True)],
        directory_role_assignments=[sandbox_ga],
        directory_assignment_schedules=[directory_schedule(sandbox_ga)],
        directory_role_definitions=[{"id": GLOBAL_ADMIN, "displayName": "Global Administrator", "isBuiltIn": True}],
        security_defaults={"id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults", "description": "", "isEnabled": False},
        ca_policies=[
            ca_policy("2c3d4e5f-0001-4000-8000-000000000001", "MFA for everyone (pilot)", "enabledForReportingButNotEnforced", users=["All"], controls=["mfa"]),
            ca_policy("2c3d4e5f-0002-4000-8000-000000000002", "Block legacy authentication", "enabled",
                      users=["All"], client_apps=["exchangeActiveSync", "other"], controls=["block"]),
            ca_policy("2c3d4e5f-0003-4000-8000-000000000003", "Admins on compliant devices", "enabled",
                      roles=[GLOBAL_ADMIN], controls=["compliantDevice", "domainJoinedDevice"], exclude_roles=[DIRECTORY_SYNC]),
        ],
        authorization_policy={"id": "authorizationPolicy", "displayName": "Authorization Policy", "allowInvitesFrom": "adminsAndGuestInviters"},
        service_principals=[graph_service_principal()],
        applications=[],
        graph_grants=[],
        groups=[],
        # No environment tag and no name convention configured: the environment is unknown.
        subscriptions=[subscription(SANDBOX_SUB, "nw-sandbox", t, {"costCenter": "rnd-lab"})],
        role_assignments={SANDBOX_SUB: [role_assignment(SANDBOX_SUB, 101, admin["id"], "User", OWNER, f"/subscriptions/{SANDBOX_SUB}")]},
        role_definitions={SANDBOX_SUB: _builtin_roles(SANDBOX_SUB)},
        eligibility={SANDBOX_SUB: []},
        assignment_schedules={SANDBOX_SUB: []},
        classic_admins={SANDBOX_SUB: []},
        diagnostic_settings={SANDBOX_SUB: [diagnostic_setting(SANDBOX_SUB, "activity-to-law", "law-sandbox")]},
        security_contacts={SANDBOX_SUB: [security_contact(SANDBOX_SUB, "sandbox-admin@nwlabs-sandbox.onmicrosoft.com", owners=False)]},
        managed_devices=[
            managed_device(101, "SBX-BUILD-01", tester, os="Windows", version="10.0.26100.2314", state="compliant", encrypted=True,
                           last_sync="2026-11-20T06:10:00Z", jailbroken="Unknown"),
        ],
        compliance_policies=[
            compliance_policy(101, "windows10CompliancePolicy", "Sandbox Windows", storageRequireEncryption=True, bitLockerEnabled=True,
                              osMinimumVersion="10.0.22631"),
        ],
    )
