"""Raw ARM and Graph JSON -> Resources. Pure functions: no network, no clock of their own.

Inputs are REST-shaped dicts (what the APIs return; the SDK models are serialized back to that
shape). A part that could not be read arrives as an ``Unknown`` instead of a list or dict, and
every attribute that depends on it becomes that ``Unknown`` too, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from scanner.collectors.azure import roles
from scanner.collectors.base import days_between, iso
from scanner.inventory.model import Resource, Unknown

Part = Any  # a list/dict read from the API, or Unknown("needs ...")

NEVER = "0001-01-01T00:00:00Z"  # Graph's "never" in signInActivity


def parse_time(value: Any) -> datetime | None:
    """Parse an ISO 8601 timestamp as Azure and Graph write it (7-digit fractions, Z). None if absent."""
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    text = value.strip().replace("Z", "+00:00")
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        tail = ""
        for index, char in enumerate(rest):
            if not char.isdigit():
                tail = rest[index:]
                break
            digits += char
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail}" if digits else f"{head}{tail}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _either(part: Part, compute: Any) -> Any:
    """``compute(part)`` when the part was read, else the part's Unknown."""
    return part if isinstance(part, Unknown) else compute(part)


def _domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1].lower()


def guest_email(user: Mapping[str, Any]) -> str | None:
    """The work email of a user: ``mail``; for guests without mail, decode the #EXT# UPN."""
    mail = user.get("mail")
    if mail:
        return str(mail).lower()
    upn = str(user.get("userPrincipalName") or "")
    if "#EXT#" in upn:
        local = upn.split("#EXT#", 1)[0]
        if "_" in local:
            name, _, domain = local.rpartition("_")
            return f"{name}@{domain}".lower()
    return upn.lower() or None


# --- tenant-wide context the per-object mappings read ---------------------------------------


@dataclass(frozen=True)
class Directory:
    """What the Entra half read, indexed for the ARM half (principal names, guest flags)."""

    tenant_id: str
    verified_domains: Part  # list[str] or Unknown
    users: Part  # dict object id -> user JSON, or Unknown
    service_principals: Part  # dict object id -> SP JSON, or Unknown
    other_objects: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def is_external_domain(self, address: str | None) -> bool | Unknown:
        if isinstance(self.verified_domains, Unknown):
            return self.verified_domains
        domain = _domain(address)
        if domain is None:
            return False
        return domain not in {d.lower() for d in self.verified_domains}


# --- Entra: tenant ----------------------------------------------------------------------------


def _covers_all_users(policy: Mapping[str, Any]) -> bool:
    users = (policy.get("conditions") or {}).get("users") or {}
    return "All" in (users.get("includeUsers") or [])


def _covers_admins(policy: Mapping[str, Any]) -> bool:
    users = (policy.get("conditions") or {}).get("users") or {}
    return _covers_all_users(policy) or roles.GLOBAL_ADMINISTRATOR in (users.get("includeRoles") or [])


def _all_apps(policy: Mapping[str, Any]) -> bool:
    apps = (policy.get("conditions") or {}).get("applications") or {}
    return "All" in (apps.get("includeApplications") or [])


def _grants(policy: Mapping[str, Any]) -> tuple[str, set[str]]:
    grant = policy.get("grantControls") or {}
    return str(grant.get("operator") or "OR").upper(), set(grant.get("builtInControls") or [])


def _requires(policy: Mapping[str, Any], controls: set[str]) -> bool:
    """The policy's grant cannot be satisfied without one of ``controls``."""
    operator, granted = _grants(policy)
    if not granted & controls:
        return False
    return operator == "AND" or granted <= controls


def _blocks_legacy(policy: Mapping[str, Any]) -> bool:
    conditions = policy.get("conditions") or {}
    client_apps = set(conditions.get("clientAppTypes") or [])
    _, granted = _grants(policy)
    return "block" in granted and {"exchangeActiveSync", "other"} <= client_apps


