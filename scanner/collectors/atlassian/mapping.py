"""From what the Atlassian APIs answered to resources: pure functions, no network.

The collector fills ``RawOrg`` (the Organizations API's answers and, per site, Jira's and
Confluence's); ``build_resources`` turns it into the declared types. A part that could not be
read is an ``Unknown`` in the raw record, and stays Unknown (with its reason) on every
attribute derived from it, so the policies that read it ERROR instead of passing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from scanner.collectors.base import days_between, iso
from scanner.inventory.model import Resource, Unknown

NOT_EXPOSED_AUTH = (
    "the Organizations REST API does not expose authentication policies (SSO / two-step enforcement per user); "
    "declare them under atlassian.authentication_policies from admin.atlassian.com -> Security -> Authentication policies"
)
NOT_EXPOSED_ORG_ADMINS = "the Organizations REST API exposes no list of organization admins; review them at admin.atlassian.com -> Directory -> Users (Role: Organization admin)"
NOT_EXPOSED_AUDIT = "audit log and data-retention settings are not exposed by the Organizations, Jira or Confluence REST APIs; review them at admin.atlassian.com -> Security -> Audit log / Data retention"


@dataclass(frozen=True)
class AuthPolicy:
    """One authentication policy as declared in ``atlassian.authentication_policies``."""

    name: str
    sso_enforced: bool
    two_step_enforced: bool
    members: tuple[str, ...] = ()
    default: bool = False

    def label(self) -> str:
        kind = "sso" if self.sso_enforced else "two-step" if self.two_step_enforced else "none"
        return f"{self.name}: {kind}"


@dataclass(frozen=True)
class Options:
    domains: tuple[str, ...] = ()
    authentication_policies: tuple[AuthPolicy, ...] | None = None
    sso_licensed: bool = True


@dataclass
class RawSite:
    name: str
    url: str
    scanner_is_admin: bool | Unknown = False
    users: list[dict[str, Any]] | Unknown = field(default_factory=list)
    site_admins: list[dict[str, Any]] | Unknown = field(default_factory=list)
    jira_admins: list[dict[str, Any]] | Unknown = field(default_factory=list)
    projects: list[dict[str, Any]] | Unknown = field(default_factory=list)
    schemes: dict[int, dict[str, Any]] | Unknown = field(default_factory=dict)
    project_schemes: dict[str, int | Unknown] = field(default_factory=dict)
    spaces: list[dict[str, Any]] | Unknown = field(default_factory=list)
    space_permissions: dict[str, list[dict[str, Any]] | Unknown] = field(default_factory=dict)
    read: bool = True


@dataclass
class RawOrg:
    org_id: str | None
    name: str | None = None
    read: bool = False
    users: list[dict[str, Any]] | Unknown = field(default_factory=list)
    domains: list[dict[str, Any]] | Unknown = field(default_factory=list)
    policies: list[dict[str, Any]] | Unknown = field(default_factory=list)
    sites: list[RawSite] = field(default_factory=list)


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].lower()


def company_domains(raw: RawOrg, options: Options) -> list[str] | Unknown:
    if options.domains:
        return sorted(set(options.domains))
    if isinstance(raw.domains, Unknown):
        return Unknown(f"company domains: set atlassian.domains ({raw.domains.reason})")
    if not raw.read:
        return Unknown("company domains: set atlassian.domains (the organization was not read)")
    return verified_domains(raw)


def verified_domains(raw: RawOrg) -> list[str]:
    if isinstance(raw.domains, Unknown):
        return []
    out = set()
    for domain in raw.domains:
        attributes = domain.get("attributes") or {}
        if (attributes.get("claim") or {}).get("status") == "verified" and attributes.get("name"):
            out.add(str(attributes["name"]).lower())
    return sorted(out)


def _policy_for(email: str | None, policies: Sequence[AuthPolicy]) -> AuthPolicy | None:
    if email:
        for policy in policies:
            if email.lower() in policy.members:
                return policy
    return next((p for p in policies if p.default), None)


def _admin_ids(raw_site: RawSite, which: str) -> set[str] | Unknown:
    holders = raw_site.site_admins if which == "site" else raw_site.jira_admins
    if isinstance(holders, Unknown):
        return holders
    return {str(u.get("accountId")) for u in holders if u.get("accountId")}


def build_resources(raw: RawOrg, options: Options, now: datetime) -> list[Resource]:
    resources: list[Resource] = []
    org_scope = f"atlassian:org/{raw.org_id}" if raw.org_id else f"atlassian:site/{raw.sites[0].name}" if raw.sites else "atlassian"
    domains = company_domains(raw, options)
    sso_licensed = options.sso_licensed
    declared = options.authentication_policies

    if raw.read and raw.org_id:
        policies = raw.policies if not isinstance(raw.policies, Unknown) else []
        enabled = [p.get("attributes") or {} for p in policies if (p.get("attributes") or {}).get("status") == "enabled"]
        resources.append(
            Resource(
                "atlassian.organization",
                f"atlassian:org/{raw.org_id}",
                raw.name or raw.org_id,
                org_scope,
                {
                    "org_id": raw.org_id,
                    "verified_domains": raw.domains if isinstance(raw.domains, Unknown) else verified_domains(raw),
                    "company_domains": domains,
                    "managed_account_count": raw.users if isinstance(raw.users, Unknown) else len(raw.users),
                    "sites": [s.name for s in raw.sites],
                    "ip_allowlist_enabled": raw.policies if isinstance(raw.policies, Unknown) else any(a.get("type") == "ip-allowlist" for a in enabled),
                    "data_residency_policies": raw.policies
                    if isinstance(raw.policies, Unknown)
                    else sorted(str(a.get("name") or "") for a in enabled if a.get("type") == "data-residency"),
                    "authentication_policy_source": "declared" if declared is not None else "not_exposed",
                    "authentication_policies": [p.label() for p in declared] if declared is not None else Unknown(NOT_EXPOSED_AUTH),
                    "sso_licensed": sso_licensed,
                    "admins": Unknown(NOT_EXPOSED_ORG_ADMINS),
                    "audit_log_retention": Unknown(NOT_EXPOSED_AUDIT),
                },
            )
        )

    # --- accounts: managed accounts first, then every site user seen ----------------------------
    accounts: dict[str, dict[str, Any]] = {}
    if not isinstance(raw.users, Unknown):
        for user in raw.users:
            account_id = str(user.get("account_id") or "")
            if not account_id:
                continue
            accounts[account_id] = {
                "account_id": account_id,
                "email": (user.get("email") or None),
                "display_name": str(user.get("name") or account_id),
                "account_type": str(user.get("account_type") or "atlassian"),
                "account_status": str(user.get("account_status") or "active"),
                "managed": True,
                "product_access": sorted({str(p.get("key")) for p in user.get("product_access") or () if isinstance(p, dict) and p.get("key")}),
                "last_active": parse_time(user.get("last_active")),
                "sites": set(),
            }
    site_sets: dict[str, dict[str, set[str] | Unknown]] = {}
    for site in raw.sites:
        admins = _admin_ids(site, "site")
        jira = _admin_ids(site, "jira")
        site_sets[site.name] = {"site": admins, "jira": jira}
        seen_users: list[dict[str, Any]] = []
        for holders in (site.users, site.site_admins, site.jira_admins):
            if not isinstance(holders, Unknown):
                seen_users.extend(holders)
        for user in seen_users:
            account_id = str(user.get("accountId") or "")
            if not account_id:
                continue
            entry = accounts.get(account_id)
            if entry is None:
                entry = accounts[account_id] = {
                    "account_id": account_id,
                    "email": user.get("emailAddress") or None,
                    "display_name": str(user.get("displayName") or account_id),
                    "account_type": str(user.get("accountType") or "atlassian"),
                    "account_status": "active" if user.get("active", True) else "inactive",
                    "managed": raw.users if isinstance(raw.users, Unknown) else False,
                    "product_access": [],
                    "last_active": None,
                    "sites": set(),
                }
            elif not entry.get("email") and user.get("emailAddress"):
                entry["email"] = user["emailAddress"]
            entry["sites"].add(site.name)

    for account_id in sorted(accounts):
        entry = accounts[account_id]
        email = entry["email"].lower() if isinstance(entry["email"], str) else None
        email_domain = _domain(email)
        if entry["account_type"] != "atlassian":
            # Apps (Automation, integrations) and service-desk customers are not people of any
            # company; they cannot hold site admin.
            is_external: bool | Unknown = False
        elif isinstance(domains, Unknown):
            is_external = domains
        elif email_domain is None:
            is_external = Unknown(f"{entry['display_name']} hides their email address (profile visibility); cannot tell if the account is external")
        else:
            is_external = email_domain not in domains
        site_admin_of: list[str] = []
        jira_admin_of: list[str] = []
        admin_unknown: Unknown | None = None
        for site_name, sets in site_sets.items():
            for which, out in (("site", site_admin_of), ("jira", jira_admin_of)):
                ids = sets[which]
                if isinstance(ids, Unknown):
                    admin_unknown = admin_unknown or ids
                elif account_id in ids:
                    out.append(site_name)
        is_admin: bool | Unknown = bool(site_admin_of or jira_admin_of) or (admin_unknown or False)
        managed = entry["managed"]
        if declared is None:
            policy_name: str | None | Unknown = Unknown(NOT_EXPOSED_AUTH)
            sso: bool | Unknown = Unknown(NOT_EXPOSED_AUTH)
            two_step: bool | Unknown = Unknown(NOT_EXPOSED_AUTH)
        elif managed is True:
            policy = _policy_for(email, declared)
            policy_name = policy.name if policy else None
            sso = bool(policy and policy.sso_enforced)
            two_step = bool(policy and policy.two_step_enforced)
        elif isinstance(managed, Unknown):
            policy_name, sso, two_step = managed, managed, managed
        else:
            # Authentication policies cover the organization's managed accounts only.
            policy_name, sso, two_step = None, False, False
        if isinstance(sso, Unknown) or isinstance(two_step, Unknown):
            enforced: bool | Unknown = sso if isinstance(sso, Unknown) else two_step
            mfa: bool | None = None
        else:
            enforced = sso or (two_step and not sso_licensed)
            mfa = (sso or two_step) if (managed is True) else None
        last = entry["last_active"]
        days = days_between(last, now)
        resources.append(
            Resource(
                "atlassian.account",
                f"atlassian:account/{account_id}",
                entry["display_name"] + (f" <{email}>" if email else ""),
                org_scope,
                {
                    "account_id": account_id,
                    "email": email,
                    "email_domain": email_domain,
                    "display_name": entry["display_name"],
                    "account_type": entry["account_type"],
                    "account_status": entry["account_status"],
                    "managed": managed,
                    "is_external": is_external,
                    "product_access": entry["product_access"],
                    "sites": sorted(entry["sites"]),
                    "site_admin_of": site_admin_of,
                    "jira_admin_of": jira_admin_of,
                    "is_org_admin": Unknown(NOT_EXPOSED_ORG_ADMINS),
                    "authentication_policy": policy_name,
                    "sso_enforced": sso,
                    "two_step_enforced": two_step,
                    "authentication_enforced": enforced,
                    "last_active_at": iso(last),
                    "days_since_last_active": days,
                    "active": entry["account_status"] == "active",
                    "is_admin": is_admin,
                    "mfa_enabled": mfa,
                    "last_activity_at": iso(last),
                    "days_since_last_activity": days,
                    "handles": [h for h in (email, account_id) if h],
                },
            )
        )

    # --- sites, projects, spaces ---------------------------------------------------------------
    names = {aid: a["display_name"] for aid, a in accounts.items()}
    for site in raw.sites:
        if not site.read:
            continue
        scope = f"atlassian:site/{site.name}"
        anonymous_projects: list[str] | Unknown = []
        anonymous_spaces: list[str] | Unknown = []
        if isinstance(site.projects, Unknown):
            anonymous_projects = site.projects
        else:
            for project in site.projects:
                key = str(project.get("key"))
                browse = _browse_holders(site, key)
                attributes = {
                    "site": site.name,
                    "key": key,
                    "project_type": str(project.get("projectTypeKey") or "software"),
                    "archived": bool(project.get("archived")),
                    "permission_scheme": _scheme_name(site, key),
                    "browse_holders": browse,
                    "anonymous_browse": browse if isinstance(browse, Unknown) else "anyone" in browse,
                    "any_user_browse": browse if isinstance(browse, Unknown) else "applicationRole" in browse,
                }
                if attributes["anonymous_browse"] is True and not attributes["archived"] and isinstance(anonymous_projects, list):
                    anonymous_projects.append(key)
                elif isinstance(attributes["anonymous_browse"], Unknown) and isinstance(anonymous_projects, list):
                    anonymous_projects = attributes["anonymous_browse"]
                resources.append(Resource("atlassian.jira_project", f"atlassian:jira/{site.name}/{key}", f"{key} ({project.get('name') or key})", scope, attributes))
        if isinstance(site.spaces, Unknown):
            anonymous_spaces = site.spaces
        else:
            for space in site.spaces:
                key = str(space.get("key"))
                permissions = site.space_permissions.get(key, Unknown(f"confluence: permissions of space {key} were not read"))
                operations: list[str] | Unknown
                if isinstance(permissions, Unknown):
                    operations = permissions
                else:
                    operations = sorted(
                        {
                            f"{(p.get('operation') or {}).get('operation')}:{(p.get('operation') or {}).get('targetType')}"
                            for p in permissions
                            if p.get("anonymousAccess") is True
                        }
                    )
                anonymous: bool | Unknown = operations if isinstance(operations, Unknown) else bool(operations)
                status = str(space.get("status") or "current")
                if anonymous is True and status == "current" and isinstance(anonymous_spaces, list):
                    anonymous_spaces.append(key)
                elif isinstance(anonymous, Unknown) and isinstance(anonymous_spaces, list):
                    anonymous_spaces = anonymous
                resources.append(
                    Resource(
                        "atlassian.confluence_space",
                        f"atlassian:confluence/{site.name}/{key}",
                        f"{key} ({space.get('name') or key})",
                        scope,
                        {
                            "site": site.name,
                            "key": key,
                            "space_type": str(space.get("type") or "global"),
                            "status": status,
                            "anonymous_operations": operations,
                            "anonymous_access": anonymous,
                        },
                    )
                )
        site_admins = site_sets[site.name]["site"]
        jira_admins = site_sets[site.name]["jira"]
        resources.append(
            Resource(
                "atlassian.site",
                scope,
                f"{site.name}.atlassian.net",
                org_scope,
                {
                    "site": site.name,
                    "url": site.url,
                    "org_id": raw.org_id or "",
                    "site_admins": site_admins if isinstance(site_admins, Unknown) else sorted(names.get(a, a) for a in site_admins),
                    "site_admin_count": site_admins if isinstance(site_admins, Unknown) else len(site_admins),
                    "jira_admins": jira_admins if isinstance(jira_admins, Unknown) else sorted(names.get(a, a) for a in jira_admins),
                    "jira_admin_count": jira_admins if isinstance(jira_admins, Unknown) else len(jira_admins),
                    "scanner_is_jira_admin": site.scanner_is_admin,
                    "anonymous_projects": anonymous_projects,
                    "anonymous_spaces": anonymous_spaces,
                },
            )
        )
    return resources


def _scheme_for(site: RawSite, key: str) -> dict[str, Any] | Unknown:
    if isinstance(site.schemes, Unknown):
        return site.schemes
    scheme_id = site.project_schemes.get(key, Unknown(f"jira: the permission scheme of project {key} was not read"))
    if isinstance(scheme_id, Unknown):
        return scheme_id
    scheme = site.schemes.get(scheme_id)
    if scheme is None:
        return Unknown(f"jira: permission scheme {scheme_id} of project {key} is not among the schemes listed")
    return scheme


def _scheme_name(site: RawSite, key: str) -> str | Unknown:
    scheme_id = site.project_schemes.get(key)
    if isinstance(site.schemes, dict) and isinstance(scheme_id, int) and scheme_id in site.schemes:
        return str(site.schemes[scheme_id].get("name") or scheme_id)
    scheme = _scheme_for(site, key)
    return scheme if isinstance(scheme, Unknown) else str(scheme.get("name") or "")


def _browse_holders(site: RawSite, key: str) -> list[str] | Unknown:
    scheme = _scheme_for(site, key)
    if isinstance(scheme, Unknown):
        return scheme
    holders = set()
    for grant in scheme.get("permissions") or ():
        if not isinstance(grant, Mapping) or grant.get("permission") != "BROWSE_PROJECTS":
            continue
        holder = grant.get("holder") or {}
        kind = str(holder.get("type") or "")
        parameter = holder.get("parameter") or holder.get("value")
        holders.add(f"{kind}:{parameter}" if parameter else kind)
    return sorted(holders)
