"""Raw ARM and Graph JSON -> Resources. Pure functions: no network, no clock of their own.

Inputs are REST-shaped dicts (what the APIs return; the SDK models are serialized back to that
shape). A part that could not be read arrives as an ``Unknown`` instead of a list or dict, and
every attribute that depends on it becomes that ``Unknown`` too, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from scanner.collectors.azure import roles
from scanner.collectors.base import days_between, iso, parse_time
from scanner.inventory.model import Resource, Unknown

Part = Any  # a list/dict read from the API, or Unknown("needs ...")

NEVER = "0001-01-01T00:00:00Z"  # Graph's "never" in signInActivity




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
    # group object id -> its transitive members (directoryObjects with @odata.type), or Unknown
    group_members: Mapping[str, Any] = field(default_factory=dict)

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


def _excluded(policy: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(kind, id) of every user, group and directory role a CA policy excludes."""
    users = (policy.get("conditions") or {}).get("users") or {}
    return (
        {("user", str(u)) for u in users.get("excludeUsers") or []}
        | {("group", str(g)) for g in users.get("excludeGroups") or []}
        | {("role", str(r)) for r in users.get("excludeRoles") or []}
    )


def effective_exclusions(policies: Sequence[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """Who escapes *every* one of ``policies`` (enabled, same control): an account excluded from
    one policy but covered by another is still covered. Empty when there is no such policy."""
    if not policies:
        return set()
    result = _excluded(policies[0])
    for policy in policies[1:]:
        result &= _excluded(policy)
    return result


@dataclass(frozen=True)
class TenantDirectory:
    """What the tenant mapping needs to name and expand CA exclusions and PIM role holders."""

    directory: Directory
    role_names: Mapping[str, str]  # directory role (template) id -> display name
    display_names: Mapping[str, str]  # user / service principal object id -> UPN / name
    eligibility: Part  # Graph roleEligibilityScheduleInstances, or Unknown
    assignment_schedules: Part  # Graph roleAssignmentScheduleInstances, or Unknown
    pim_available: Any  # True, False (no Entra ID P2) or Unknown

    def name(self, kind: str, object_id: str) -> str:
        if kind == "role":
            return f"{self.role_names.get(object_id, object_id)} (role)"
        if kind == "user" and object_id in ("All", "None", "GuestsOrExternalUsers"):
            return f"{object_id} (user)"
        users = self.directory.users
        if kind == "user" and isinstance(users, dict) and object_id in users:
            user = users[object_id]
            email = guest_email(user) if str(user.get("userType")) == "Guest" else None
            return f"{email or user.get('userPrincipalName') or object_id} (user)"
        other = self.directory.other_objects.get(object_id)
        return f"{other.get('displayName') if other else object_id} ({kind})"


def _user_name(directory: Directory, user_id: str, fallback: Mapping[str, Any] | None = None) -> str:
    users = directory.users
    user = users.get(user_id) if isinstance(users, dict) else None
    user = user or fallback or {}
    if str(user.get("userType")) == "Guest":
        return guest_email(user) or user_id
    return str(user.get("userPrincipalName") or user.get("displayName") or user_id)


def excluded_account_ids(exclusions: set[tuple[str, str]], tenant: TenantDirectory, role_assignments: Part) -> Any:
    """object id -> name of every user account ``exclusions`` take out of a policy: excluded
    users, transitive user members of excluded groups, active and PIM-eligible holders of
    excluded roles. Unknown when a group's members or a role's holders could not be read."""
    directory = tenant.directory
    accounts: dict[str, str] = {}
    for kind, object_id in sorted(exclusions):
        if kind == "user":
            if object_id == "GuestsOrExternalUsers":
                users = directory.users
                if isinstance(users, Unknown):
                    return users
                accounts.update({uid: _user_name(directory, uid) for uid, u in users.items() if str(u.get("userType")) == "Guest"})
            elif object_id not in ("All", "None"):
                accounts[object_id] = _user_name(directory, object_id)
        elif kind == "group":
            members = directory.group_members.get(object_id, Unknown(f"members of group {object_id} were not read"))
            if isinstance(members, Unknown):
                return members
            for item in members:
                if str(item.get("@odata.type")) == "#microsoft.graph.user":
                    accounts[str(item.get("id"))] = _user_name(directory, str(item.get("id")), item)
        else:
            for holders in (role_assignments, tenant.eligibility):
                if isinstance(holders, Unknown):
                    if holders is tenant.eligibility and tenant.pim_available is False:
                        continue  # no PIM: nobody can be eligible
                    return holders
                for holder in holders:
                    principal = str(holder.get("principalId") or "")
                    if holder.get("roleDefinitionId") == object_id and isinstance(directory.users, dict) and principal in directory.users:
                        accounts[principal] = _user_name(directory, principal)
    return accounts


def excluded_accounts(exclusions: set[tuple[str, str]], tenant: TenantDirectory, role_assignments: Part) -> Any:
    """Names of the user accounts ``exclusions`` take out of a policy (see excluded_account_ids)."""
    return _either(excluded_account_ids(exclusions, tenant, role_assignments), lambda found: sorted(set(found.values())))


def mfa_registered_by_id(registration: Part) -> Any:
    """user object id -> MFA registered (userRegistrationDetails); a user absent from the report
    has registered nothing we can see. Unknown when the report could not be read."""
    return _either(registration, lambda items: {str(r.get("id")): bool(r.get("isMfaRegistered")) for r in items})


def without_mfa(accounts: Any, registered: Any, users: Part, only: Any = None) -> Any:
    """Names of the enabled accounts among ``accounts`` (id -> name) with no MFA method
    registered, limited to the ids in ``only`` when given; Unknown when a needed part is."""
    for part in (accounts, only):
        if isinstance(part, Unknown):
            return part
    chosen = {uid: name for uid, name in accounts.items() if only is None or uid in only}
    if isinstance(users, dict):
        # A disabled account cannot sign in: no hole, whatever it registered.
        chosen = {uid: name for uid, name in chosen.items() if (users.get(uid) or {}).get("accountEnabled", True) is not False}
    if not chosen:
        return []
    if isinstance(registered, Unknown):
        return registered
    return sorted({name for uid, name in chosen.items() if not registered.get(uid, False)})


def _role_holders(assignments: Part, tenant: TenantDirectory) -> Any:
    """user object id -> every directory role id it holds, active or PIM-eligible, directly or
    through a (role-assignable) group's transitive members. Unknown if a part is missing."""
    directory = tenant.directory
    if isinstance(directory.users, Unknown):
        return directory.users
    holders: dict[str, set[str]] = {}
    for items in (assignments, tenant.eligibility):
        if isinstance(items, Unknown):
            if items is tenant.eligibility and tenant.pim_available is False:
                continue  # no PIM: nobody can be eligible
            return items
        for item in items:
            principal = str(item.get("principalId") or "")
            role = str(item.get("roleDefinitionId") or "")
            if principal in directory.users:
                holders.setdefault(principal, set()).add(role)
            elif principal in directory.group_members:
                members = directory.group_members[principal]
                if isinstance(members, Unknown):
                    return members
                for m in members:
                    if str(m.get("@odata.type")) == "#microsoft.graph.user":
                        holders.setdefault(str(m.get("id")), set()).add(role)
    return holders


def _groups_of(directory: Directory) -> Any:
    """user object id -> the expanded groups (CA include/exclude, role holders) it belongs to."""
    result: dict[str, set[str]] = {}
    for group_id, members in directory.group_members.items():
        if isinstance(members, Unknown):
            continue  # only a policy naming this group needs it; _applies says Unknown then
        for m in members:
            result.setdefault(str(m.get("id")), set()).add(group_id)
    return result


def _applies(policy: Mapping[str, Any], uid: str, *, is_guest: bool, roles_held: set[str], groups: set[str],
             directory: Directory) -> bool | Unknown:
    """Does a Conditional Access policy's user condition take in this user (included, not excluded)?"""
    users = (policy.get("conditions") or {}).get("users") or {}
    for group_id in list(users.get("includeGroups") or []) + list(users.get("excludeGroups") or []):
        members = directory.group_members.get(str(group_id), Unknown(f"members of group {group_id} were not read"))
        if isinstance(members, Unknown):
            return members

    def named(key: str) -> bool:
        values = {str(v) for v in users.get(f"{key}Users") or []}
        return bool(
            uid in values
            or (is_guest and "GuestsOrExternalUsers" in values)
            or groups & {str(g) for g in users.get(f"{key}Groups") or []}
            or roles_held & {str(r) for r in users.get(f"{key}Roles") or []}
        )

    included = "All" in (users.get("includeUsers") or []) or named("include")
    return included and not named("exclude")


# Where an admin's MFA matters: every app, or at least the admin portals / Azure management.
_ADMIN_APPS = {"All", "MicrosoftAdminPortals", "797f4846-ba00-4fd7-ba43-dac1f8f63013"}  # the last: Windows Azure Service Management API


def _admin_apps(policy: Mapping[str, Any]) -> bool:
    apps = (policy.get("conditions") or {}).get("applications") or {}
    return bool(_ADMIN_APPS & {str(a) for a in apps.get("includeApplications") or []})


def admins_outside_mfa(ca_policies: Part, sd_enabled: Any, tenant: TenantDirectory, assignments: Part) -> Any:
    """object id -> name of every admin (a user holding a privileged directory role, active or
    eligible, directly or through a group) whom no enabled Conditional Access policy requiring
    MFA on all apps or the admin portals takes in: excluded by user, group or role, or never
    included. {} under security defaults."""
    if sd_enabled is True:
        return {}
    holders = _role_holders(assignments, tenant)
    if isinstance(holders, Unknown):
        return holders
    if isinstance(ca_policies, Unknown):
        return ca_policies
    directory = tenant.directory
    users = directory.users if isinstance(directory.users, dict) else {}
    policies = [p for p in ca_policies if p.get("state") == "enabled" and _requires(p, {"mfa"}) and _admin_apps(p)]
    groups_of = _groups_of(directory)
    outside: dict[str, str] = {}
    for uid, held in holders.items():
        if not held & roles.ENTRA_ADMIN_ROLES:
            continue
        is_guest = str((users.get(uid) or {}).get("userType")) == "Guest"
        covered: Any = False
        for policy in policies:
            applies = _applies(policy, uid, is_guest=is_guest, roles_held=held, groups=groups_of.get(uid, set()), directory=directory)
            if applies is True:
                covered = True
                break
            if isinstance(applies, Unknown):
                covered = applies
        if isinstance(covered, Unknown):
            return covered
        if not covered:
            outside[uid] = _user_name(directory, uid)
    return outside


def _global_admin_split(assignments: Part, tenant: TenantDirectory) -> tuple[Any, Any]:
    """(standing Global Administrators, PIM-eligible ones), as sorted names (or Unknown).

    Standing = an active assignment PIM does not bound: its schedule instance is ``Assigned``
    with no end date, or it has none. Without Entra ID P2 every active assignment is standing."""
    names = tenant.display_names
    permanent: Any
    if isinstance(assignments, Unknown):
        permanent = assignments
    else:
        active = [a for a in assignments if a.get("roleDefinitionId") == roles.GLOBAL_ADMINISTRATOR]
        schedules = tenant.assignment_schedules
        if isinstance(schedules, Unknown) and tenant.pim_available is not False:
            permanent = schedules
        else:
            bounded = set()
            for instance in [] if isinstance(schedules, Unknown) else schedules:
                if str(instance.get("assignmentType")) == "Activated" or instance.get("endDateTime"):
                    bounded.add(str(instance.get("roleAssignmentOriginId") or instance.get("id")))
            permanent = sorted(
                names.get(str(a.get("principalId")), str(a.get("principalId"))) for a in active if str(a.get("id")) not in bounded
            )
    eligible = _either(
        tenant.eligibility,
        lambda items: sorted(
            {names.get(str(i.get("principalId")), str(i.get("principalId"))) for i in items if i.get("roleDefinitionId") == roles.GLOBAL_ADMINISTRATOR}
        ),
    )
    return permanent, eligible


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
    tenant_directory: TenantDirectory,
    registration: Part = None,
) -> Resource:
    """The tenant resource: sign-in policy and its exclusions, Global Administrators (standing
    and eligible), guest settings."""
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

    tests = {
        "mfa_all": lambda p: _covers_all_users(p) and _all_apps(p) and _requires(p, {"mfa"}),
        "mfa_admins": lambda p: _covers_admins(p) and _requires(p, {"mfa"}),
        "legacy": lambda p: _covers_all_users(p) and _blocks_legacy(p),
        "device": lambda p: _covers_admins(p) and _requires(p, {"compliantDevice", "domainJoinedDevice"}),
    }
    mfa_all = ca_flag(tests["mfa_all"])
    mfa_admins = ca_flag(tests["mfa_admins"])
    legacy = ca_flag(tests["legacy"])
    device = ca_flag(tests["device"])

    def exclusions(purpose: str) -> Any:
        """(kind, id) set that escapes every enabled policy of ``purpose``, or Unknown."""
        return _either(
            ca_policies, lambda ps: effective_exclusions([p for p in ps if p.get("state") == "enabled" and tests[purpose](p)])
        )

    def named(found: Any) -> Any:
        return _either(found, lambda pairs: sorted(tenant_directory.name(kind, oid) for kind, oid in pairs))

    mfa_exclusions: Any = exclusions("mfa_all")
    if sd_enabled is True:
        mfa_exclusions = set()  # security defaults apply to everyone; CA cannot be on alongside them
    mfa_excluded_ids = _either(mfa_exclusions, lambda pairs: excluded_account_ids(pairs, tenant_directory, directory_role_assignments))
    mfa_excluded = _either(mfa_excluded_ids, lambda found: sorted(set(found.values())))
    registered = mfa_registered_by_id(registration if registration is not None else Unknown("MFA registration was not read"))
    holders = _role_holders(directory_role_assignments, tenant_directory)
    admin_ids = _either(holders, lambda found: {uid for uid, held in found.items() if held & roles.ENTRA_ADMIN_ROLES})
    # A break-glass account is excluded from MFA but can still do it (a FIDO2 key in the safe):
    # an excluded admin with no method registered is a hole, never break-glass.
    excluded_admins_without_mfa = without_mfa(mfa_excluded_ids, registered, users, admin_ids)
    admins_outside = admins_outside_mfa(ca_policies, sd_enabled, tenant_directory, directory_role_assignments)
    admins_outside_without_mfa = without_mfa(admins_outside, registered, tenant_directory.directory.users)
    admins_outside_names = _either(admins_outside, lambda found: sorted(set(found.values())))
    permanent_admins, eligible_admins = _global_admin_split(directory_role_assignments, tenant_directory)

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
            "mfa_policy_exclusions": named(mfa_exclusions),
            "mfa_excluded_accounts": mfa_excluded,
            "mfa_excluded_account_count": _either(mfa_excluded, len),
            "mfa_excluded_admins_without_mfa": excluded_admins_without_mfa,
            "admins_outside_mfa_policy": admins_outside_names,
            "admins_outside_mfa_policy_without_mfa": admins_outside_without_mfa,
            "admin_mfa_policy_exclusions": named(exclusions("mfa_admins")),
            "legacy_auth_policy_exclusions": named(exclusions("legacy")),
            "managed_device_policy_exclusions": named(exclusions("device")),
            "legacy_auth_blocked": _any_true(sd_enabled, legacy),
            "managed_device_required_for_admins": device,
            "global_admin_count": _either(global_admins, len),
            "global_admins": global_admins,
            "directory_pim_available": tenant_directory.pim_available,
            "permanent_global_admin_count": _either(permanent_admins, len),
            "permanent_global_admins": permanent_admins,
            "eligible_global_admin_count": _either(eligible_admins, len),
            "eligible_global_admins": eligible_admins,
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
    eligible_roles_by_principal: Part,
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
    eligible_roles = _either(eligible_roles_by_principal, lambda index: index.get(object_id, []))
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
            "eligible_directory_roles": eligible_roles,
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


def federated_credentials(credentials: Any) -> list[dict[str, Any]]:
    """Graph federatedIdentityCredential objects -> [{name, issuer, subject, audiences}]."""
    return [
        {
            "name": str(c.get("name") or ""),
            "issuer": str(c.get("issuer") or ""),
            "subject": c.get("subject"),
            "audiences": [str(a) for a in c.get("audiences") or []],
        }
        for c in credentials or []
        if isinstance(c, Mapping)
    ]


def map_application(app: Mapping[str, Any], *, tenant_id: str, now: datetime,
                    federated: Mapping[str, Any] | Unknown | None = None) -> Resource:
    object_id = str(app["id"])
    credentials: Any
    if isinstance(federated, Unknown):
        credentials = federated
    elif federated is None:
        credentials = Unknown("federated identity credentials were not read")
    else:
        credentials = federated_credentials(federated.get(object_id))
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
            "federated_credentials": credentials,
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


def role_can_write(guid: str, definition: Mapping[str, Any] | None, definitions_read: bool = True) -> Any:
    """Can the role change resources? Any control-plane action beyond reads counts."""
    if guid in roles.ARM_PRIVILEGED_ROLES:
        return True
    if guid == roles.READER:
        return False
    if definition is None:
        reason = "the role definitions could not be read" if not definitions_read else f"role definition {guid} is not listed at the subscription"
        return Unknown(reason)
    actions, _, data_actions = _actions(definition)
    return any(not a.lower().endswith("/read") for a in actions) or any(not a.lower().endswith("/read") for a in data_actions)


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


def group_membership(principal_id: str, principal_type: str, directory: Directory) -> dict[str, Any]:
    """Who holds a role through a group principal: its transitive members (nested groups
    flattened), and which of them are guests or external. Empty for any other principal."""
    if principal_type == "ForeignGroup":
        unknown = Unknown("a group of another tenant: its members cannot be read from this one")
        return {"group_member_ids": unknown, "group_members": unknown, "group_members_include_guest": unknown, "group_external_members": unknown}
    if principal_type != "Group":
        return {"group_member_ids": [], "group_members": [], "group_members_include_guest": False, "group_external_members": []}
    members = directory.group_members.get(principal_id, Unknown(f"members of group {principal_id} were not read"))
    if isinstance(members, Unknown):
        return {"group_member_ids": members, "group_members": members, "group_members_include_guest": members, "group_external_members": members}
    ids: list[str] = []
    names: list[str] = []
    guests: list[Any] = []
    external: list[str] = []
    unknown_reason: Unknown | None = None
    for item in members:
        kind = str(item.get("@odata.type") or "")
        if kind == "#microsoft.graph.group":
            continue  # its own members are listed too (transitive)
        member_id = str(item.get("id"))
        member_type = {"#microsoft.graph.user": "User", "#microsoft.graph.servicePrincipal": "ServicePrincipal"}.get(kind, "Device")
        principal = resolve_principal(member_id, member_type, directory)
        name = principal.name if isinstance(principal.name, str) else str(item.get("userPrincipalName") or item.get("displayName") or member_id)
        ids.append(member_id)
        names.append(name)
        guests.append(principal.is_guest)
        flag = _any_true(principal.is_guest, principal.is_external)
        if flag is True:
            external.append(name)
        elif isinstance(flag, Unknown):
            unknown_reason = flag
    order = sorted(range(len(ids)), key=lambda i: (names[i].lower(), ids[i]))
    return {
        # Both in the same order (by name), so the n-th id is the n-th name.
        "group_member_ids": [ids[i] for i in order],
        "group_members": [names[i] for i in order],
        "group_members_include_guest": _any_true(*guests),
        "group_external_members": unknown_reason if unknown_reason is not None and not external else sorted(external),
    }


def map_role_assignment(
    item: Mapping[str, Any],
    *,
    subscription_id: str,
    assignment_type: str,
    end_at: str | None,
    definitions: Mapping[str, Mapping[str, Any]],
    directory: Directory,
    pim_available: Any,
    definitions_read: bool = True,
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
    membership = group_membership(principal_id, principal_type, directory)
    external_members = membership["group_external_members"]
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
            **membership,
            "held_by_guest_or_external": _any_true(
                principal.is_guest,
                principal.is_external,
                external_members if isinstance(external_members, Unknown) else bool(external_members),
            ),
            "scope": scope,
            "scope_level": scope_level(scope),
            "assignment_type": assignment_type,
            "end_at": end_at,
            "pim_available": pim_available,
            "created_at": iso(parse_time(props.get("createdOn"))),
            "write_role": role_can_write(guid, definition, definitions_read),
            # Filled in once every subscription is read (with_environments).
            "environments": [],
            "cross_environment_writers": [],
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
    security_contacts: Part = None,
    environment_rule: EnvironmentRule | None = None,
) -> dict[str, Any]:
    sub_id = str(subscription.get("subscriptionId"))
    sub_scope = f"/subscriptions/{sub_id}".lower()

    def at_or_above(resource: Resource) -> bool:
        level = resource.attributes["scope_level"]
        return level in ("root", "management_group") or str(resource.attributes["scope"]).lower() == sub_scope

    def holders(role: str) -> Any:
        """principal id -> display name of everyone holding ``role`` at or above the
        subscription, a group's (transitive) members in place of the group."""
        if isinstance(assignments, Unknown):
            return assignments
        found: dict[str, str] = {}
        for r in assignments:
            attrs = r.attributes
            if attrs["role_definition_id"] != role or not at_or_above(r):
                continue
            if attrs["principal_type"] in ("Group", "ForeignGroup"):
                member_ids, member_names = attrs["group_member_ids"], attrs["group_members"]
                if isinstance(member_ids, Unknown):
                    return member_ids
                group_name = attrs["principal_name"] if isinstance(attrs["principal_name"], str) else attrs["principal_id"]
                lookup = dict(zip(member_ids, member_names))  # aligned: same order
                for member_id in member_ids:
                    found.setdefault(member_id, f"{lookup.get(member_id, member_id)} (via {group_name})")
            else:
                found[attrs["principal_id"]] = attrs["principal_name"]
        return found

    owners = holders(roles.OWNER)
    uaa = holders(roles.USER_ACCESS_ADMINISTRATOR)
    rbac_admins = holders(roles.RBAC_ADMINISTRATOR)
    access_admins: Any = uaa if isinstance(uaa, Unknown) else (rbac_admins if isinstance(rbac_admins, Unknown) else {**rbac_admins, **uaa})

    def names(found: Any) -> Any:
        return _either(found, lambda h: sorted(str(v) if isinstance(v, str) else k for k, v in h.items()))

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
        "owners": names(owners),
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
        "user_access_admins": names(uaa),
        "rbac_admin_count": _either(rbac_admins, len),
        "rbac_admins": names(rbac_admins),
        "access_admin_count": _either(access_admins, len),
        "access_admins": names(access_admins),
        "pim_available": pim_available,
        "activity_log_exported": _either(destinations, bool),
        "activity_log_destinations": destinations,
        "classic_administrators": classic,
        "classic_administrator_count": _either(classic, len),
        **environment_attributes(subscription, environment_rule or EnvironmentRule()),
        **security_contact_attributes(security_contacts if security_contacts is not None else Unknown("security contacts were not read")),
    }