def map_tenant(
    *,
    tenant_id: str,
    organization: Part,
    security_defaults: Part,
    ca_policies: Part,
    authorization_policy: Part,
    directory_role_assignments: Part,
    users: Part,
    display_names: Mapping[str, str],
) -> Resource:
    """The tenant resource: sign-in policy, Global Administrators, guest settings."""
    org_name = tenant_id
    domains: Part
    if isinstance(organization, Unknown):
        domains = organization
    else:
        org_name = str(organization.get("displayName") or tenant_id)
        domains = [str(d.get("name")) for d in organization.get("verifiedDomains") or [] if d.get("name")]
    sd_enabled = _either(security_defaults, lambda p: bool(p.get("isEnabled")))

    def ca_flag(test: Any) -> Any:
        return _either(ca_policies, lambda ps: any(p.get("state") == "enabled" and test(p) for p in ps))

    mfa_all = ca_flag(lambda p: _covers_all_users(p) and _all_apps(p) and _requires(p, {"mfa"}))
    mfa_admins = ca_flag(lambda p: _covers_admins(p) and _requires(p, {"mfa"}))
    legacy = ca_flag(lambda p: _covers_all_users(p) and _blocks_legacy(p))
    device = ca_flag(lambda p: _covers_admins(p) and _requires(p, {"compliantDevice", "domainJoinedDevice"}))

    global_admins = _either(
        directory_role_assignments,
        lambda assignments: sorted(
            display_names.get(a.get("principalId", ""), a.get("principalId", ""))
            for a in assignments
            if a.get("roleDefinitionId") == roles.GLOBAL_ADMINISTRATOR
        ),
    )
    invites = _either(authorization_policy, lambda p: str(p.get("allowInvitesFrom") or "everyone"))
    return Resource(
        type="azure.tenant",
        id=f"azure:{tenant_id}",
        name=org_name,
        scope=tenant_id,
        attributes={
            "tenant_id": tenant_id,
            "verified_domains": domains,
            "security_defaults_enabled": sd_enabled,
            "conditional_access_policy_count": _either(ca_policies, len),
            "enabled_conditional_access_policies": _either(
                ca_policies, lambda ps: sorted(str(p.get("displayName")) for p in ps if p.get("state") == "enabled")
            ),
            "report_only_conditional_access_policies": _either(
                ca_policies,
                lambda ps: sorted(str(p.get("displayName")) for p in ps if p.get("state") == "enabledForReportingButNotEnforced"),
            ),
            "mfa_required_all_users_by_ca": mfa_all,
            "mfa_required_admins_by_ca": mfa_admins,
            "mfa_enforced_all_users": _any_true(sd_enabled, mfa_all),
            "mfa_enforced_admins": _any_true(sd_enabled, mfa_admins, mfa_all),
            "legacy_auth_blocked": _any_true(sd_enabled, legacy),
            "managed_device_required_for_admins": device,
            "global_admin_count": _either(global_admins, len),
            "global_admins": global_admins,
            "guest_invite_setting": invites,
            "guest_invites_restricted": _either(invites, lambda v: v in ("none", "adminsAndGuestInviters")),
            "user_count": _either(users, len),
            "guest_count": _either(users, lambda us: sum(1 for u in us if str(u.get("userType")) == "Guest")),
        },
    )


def _any_true(*values: Any) -> Any:
    """Three-valued OR: True if any is True; else Unknown if any is Unknown; else False."""
    if any(v is True for v in values):
        return True
    for value in values:
        if isinstance(value, Unknown):
            return value
    return False


# --- Entra: directory roles per principal -------------------------------------------------------


def directory_roles_by_principal(assignments: Part, definitions: Part) -> Part:
    """principal id -> sorted role names (active directory role assignments)."""
    if isinstance(assignments, Unknown):
        return assignments
    names = dict(roles.ENTRA_PRIVILEGED_ROLES)
    if not isinstance(definitions, Unknown):
        names.update({str(d.get("id")): str(d.get("displayName")) for d in definitions})
    result: dict[str, set[str]] = {}
    for assignment in assignments:
        role_id = str(assignment.get("roleDefinitionId") or "")
        result.setdefault(str(assignment.get("principalId")), set()).add(names.get(role_id, role_id))
    return {principal: sorted(role_names) for principal, role_names in result.items()}


def admin_principals(assignments: Part, admin_role_ids: Iterable[str]) -> Part:
    if isinstance(assignments, Unknown):
        return assignments
    wanted = set(admin_role_ids)
    return {str(a.get("principalId")) for a in assignments if a.get("roleDefinitionId") in wanted}


# --- Entra: users -----------------------------------------------------------------------------


def map_user(
    user: Mapping[str, Any],
    *,
    tenant_id: str,
    now: datetime,
    sign_in: Unknown | None,
    registration: Part,
    roles_by_principal: Part,
    admins: Part,
) -> Resource:
    """One Entra user. ``sign_in`` is the Unknown when signInActivity could not be read;
    ``registration`` the user's userRegistrationDetails entry (None when absent) or Unknown."""
    object_id = str(user["id"])
    upn = str(user.get("userPrincipalName") or object_id)
    mail = user.get("mail") or None
    user_type = str(user.get("userType") or "Member")
    enabled = bool(user.get("accountEnabled", True))
    created = parse_time(user.get("createdDateTime"))

    last_sign_in: Any
    last_activity: Any
    days_since: Any
    days_inactive: Any
    if sign_in is not None:
        last_sign_in = last_activity = days_since = days_inactive = sign_in
    else:
        activity = user.get("signInActivity") or {}
        interactive = parse_time(activity.get("lastSignInDateTime"))
        candidates = [
            t
            for t in (interactive, parse_time(activity.get("lastNonInteractiveSignInDateTime")), parse_time(activity.get("lastSuccessfulSignInDateTime")))
            if t is not None
        ]
        latest = max(candidates) if candidates else None
        last_sign_in = iso(interactive)
        last_activity = iso(latest)
        days_since = days_between(latest, now)
        days_inactive = days_between(latest or created, now)

    mfa_registered: Any
    mfa_capable: Any
    methods: Any
    if isinstance(registration, Unknown):
        mfa_registered = mfa_capable = methods = registration
    elif registration is None:
        # Not in the report (new account, not yet processed): nothing registered that we can see.
        mfa_registered, mfa_capable, methods = False, False, []
    else:
        mfa_registered = bool(registration.get("isMfaRegistered"))
        mfa_capable = bool(registration.get("isMfaCapable"))
        methods = list(registration.get("methodsRegistered") or [])

    directory_roles = _either(roles_by_principal, lambda index: index.get(object_id, []))
    is_admin = _either(admins, lambda ids: object_id in ids)
    handles = sorted({upn, object_id} | ({str(mail)} if mail else set()))
    return Resource(
        type="azure.user",
        id=f"azure:{tenant_id}/user/{object_id}",
        name=upn,
        scope=tenant_id,
        attributes={
            "object_id": object_id,
            "user_principal_name": upn,
            "mail": mail,
            "email": guest_email(user),
            "user_type": user_type,
            "is_guest": user_type == "Guest",
            "account_enabled": enabled,
            "active": enabled,
            "is_admin": is_admin,
            "directory_roles": directory_roles,
            "mfa_registered": mfa_registered,
            "mfa_capable": mfa_capable,
            "mfa_enabled": mfa_registered,
            "methods_registered": methods,
            "last_sign_in_at": last_sign_in,
            "last_activity_at": last_activity,
            "days_since_last_activity": days_since,
            "created_at": iso(created),
            "days_inactive": days_inactive,
            "on_premises_synced": bool(user.get("onPremisesSyncEnabled")),
            "handles": handles,
        },
    )


# --- Entra: apps and service principals -----------------------------------------------------