# --- environments and separation ----------------------------------------------------------------

_ENVIRONMENT_WORDS = {
    "production": ("prod", "production", "prd", "live"),
    "staging": ("staging", "stage", "stg", "preprod", "pre-prod", "uat"),
    "development": ("dev", "development", "sandbox", "test", "qa"),
}
DEFAULT_ENVIRONMENT_TAGS = ("environment", "env", "stage")


@dataclass(frozen=True)
class EnvironmentRule:
    """How the user tells production subscriptions from the rest (settings): tag keys
    (matched case-insensitively) first, then regular expressions on the subscription name."""

    tags: tuple[str, ...] = DEFAULT_ENVIRONMENT_TAGS
    production_name: re.Pattern[str] | None = None
    nonproduction_name: re.Pattern[str] | None = None


def subscription_environment(name: str, tags: Mapping[str, Any], rule: EnvironmentRule) -> str | None:
    lowered = {str(k).lower(): str(v) for k, v in tags.items()}
    for key in rule.tags:
        value = lowered.get(key.lower(), "").strip().lower()
        if value:
            for canonical, words in _ENVIRONMENT_WORDS.items():
                if value in words:
                    return canonical
            return value
    if rule.production_name is not None and rule.production_name.search(name):
        return "production"
    if rule.nonproduction_name is not None and rule.nonproduction_name.search(name):
        return "non-production"
    return None