def credential_attributes(obj: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Secret and certificate facts of an application or service principal (never the values)."""
    secrets = [c for c in obj.get("passwordCredentials") or [] if isinstance(c, dict)]
    certificates = [c for c in obj.get("keyCredentials") or [] if isinstance(c, dict)]
    lifetimes = []
    expired = 0
    for secret in secrets:
        start, end = parse_time(secret.get("startDateTime")), parse_time(secret.get("endDateTime"))
        if start and end:
            lifetimes.append(max(0, (end - start).days))
        if end and end < now:
            expired += 1
    expired_certificates = sum(
        1 for c in certificates if (end := parse_time(c.get("endDateTime"))) is not None and end < now
    )
    return {
        "secret_count": len(secrets),
        "secret_lifetimes_days": lifetimes,
        "max_secret_lifetime_days": max(lifetimes) if lifetimes else None,
        "expired_secret_count": expired,
        "certificate_count": len(certificates),
        "expired_certificate_count": expired_certificates,
    }


def map_application(app: Mapping[str, Any], *, tenant_id: str, now: datetime) -> Resource:
    object_id = str(app["id"])
    return Resource(
        type="azure.application",
        id=f"azure:{tenant_id}/application/{object_id}",
        name=str(app.get("displayName") or app.get("appId") or object_id),
        scope=tenant_id,
        attributes={
            "object_id": object_id,
            "app_id": str(app.get("appId") or ""),
            "sign_in_audience": app.get("signInAudience"),
            "created_at": iso(parse_time(app.get("createdDateTime"))),
            **credential_attributes(app, now),
        },
    )


def graph_permissions_by_principal(grants: Part, graph_app_roles: Part) -> Part:
    """principal object id -> Graph application permission names granted to it."""
    if isinstance(grants, Unknown):
        return grants
    if isinstance(graph_app_roles, Unknown):
        return graph_app_roles
    names = {str(r.get("id")): str(r.get("value")) for r in graph_app_roles}
    result: dict[str, set[str]] = {}
    for grant in grants:
        role_id = str(grant.get("appRoleId") or "")
        result.setdefault(str(grant.get("principalId")), set()).add(names.get(role_id, role_id))
    return {principal: sorted(values) for principal, values in result.items()}


def map_service_principal(
    sp: Mapping[str, Any],
    *,
    tenant_id: str,
    now: datetime,
    roles_by_principal: Part,
    permissions_by_principal: Part,
) -> Resource:
    object_id = str(sp["id"])
    owner_org = sp.get("appOwnerOrganizationId")
    directory_roles = _either(roles_by_principal, lambda index: index.get(object_id, []))
    permissions = _either(permissions_by_principal, lambda index: index.get(object_id, []))
    privileged_names = set(roles.ENTRA_PRIVILEGED_ROLES.values())
    return Resource(
        type="azure.service_principal",
        id=f"azure:{tenant_id}/service_principal/{object_id}",
        name=str(sp.get("displayName") or sp.get("appDisplayName") or object_id),
        scope=tenant_id,
        attributes={
            "object_id": object_id,
            "app_id": str(sp.get("appId") or ""),
            "service_principal_type": str(sp.get("servicePrincipalType") or "Application"),
            "account_enabled": bool(sp.get("accountEnabled", True)),
            "owned_by_tenant": owner_org == tenant_id,
            "app_owner_organization_id": owner_org,
            **credential_attributes(sp, now),
            "directory_roles": directory_roles,
            "has_privileged_directory_role": _either(directory_roles, lambda names: any(n in privileged_names for n in names)),
            "graph_app_permissions": permissions,
            "high_privilege_graph_permissions": _either(
                permissions, lambda names: sorted(n for n in names if n in roles.HIGH_PRIVILEGE_GRAPH_PERMISSIONS)
            ),
        },
    )


# --- ARM ----------------------------------------------------------------------------------------


def role_guid(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


def scope_level(scope: str) -> str:
    parts = [p for p in scope.strip("/").split("/") if p]
    if not parts:
        return "root"
    lowered = [p.lower() for p in parts]
    if lowered[:1] == ["providers"] and "managementgroups" in lowered:
        return "management_group"
    if lowered[:1] == ["subscriptions"]:
        if len(parts) == 2:
            return "subscription"
        if len(parts) == 4 and lowered[2] == "resourcegroups":
            return "resource_group"
        return "resource"
    return "resource"


def _actions(definition: Mapping[str, Any]) -> tuple[list[str], list[str], list[str]]:
    props = definition.get("properties") or {}
    actions: list[str] = []
    not_actions: list[str] = []
    data_actions: list[str] = []
    for permission in props.get("permissions") or []:
        actions.extend(permission.get("actions") or [])
        not_actions.extend(permission.get("notActions") or [])
        data_actions.extend(permission.get("dataActions") or [])
    return actions, not_actions, data_actions


def allows_authorization_write(actions: Sequence[str], not_actions: Sequence[str]) -> bool:
    """Can this role write role assignments/definitions? (``*``, ``Microsoft.Authorization/*`` ...)"""
    wide = {"*", "microsoft.authorization/*", "microsoft.authorization/*/write", "microsoft.authorization/roleassignments/write", "microsoft.authorization/roleassignments/*"}
    excluded = {a.lower() for a in not_actions}
    return any(a.lower() in wide and a.lower() not in excluded for a in actions) and not (
        excluded & {"microsoft.authorization/*/write", "microsoft.authorization/*"}
    )


def role_is_privileged(guid: str, definition: Mapping[str, Any] | None) -> bool:
    if guid in roles.ARM_PRIVILEGED_ROLES:
        return True
    if definition is None:
        return False
    actions, not_actions, _ = _actions(definition)
    return "*" in actions or allows_authorization_write(actions, not_actions)


def map_role_definition(definition: Mapping[str, Any]) -> Resource:
    props = definition.get("properties") or {}
    guid = role_guid(str(definition.get("id") or definition.get("name")))
    actions, not_actions, data_actions = _actions(definition)
    return Resource(
        type="azure.role_definition",
        id=f"/providers/Microsoft.Authorization/roleDefinitions/{guid}",
        name=str(props.get("roleName") or guid),
        scope=next(iter(props.get("assignableScopes") or []), "/"),
        attributes={
            "role_name": str(props.get("roleName") or guid),
            "role_type": str(props.get("type") or "CustomRole"),
            "actions": actions,
            "not_actions": not_actions,
            "data_actions": data_actions,
            "assignable_scopes": list(props.get("assignableScopes") or []),
            "allows_all_actions": "*" in actions,
            "allows_authorization_write": allows_authorization_write(actions, not_actions),
        },
    )


@dataclass(frozen=True)
class Principal:
    name: Any
    email: Any
    is_guest: Any
    is_external: Any


def resolve_principal(principal_id: str, principal_type: str, directory: Directory) -> Principal:
    """Who holds an assignment, from what the Graph half read (Unknown where it could not)."""
    if principal_type == "User":
        if isinstance(directory.users, Unknown):
            return Principal(directory.users, directory.users, directory.users, directory.users)
        user = directory.users.get(principal_id)
        if user is None:
            other = directory.other_objects.get(principal_id)
            name = str(other.get("displayName")) if other else None
            return Principal(name, None, False, True)  # a user not in this directory: external
        email = guest_email(user)
        is_guest = str(user.get("userType")) == "Guest"
        external = _any_true(is_guest, directory.is_external_domain(email))
        # A guest's UPN is a mangled "name_domain#EXT#@tenant": show their real address instead.
        name = email if is_guest and email else str(user.get("userPrincipalName") or user.get("displayName"))
        return Principal(name, email, is_guest, external)
    if principal_type == "ServicePrincipal":
        if isinstance(directory.service_principals, Unknown):
            return Principal(directory.service_principals, None, False, directory.service_principals)
        sp = directory.service_principals.get(principal_id)
        if sp is None:
            return Principal(None, None, False, True)
        owner = sp.get("appOwnerOrganizationId")
        external = owner not in (None, directory.tenant_id, roles.MICROSOFT_TENANT_ID)
        return Principal(str(sp.get("displayName")), None, False, external)
    other = directory.other_objects.get(principal_id)
    name = str(other.get("displayName")) if other else None
    return Principal(name, None, False, principal_type == "ForeignGroup")


def map_role_assignment(
    item: Mapping[str, Any],
    *,
    subscription_id: str,
    assignment_type: str,
    end_at: str | None,
    definitions: Mapping[str, Mapping[str, Any]],
    directory: Directory,
    pim_available: Any,
) -> Resource:
    """An active role assignment, or a PIM eligibility (``assignment_type`` = eligible)."""
    props = item.get("properties") or {}
    guid = role_guid(str(props.get("roleDefinitionId") or ""))
    definition = definitions.get(guid)
    def_props = (definition or {}).get("properties") or {}
    expanded_role = ((props.get("expandedProperties") or {}).get("roleDefinition")) or {}
    role_name = def_props.get("roleName") or roles.ARM_BUILTIN_ROLE_NAMES.get(guid) or expanded_role.get("displayName") or guid
    role_type = def_props.get("type") or expanded_role.get("type") or ("BuiltInRole" if guid in roles.ARM_BUILTIN_ROLE_NAMES else "CustomRole")
    principal_id = str(props.get("principalId") or "")
    principal_type = str(props.get("principalType") or "User")
    principal = resolve_principal(principal_id, principal_type, directory)
    scope = str(props.get("scope") or "")
    return Resource(
        type="azure.role_assignment",
        id=str(item.get("id")),
        name=f"{role_name} for {principal.name if isinstance(principal.name, str) else principal_id}",
        scope=subscription_id,
        attributes={
            "subscription_id": subscription_id,
            "role_definition_id": guid,
            "role_name": str(role_name),
            "role_type": str(role_type),
            "privileged": role_is_privileged(guid, definition),
            "principal_id": principal_id,
            "principal_type": principal_type,
            "principal_name": principal.name,
            "principal_email": principal.email,
            "principal_is_guest": principal.is_guest,
            "principal_is_external": principal.is_external,
            "scope": scope,
            "scope_level": scope_level(scope),
            "assignment_type": assignment_type,
            "end_at": end_at,
            "pim_available": pim_available,
            "created_at": iso(parse_time(props.get("createdOn"))),
        },
    )


def classify_active(
    assignment: Mapping[str, Any], schedule_instances: Part, now: datetime
) -> tuple[str, str | None]:
    """permanent / time_bound / activated for an active assignment, from PIM's schedule instances."""
    if isinstance(schedule_instances, Unknown):
        return "permanent", None
    assignment_id = str(assignment.get("id") or "").lower()
    for instance in schedule_instances:
        props = instance.get("properties") or {}
        if str(props.get("originRoleAssignmentId") or "").lower() != assignment_id:
            continue
        end = parse_time(props.get("endDateTime"))
        if str(props.get("assignmentType")) == "Activated":
            return "activated", iso(end)
        if end is not None:
            return "time_bound", iso(end)
        return "permanent", None
    return "permanent", None


def subscription_attributes(
    subscription: Mapping[str, Any],
    *,
    assignments: Sequence[Resource] | Unknown,
    pim_available: Any,
    diagnostic_settings: Part,
    classic_admins: Part,
) -> dict[str, Any]:
    sub_id = str(subscription.get("subscriptionId"))
    sub_scope = f"/subscriptions/{sub_id}".lower()

    def at_or_above(resource: Resource) -> bool:
        level = resource.attributes["scope_level"]
        return level in ("root", "management_group") or str(resource.attributes["scope"]).lower() == sub_scope

    def holders(role: str) -> Any:
        return _either(
            assignments,
            lambda rs: {
                r.attributes["principal_id"]: r.attributes["principal_name"]
                for r in rs
                if r.attributes["role_definition_id"] == role and at_or_above(r)
            },
        )

    owners = holders(roles.OWNER)
    uaa = holders(roles.USER_ACCESS_ADMINISTRATOR)

    def exported(settings: list[dict[str, Any]]) -> list[str]:
        destinations = []
        for setting in settings:
            props = setting.get("properties") or {}
            if not any(log.get("enabled") for log in props.get("logs") or []):
                continue
            for key, label in (
                ("workspaceId", "log_analytics"),
                ("storageAccountId", "storage"),
                ("eventHubAuthorizationRuleId", "event_hub"),
                ("marketplacePartnerId", "partner"),
            ):
                if props.get(key):
                    destinations.append(f"{label}:{str(props[key]).rstrip('/').rsplit('/', 1)[-1]}")
        return sorted(set(destinations))

    destinations = _either(diagnostic_settings, exported)
    classic = _either(
        classic_admins,
        lambda admins: sorted(
            f"{(a.get('properties') or {}).get('emailAddress')} ({(a.get('properties') or {}).get('role')})" for a in admins
        ),
    )
    return {
        "subscription_id": sub_id,
        "tenant_id": str(subscription.get("tenantId") or ""),
        "state": str(subscription.get("state") or "Enabled"),
        "tags": dict(subscription.get("tags") or {}),
        "owner_count": _either(owners, len),
        "owners": _either(owners, lambda h: sorted(str(v) if isinstance(v, str) else k for k, v in h.items())),
        "permanent_owner_count": _either(
            assignments,
            lambda rs: sum(
                1
                for r in rs
                if r.attributes["role_definition_id"] == roles.OWNER
                and r.attributes["scope_level"] == "subscription"
                and r.attributes["assignment_type"] == "permanent"
            ),
        ),
        "user_access_admin_count": _either(uaa, len),
        "pim_available": pim_available,
        "activity_log_exported": _either(destinations, bool),
        "activity_log_destinations": destinations,
        "classic_administrators": classic,
        "classic_administrator_count": _either(classic, len),
    }