def environment_attributes(subscription: Mapping[str, Any], rule: EnvironmentRule) -> dict[str, Any]:
    name = str(subscription.get("displayName") or subscription.get("subscriptionId") or "")
    environment = subscription_environment(name, dict(subscription.get("tags") or {}), rule)
    return {"environment": environment, "is_production": environment == "production"}


def security_contact_attributes(contacts: Part) -> dict[str, Any]:
    """Defender for Cloud security contacts (Microsoft.Security/securityContacts, 2023-12-01-preview:
    ``emails`` is one semicolon-separated string; ``isEnabled`` false turns a contact off)."""

    def enabled(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [c for c in items if (c.get("properties") or {}).get("isEnabled", True) is not False]

    def emails(items: list[dict[str, Any]]) -> list[str]:
        found = set()
        for contact in enabled(items):
            for address in str((contact.get("properties") or {}).get("emails") or "").replace(",", ";").split(";"):
                if address.strip():
                    found.add(address.strip().lower())
        return sorted(found)

    def to_owners(items: list[dict[str, Any]]) -> bool:
        for contact in enabled(items):
            by_role = (contact.get("properties") or {}).get("notificationsByRole") or {}
            if str(by_role.get("state")) == "On" and "Owner" in (by_role.get("roles") or []):
                return True
        return False

    found = _either(contacts, emails)
    return {
        "security_contact_emails": found,
        "security_contact_configured": _either(found, bool),
        "security_alerts_to_owners": _either(contacts, to_owners),
    }


def _class(environment: str) -> str:
    return "production" if environment == "production" else "non-production"


def with_environments(
    assignments: Sequence[Resource], seen_in: Mapping[str, Sequence[str]], environments: Mapping[str, str | None],
    unreadable: Mapping[str, Unknown],
) -> list[Resource]:
    """Fill ``environments`` and ``cross_environment_writers`` once every subscription is read.

    ``seen_in``: assignment id (lower-case) -> the subscriptions whose listing showed it (an
    assignment on a management group shows in each one below it). ``environments``: subscription
    id -> environment or None. ``unreadable``: subscription id -> why its assignments are missing;
    a writer there could not be seen, so a clean answer is Unknown rather than []."""
    holders_of: dict[str, Any] = {}
    classes_of: dict[str, set[str]] = {}
    missing: Unknown | None = next(iter(unreadable.values()), None)
    for resource in assignments:
        attrs = resource.attributes
        envs = sorted({e for sub in seen_in.get(resource.id.lower(), ()) if (e := environments.get(sub)) is not None})
        holders = _holders(attrs)
        holders_of[resource.id] = (envs, holders)
        if attrs["write_role"] is not True:
            if isinstance(attrs["write_role"], Unknown) and missing is None:
                missing = attrs["write_role"]
            continue
        if isinstance(holders, Unknown):
            missing = missing or holders
            continue
        for holder_id, _ in holders:
            classes_of.setdefault(holder_id, set()).update(_class(e) for e in envs)
    result = []
    for resource in assignments:
        envs, holders = holders_of[resource.id]
        attrs = dict(resource.attributes)
        attrs["environments"] = envs
        writers: Any = []
        if attrs["write_role"] is not True:
            writers = attrs["write_role"] if isinstance(attrs["write_role"], Unknown) else []
        elif isinstance(holders, Unknown):
            writers = holders
        else:
            mine = {_class(e) for e in envs}
            writers = sorted({name for holder_id, name in holders if len(mine | classes_of.get(holder_id, set())) > 1})
            if not writers and missing is not None and envs:
                writers = missing
        attrs["cross_environment_writers"] = writers
        result.append(replace(resource, attributes=attrs))
    return result


def _holders(attrs: Mapping[str, Any]) -> Any:
    """(object id, name) of who holds an assignment: the principal, or a group's members."""
    if attrs["principal_type"] in ("Group", "ForeignGroup"):
        ids, names = attrs["group_member_ids"], attrs["group_members"]
        if isinstance(ids, Unknown):
            return ids
        return list(zip(ids, names))
    name = attrs["principal_name"] if isinstance(attrs["principal_name"], str) else attrs["principal_id"]
    return [(attrs["principal_id"], name)]
