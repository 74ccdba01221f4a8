"""Raw GitHub answers -> ``Resource`` records of the declared github.* types.

Pure functions, no I/O: the collector gathers the raw REST/GraphQL answers (or ``Unknown`` where
the token could not read them) and these functions shape them. The one piece of real logic is
``effective_protection``: the default branch's protection is the union of its classic branch
protection rule and every *active* ruleset whose conditions cover it, the strictest value of each
setting winning, because that is what GitHub enforces when both exist.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scanner.collectors.base import days_between, iso, parse_time
from scanner.collectors.github.queries import CODEOWNERS_LOCATIONS
from scanner.inventory.model import Resource, Unknown

NEEDS_OWNER = "needs an organization owner token (admin:org / read:org scope)"
NEEDS_REPO_ADMIN = "needs admin on the repository (repo scope, or the Administration: read App permission)"
NEEDS_PUSH = "needs push access to the repository to list collaborators"
NEEDS_GHEC_OWNER = "needs GitHub Enterprise Cloud with SAML SSO and an organization owner token"
NEEDS_ACTIONS_ADMIN = "needs an organization owner token (admin:org scope) to read Actions settings"

PRODUCTION_ENVIRONMENT = re.compile(r"(^|[^a-z])(prod|production|live)([^a-z]|$)", re.IGNORECASE)
ADMIN_BYPASS_ACTORS = frozenset({"OrganizationAdmin", "EnterpriseOwner", "RepositoryRole:admin"})
WRITE_LEVELS = frozenset({"write", "admin"})
REPO_WRITE_PERMISSIONS = frozenset({"WRITE", "MAINTAIN", "ADMIN", "write", "maintain", "admin"})

MaybeUnknown = Any  # a raw value, or an Unknown when it could not be read


@dataclass(frozen=True)
class SamlInfo:
    configured: bool
    name_ids: Mapping[str, str] = field(default_factory=dict)  # login -> SAML NameID
    emails: Mapping[str, str] = field(default_factory=dict)  # login -> first SAML email


@dataclass(frozen=True)
class OrgRaw:
    """Everything read at organization level, each part a raw answer or an ``Unknown``."""

    login: str
    org: Mapping[str, Any]
    owners: Sequence[Mapping[str, Any]]
    members: Sequence[Mapping[str, Any]]
    outside_collaborators: Sequence[Mapping[str, Any]]
    two_factor_disabled: MaybeUnknown  # set of logins
    actions_permissions: MaybeUnknown
    selected_actions: MaybeUnknown  # dict, or None when allowed_actions != selected
    workflow_permissions: MaybeUnknown
    fork_pr_approval: MaybeUnknown
    runner_groups: MaybeUnknown
    hooks: MaybeUnknown
    installations: MaybeUnknown
    rulesets: MaybeUnknown
    saml: MaybeUnknown  # SamlInfo
    credential_authorizations: MaybeUnknown
    repositories_count: int


def org_id(login: str) -> str:
    return f"github:{login}"


def member_id(org: str, login: str) -> str:
    return f"github:{org}/member/{login}"


def repository_id(full_name: str) -> str:
    return f"github:{full_name}"


def _get(raw: MaybeUnknown, key: str, default: Any = None) -> Any:
    if isinstance(raw, Unknown):
        return raw
    if not isinstance(raw, Mapping):
        return default
    return raw.get(key, default)


def _org_setting(org: Mapping[str, Any], key: str, reason: str = NEEDS_OWNER) -> Any:
    """Organization settings GitHub only returns to owners come back absent or null otherwise."""
    value = org.get(key)
    return Unknown(reason) if value is None else value


def _webhook(hook: Mapping[str, Any]) -> dict[str, Any]:
    config = hook.get("config") or {}
    url = str(config.get("url") or "")
    insecure = str(config.get("insecure_ssl", "0")) not in ("0", "", "None")
    # The API masks a set secret as "********"; only its presence is kept, never its value.
    has_secret = bool(config.get("secret"))
    return {
        "id": hook.get("id"),
        "host": urlsplit(url).netloc or url,
        "active": bool(hook.get("active", True)),
        "events": list(hook.get("events") or []),
        "tls_verified": not insecure and not url.startswith("http://"),
        "has_secret": has_secret,
    }


def _webhook_lists(hooks: MaybeUnknown) -> tuple[Any, Any, Any]:
    if isinstance(hooks, Unknown):
        return hooks, hooks, hooks
    shaped = [_webhook(h) for h in hooks]
    label = [f"{h['id']}@{h['host']}" for h in shaped]
    return (
        shaped,
        [lab for h, lab in zip(shaped, label, strict=True) if not h["tls_verified"]],
        [lab for h, lab in zip(shaped, label, strict=True) if not h["has_secret"]],
    )


def map_organization(raw: OrgRaw) -> Resource:
    org = raw.org
    owners = sorted(o["login"] for o in raw.owners)
    hooks, hooks_no_tls, hooks_no_secret = _webhook_lists(raw.hooks)

    if isinstance(raw.installations, Unknown):
        installations: Any = raw.installations
        apps_write_all: Any = raw.installations
    else:
        installations = []
        apps_write_all = []
        for item in raw.installations:
            permissions = dict(item.get("permissions") or {})
            write = sorted(k for k, v in permissions.items() if v in WRITE_LEVELS)
            slug = str(item.get("app_slug") or item.get("app_id"))
            installations.append(
                {
                    "app_slug": slug,
                    "repository_selection": item.get("repository_selection"),
                    "permissions": permissions,
                    "write_permissions": write,
                }
            )
            if item.get("repository_selection") == "all" and write:
                apps_write_all.append(slug)

    if isinstance(raw.runner_groups, Unknown):
        runner_groups: Any = raw.runner_groups
        runner_public: Any = raw.runner_groups
    else:
        runner_groups = [
            {
                "name": g.get("name"),
                "visibility": g.get("visibility"),
                "allows_public_repositories": bool(g.get("allows_public_repositories")),
            }
            for g in raw.runner_groups
        ]
        runner_public = [g["name"] for g in runner_groups if g["allows_public_repositories"]]

    saml = raw.saml
    member_logins = sorted(m["login"] for m in raw.members)
    if isinstance(saml, Unknown):
        saml_configured: Any = saml
        without_saml: Any = saml
    else:
        saml_configured = saml.configured
        without_saml = [login for login in member_logins if login not in saml.name_ids]

    selected = raw.selected_actions
    actions_allowed = _get(raw.actions_permissions, "allowed_actions")
    if isinstance(selected, Unknown):
        github_owned: Any = selected
        verified: Any = selected
        patterns: Any = selected
    elif isinstance(selected, Mapping):
        github_owned = bool(selected.get("github_owned_allowed"))
        verified = bool(selected.get("verified_allowed"))
        patterns = list(selected.get("patterns_allowed") or [])
    else:
        github_owned, verified, patterns = None, None, []

    two_fa = raw.two_factor_disabled
    attributes: dict[str, Any] = {
        "login": raw.login,
        "plan": _get(org.get("plan") or Unknown(NEEDS_OWNER), "name"),
        "two_factor_requirement_enabled": _org_setting(org, "two_factor_requirement_enabled"),
        "saml_sso_configured": saml_configured,
        "members_without_saml_identity": without_saml,
        "default_repository_permission": _org_setting(org, "default_repository_permission"),
        "members_can_create_public_repositories": _org_setting(org, "members_can_create_public_repositories"),
        "members_can_create_private_repositories": _org_setting(org, "members_can_create_private_repositories"),
        "members_can_delete_repositories": _org_setting(org, "members_can_delete_repositories"),
        "members_can_change_repo_visibility": _org_setting(org, "members_can_change_repo_visibility"),
        "members_can_fork_private_repositories": _org_setting(org, "members_can_fork_private_repositories"),
        "web_commit_signoff_required": _org_setting(org, "web_commit_signoff_required"),
        "secret_scanning_enabled_for_new_repositories": _org_setting(
            org, "secret_scanning_enabled_for_new_repositories"
        ),
        "secret_scanning_push_protection_enabled_for_new_repositories": _org_setting(
            org, "secret_scanning_push_protection_enabled_for_new_repositories"
        ),
        "dependabot_alerts_enabled_for_new_repositories": _org_setting(
            org, "dependabot_alerts_enabled_for_new_repositories"
        ),
        "owners": owners,
        "owners_count": len(owners),
        "members_count": len(raw.members),
        "outside_collaborators_count": len(raw.outside_collaborators),
        "members_without_2fa": two_fa if isinstance(two_fa, Unknown) else sorted(two_fa),
        "actions_enabled_repositories": _get(raw.actions_permissions, "enabled_repositories"),
        "actions_allowed_actions": actions_allowed,
        "actions_github_owned_allowed": github_owned,
        "actions_verified_allowed": verified,
        "actions_patterns_allowed": patterns,
        "actions_default_workflow_permissions": _get(raw.workflow_permissions, "default_workflow_permissions"),
        "actions_can_approve_pull_request_reviews": _get(
            raw.workflow_permissions, "can_approve_pull_request_reviews"
        ),
        "actions_fork_pr_approval_policy": _get(raw.fork_pr_approval, "approval_policy"),
        "runner_groups": runner_groups,
        "runner_groups_public": runner_public,
        "webhooks": hooks,
        "webhooks_without_tls_verification": hooks_no_tls,
        "webhooks_without_secret": hooks_no_secret,
        "app_installations": installations,
        "apps_with_write_to_all_repos": apps_write_all,
        "rulesets": raw.rulesets
        if isinstance(raw.rulesets, Unknown)
        else [{"name": r.get("name"), "target": r.get("target"), "enforcement": r.get("enforcement")} for r in raw.rulesets],
        "credential_authorizations_count": raw.credential_authorizations
        if isinstance(raw.credential_authorizations, Unknown)
        else len(raw.credential_authorizations),
        "repositories_count": raw.repositories_count,
    }
    # A missing field in a 200 answer (older GHES) is unknown, not false.
    for key, value in list(attributes.items()):
        if value is None and key not in ("actions_github_owned_allowed", "actions_verified_allowed"):
            attributes[key] = Unknown("not returned by this GitHub version")
    return Resource("github.organization", org_id(raw.login), raw.login, raw.login, attributes)


def map_members(
    raw: OrgRaw,
    repo_access: MaybeUnknown,  # login -> {"admin": [...], "write": [...]}
    now: datetime,
) -> list[Resource]:
    owners = {o["login"] for o in raw.owners}
    last_use = _last_credential_use(raw.credential_authorizations)
    accounts = [(m, False) for m in raw.members] + [(c, True) for c in raw.outside_collaborators]
    resources = []
    for account, outside in sorted(accounts, key=lambda pair: pair[0]["login"].lower()):
        login = account["login"]
        saml = raw.saml
        if isinstance(saml, Unknown):
            linked: Any = None if outside else saml
            name_id: Any = None if outside else saml
            saml_email = None
        elif outside or not saml.configured:
            linked, name_id, saml_email = None, None, None
        else:
            linked = login in saml.name_ids
            name_id = saml.name_ids.get(login)
            saml_email = saml.emails.get(login)
        email: Any = None
        for candidate in (name_id, saml_email, account.get("email")):
            if isinstance(candidate, str) and "@" in candidate:
                email = candidate
                break
        if email is None and isinstance(name_id, Unknown):
            email = name_id
        two_fa = raw.two_factor_disabled
        mfa: Any = two_fa if isinstance(two_fa, Unknown) else login not in two_fa
        if isinstance(last_use, Unknown):
            last_at: Any = last_use
            days: Any = last_use
        else:
            when = last_use.get(login)
            last_at = iso(when)
            days = days_between(when, now)
        if isinstance(repo_access, Unknown):
            admin_repos: Any = repo_access
            write_repos: Any = repo_access
        else:
            access = repo_access.get(login, {})
            admin_repos = sorted(access.get("admin", []))
            write_repos = sorted(access.get("write", []))
        handles = [login]
        for extra in (name_id, email):
            if isinstance(extra, str) and extra and extra not in handles:
                handles.append(extra)
        role = "outside_collaborator" if outside else ("owner" if login in owners else "member")
        attributes = {
            "login": login,
            "user_id": int(account.get("id") or 0),
            "org": raw.login,
            "role": role,
            "is_outside_collaborator": outside,
            "email": email,
            "active": True,  # listed as a member or outside collaborator: the access is live
            "is_admin": role == "owner",
            "mfa_enabled": mfa,
            "saml_identity_linked": linked,
            "saml_name_id": name_id,
            "last_activity_at": last_at,
            "days_since_last_activity": days,
            "handles": handles,
            "admin_repositories": admin_repos,
            "write_repositories": write_repos,
        }
        resources.append(Resource("github.member", member_id(raw.login, login), login, raw.login, attributes))
    return resources


def _last_credential_use(authorizations: MaybeUnknown) -> Any:
    if isinstance(authorizations, Unknown):
        return authorizations
    latest: dict[str, datetime] = {}
    for item in authorizations:
        login = item.get("login")
        when = parse_time(item.get("credential_accessed_at")) or parse_time(item.get("credential_authorized_at"))
        if login and when and (login not in latest or when > latest[login]):
            latest[login] = when
    return latest




# -- repositories ----------------------------------------------------------------------------


def _ref_matches(patterns: Iterable[str], branch: str, default_branch: str) -> bool:
    for pattern in patterns:
        if pattern in ("~ALL", "~DEFAULT_BRANCH") and (pattern == "~ALL" or branch == default_branch):
            return True
        name = pattern[len("refs/heads/") :] if pattern.startswith("refs/heads/") else pattern
        if fnmatch.fnmatchcase(branch, name):
            return True
    return False


def ruleset_applies(ruleset: Mapping[str, Any], repo_name: str, branch: str) -> bool:
    """An ACTIVE branch ruleset whose ref and repository-name conditions include the branch."""
    if ruleset.get("enforcement") not in ("ACTIVE", "active"):
        return False
    if str(ruleset.get("target") or "BRANCH").upper() != "BRANCH":
        return False
    conditions = ruleset.get("conditions") or {}
    ref = conditions.get("refName") or conditions.get("ref_name")
    if not ref:
        return False
    if not _ref_matches(ref.get("include") or [], branch, branch):
        return False
    if _ref_matches(ref.get("exclude") or [], branch, branch):
        return False
    names = conditions.get("repositoryName") or conditions.get("repository_name")
    if names:
        include = names.get("include") or []
        if include and not any(p == "~ALL" or fnmatch.fnmatchcase(repo_name, p) for p in include):
            return False
        if any(fnmatch.fnmatchcase(repo_name, p) for p in names.get("exclude") or []):
            return False
    return True


def classic_rule_for(branch: str, rules: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The classic protection rule GitHub applies to ``branch``: an exact-name rule wins over
    wildcard patterns; among patterns, the first listed (GitHub lists them oldest first)."""
    exact = [r for r in rules if r.get("pattern") == branch]
    if exact:
        return exact[0]
    return next((r for r in rules if fnmatch.fnmatchcase(branch, str(r.get("pattern") or ""))), None)


def _nodes(connection: Any) -> list[Any]:
    if not isinstance(connection, Mapping):
        return []
    return [n for n in connection.get("nodes") or [] if n is not None]


def _bypass_label(actor: Mapping[str, Any]) -> str:
    if actor.get("organizationAdmin"):
        return "OrganizationAdmin"
    if actor.get("enterpriseOwner"):
        return "EnterpriseOwner"
    if actor.get("deployKey"):
        return "DeployKey"
    if actor.get("repositoryRoleName"):
        return f"RepositoryRole:{actor['repositoryRoleName']}"
    inner = actor.get("actor") or {}
    return f"{inner.get('__typename', 'Actor')}:{inner.get('slug', '?')}"


def effective_protection(
    default_branch: str, repo_name: str, classic: Mapping[str, Any] | None, rulesets: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The default branch's protection as GitHub enforces it: classic rule and rulesets merged."""
    sources: list[str] = []
    requires_pr = False
    approvals = 0
    code_owner = stale = last_push = False
    checks: set[str] = set()
    requires_checks = signed = linear = False
    blocks_force_push = blocks_deletion = False
    admin_exempt = False  # some applicable rule source lets admins through
    bypass: set[str] = set()

    if classic:
        sources.append(f"classic:{classic.get('pattern')}")
        if classic.get("requiresApprovingReviews"):
            requires_pr = True
            approvals = max(approvals, int(classic.get("requiredApprovingReviewCount") or 0))
        code_owner |= bool(classic.get("requiresCodeOwnerReviews"))
        stale |= bool(classic.get("dismissesStaleReviews"))
        last_push |= bool(classic.get("requireLastPushApproval"))
        if classic.get("requiresStatusChecks"):
            requires_checks = True
            checks.update(c for c in classic.get("requiredStatusCheckContexts") or [] if c)
        signed |= bool(classic.get("requiresCommitSignatures"))
        linear |= bool(classic.get("requiresLinearHistory"))
        blocks_force_push |= not classic.get("allowsForcePushes", False)
        blocks_deletion |= not classic.get("allowsDeletions", False)
        admin_exempt |= not classic.get("isAdminEnforced", False)

    for ruleset in rulesets:
        if not ruleset_applies(ruleset, repo_name, default_branch):
            continue
        sources.append(f"ruleset:{ruleset.get('name')}")
        actors = [_bypass_label(a) for a in _nodes(ruleset.get("bypassActors"))]
        bypass.update(actors)
        if any(a in ADMIN_BYPASS_ACTORS or a.lower() == "repositoryrole:admin" for a in actors):
            admin_exempt = True
        for rule in _nodes(ruleset.get("rules")):
            kind = str(rule.get("type") or "").upper()
            params = rule.get("parameters") or {}
            if kind == "PULL_REQUEST":
                requires_pr = True
                approvals = max(approvals, int(params.get("requiredApprovingReviewCount") or 0))
                code_owner |= bool(params.get("requireCodeOwnerReview"))
                stale |= bool(params.get("dismissStaleReviewsOnPush"))
                last_push |= bool(params.get("requireLastPushApproval"))
            elif kind == "REQUIRED_STATUS_CHECKS":
                requires_checks = True
                checks.update(c.get("context") for c in params.get("requiredStatusChecks") or [] if c.get("context"))
            elif kind == "REQUIRED_SIGNATURES":
                signed = True
            elif kind == "REQUIRED_LINEAR_HISTORY":
                linear = True
            elif kind == "NON_FAST_FORWARD":
                blocks_force_push = True
            elif kind == "DELETION":
                blocks_deletion = True

    protected = bool(sources)
    return {
        "default_branch_protected": protected,
        "protection_sources": sources,
        "requires_pull_request": requires_pr,
        "required_approving_review_count": approvals,
        "requires_code_owner_review": code_owner,
        "dismisses_stale_reviews": stale,
        "requires_last_push_approval": last_push,
        "requires_status_checks": requires_checks,
        "required_status_checks": sorted(checks),
        "requires_signed_commits": signed,
        "requires_linear_history": linear,
        "allows_force_pushes": not blocks_force_push,
        "allows_deletions": not blocks_deletion,
        "admins_can_bypass": admin_exempt,
        "bypass_actors": sorted(bypass),
    }


PROTECTION_KEYS = tuple(effective_protection("main", "x", None, []).keys())


@dataclass(frozen=True)
class RepoRaw:
    """One repository's raw answers: the REST list item, its GraphQL block, and per-repo REST calls.

    ``graphql_unknown`` maps a GraphQL field (``rulesets``, ``directCollaborators`` ...) to the
    Unknown it should become because the query returned an error for it.
    """

    rest: Mapping[str, Any]
    graphql: Mapping[str, Any] | Unknown
    graphql_unknown: Mapping[str, Unknown]
    hooks: MaybeUnknown
    workflow_permissions: MaybeUnknown
    direct_collaborators: MaybeUnknown  # list of (login, PERMISSION)
    outside_collaborators: MaybeUnknown  # list of (login, PERMISSION)


def map_repository(raw: RepoRaw, critical_topics: Iterable[str], now: datetime) -> Resource:
    rest = raw.rest
    full_name = str(rest["full_name"])
    org = full_name.split("/", 1)[0]
    gql = raw.graphql
    missing = raw.graphql_unknown
    topics = list(rest.get("topics") or [])
    critical = set(critical_topics)
    default_branch = rest.get("default_branch") or None

    def gql_field(name: str) -> Any:
        if isinstance(gql, Unknown):
            return gql
        if name in missing:
            return missing[name]
        return gql.get(name)

    is_empty = gql_field("isEmpty")
    if isinstance(is_empty, Unknown) or is_empty is None:
        is_empty = not bool(rest.get("size")) and not rest.get("pushed_at")

    # Protection: GitHub answers rulesets and classic rules only to those allowed to see them.
    ref = gql_field("defaultBranchRef")
    rulesets_conn = gql_field("rulesets")
    protection: dict[str, Any]
    blocker = next((v for v in (ref, rulesets_conn) if isinstance(v, Unknown)), None)
    if blocker is not None:
        protection = {key: blocker for key in PROTECTION_KEYS}
    elif isinstance(gql_field("branchProtectionRules"), Unknown):
        protection = {key: gql_field("branchProtectionRules") for key in PROTECTION_KEYS}
    else:
        branch = (ref.get("name") if isinstance(ref, Mapping) else None) or default_branch or ""
        classic = classic_rule_for(branch, _nodes(gql_field("branchProtectionRules")))
        protection = effective_protection(branch, str(rest.get("name")), classic, _nodes(rulesets_conn))

    # CODEOWNERS
    codeowners_path: Any = None
    present: Any = False
    locations_unknown = next(
        (gql_field(alias) for alias, _ in CODEOWNERS_LOCATIONS if isinstance(gql_field(alias), Unknown)), None
    )
    if locations_unknown is not None:
        present, codeowners_path = locations_unknown, locations_unknown
    else:
        for alias, path in CODEOWNERS_LOCATIONS:
            if gql_field(alias):
                present, codeowners_path = True, path
                break
    codeowners = gql_field("codeowners")
    if isinstance(codeowners, Unknown):
        codeowners_errors: Any = codeowners
    elif isinstance(codeowners, Mapping) and present is True:
        codeowners_errors = len(codeowners.get("errors") or [])
    else:
        codeowners_errors = None

    security = rest.get("security_and_analysis")
    secret_scanning = _security_status(security, "secret_scanning")
    push_protection = _security_status(security, "secret_scanning_push_protection")
    dependabot = gql_field("hasVulnerabilityAlertsEnabled")
    if dependabot is None:
        dependabot = Unknown(NEEDS_REPO_ADMIN)

    direct = raw.direct_collaborators
    outside = raw.outside_collaborators
    admin_collaborators: Any = direct if isinstance(direct, Unknown) else sorted(login for login, p in direct if p == "ADMIN")
    if isinstance(outside, Unknown):
        outside_write: Any = outside
        outside_admin: Any = outside
    else:
        outside_write = sorted(login for login, p in outside if p in REPO_WRITE_PERMISSIONS)
        outside_admin = sorted(login for login, p in outside if p == "ADMIN")

    keys_conn = gql_field("deployKeys")
    if isinstance(keys_conn, Unknown):
        deploy_keys: Any = keys_conn
        write_keys: Any = keys_conn
    else:
        deploy_keys = []
        for key in _nodes(keys_conn):
            created = parse_time(key.get("createdAt"))
            deploy_keys.append(
                {
                    "title": key.get("title"),
                    "read_only": bool(key.get("readOnly")),
                    "created_at": iso(created),
                    "age_days": days_between(created, now),
                }
            )
        write_keys = [k["title"] for k in deploy_keys if not k["read_only"]]

    envs_conn = gql_field("environments")
    if isinstance(envs_conn, Unknown):
        environments: Any = envs_conn
        production: Any = envs_conn
        production_without: Any = envs_conn
    else:
        environments = []
        for env in _nodes(envs_conn):
            rules = _nodes(env.get("protectionRules"))
            reviewers = sum(
                int(((r.get("reviewers") or {}).get("totalCount")) or 0)
                for r in rules
                if r.get("type") == "REQUIRED_REVIEWERS"
            )
            environments.append(
                {
                    "name": env.get("name"),
                    "required_reviewers": reviewers,
                    "prevent_self_review": any(bool(r.get("preventSelfReview")) for r in rules),
                    "wait_timer": max((int(r.get("timeout") or 0) for r in rules if r.get("type") == "WAIT_TIMER"), default=0),
                    "branch_policy": any(r.get("type") == "BRANCH_POLICY" for r in rules),
                }
            )
        production = [e["name"] for e in environments if PRODUCTION_ENVIRONMENT.search(str(e["name"]))]
        production_without = [e["name"] for e in environments if e["name"] in production and e["required_reviewers"] == 0]

    hooks, hooks_no_tls, hooks_no_secret = _webhook_lists(raw.hooks)

    attributes: dict[str, Any] = {
        "full_name": full_name,
        "org": org,
        "visibility": str(rest.get("visibility") or ("private" if rest.get("private") else "public")),
        "archived": bool(rest.get("archived")),
        "fork": bool(rest.get("fork")),
        "is_empty": bool(is_empty),
        "default_branch": default_branch,
        "topics": topics,
        "is_critical": bool(critical.intersection(topics)),
        "created_at": iso(parse_time(rest.get("created_at"))),
        "pushed_at": iso(parse_time(rest.get("pushed_at"))),
        **protection,
        "codeowners_present": present,
        "codeowners_path": codeowners_path,
        "codeowners_errors": codeowners_errors,
        "secret_scanning_enabled": secret_scanning,
        "secret_scanning_push_protection_enabled": push_protection,
        "dependabot_alerts_enabled": dependabot,
        "admin_collaborators": admin_collaborators,
        "outside_collaborators_with_write": outside_write,
        "outside_collaborators_with_admin": outside_admin,
        "deploy_keys": deploy_keys,
        "write_deploy_keys": write_keys,
        "webhooks": hooks,
        "webhooks_without_tls_verification": hooks_no_tls,
        "webhooks_without_secret": hooks_no_secret,
        "environments": environments,
        "production_environments": production,
        "production_environments_without_reviewers": production_without,
        "actions_default_workflow_permissions": _get(raw.workflow_permissions, "default_workflow_permissions"),
        "actions_can_approve_pull_request_reviews": _get(
            raw.workflow_permissions, "can_approve_pull_request_reviews"
        ),
    }
    for key in ("actions_default_workflow_permissions", "actions_can_approve_pull_request_reviews"):
        if attributes[key] is None:
            attributes[key] = Unknown("not returned by this GitHub version")
    return Resource("github.repository", repository_id(full_name), full_name, org, attributes)


def _security_status(security: Any, key: str) -> Any:
    """``security_and_analysis`` is returned only to repository admins; absent means unreadable."""
    if not isinstance(security, Mapping):
        return Unknown(NEEDS_REPO_ADMIN + " (security_and_analysis)")
    entry = security.get(key)
    if not isinstance(entry, Mapping) or "status" not in entry:
        # Present for admins but without this key: the feature is not available on the plan.
        return Unknown(f"{key} is not reported for this repository (needs GitHub Advanced Security or a public repo)")
    return entry.get("status") == "enabled"


PERMISSION_RANK = {"READ": 1, "TRIAGE": 2, "WRITE": 3, "MAINTAIN": 4, "ADMIN": 5}
_ROLE_PERMISSION = {"read": "READ", "pull": "READ", "triage": "TRIAGE", "write": "WRITE", "push": "WRITE",
                    "maintain": "MAINTAIN", "admin": "ADMIN"}


def strongest(current: str | None, other: str) -> str:
    """The higher of two repository permissions (READ < TRIAGE < WRITE < MAINTAIN < ADMIN)."""
    if current is None or PERMISSION_RANK.get(other, 0) > PERMISSION_RANK.get(current, 0):
        return other
    return current


def team_repository_permission(repo: Mapping[str, Any]) -> str:
    """A team's permission on a repository from ``GET /orgs/{org}/teams/{slug}/repos``: the
    ``permissions`` flags (which a custom role also sets), else ``role_name``."""
    flags = repo.get("permissions") or {}
    for flag, level in (("admin", "ADMIN"), ("maintain", "MAINTAIN"), ("push", "WRITE"), ("triage", "TRIAGE")):
        if flags.get(flag):
            return level
    return _ROLE_PERMISSION.get(str(repo.get("role_name") or "").lower(), "READ")


def repository_access(
    repos: Iterable[tuple[str, MaybeUnknown, MaybeUnknown]],
    team_access: MaybeUnknown = None,  # login -> {full_name: PERMISSION} through teams
) -> MaybeUnknown:
    """login -> {"admin": [repos], "write": [repos]} from each repo's direct and outside
    collaborators and, when given, the access members hold through teams (the strongest wins).

    Unknown as a whole when any repository's collaborators or the team grants could not be read:
    a partial list would understate someone's access.
    """
    if isinstance(team_access, Unknown):
        return Unknown(f"{team_access.reason} (repository access through teams)")
    by_team: dict[str, dict[str, str]] = {}
    for login, grants in (team_access or {}).items():
        for full_name, permission in grants.items():
            by_team.setdefault(full_name, {})[login] = permission
    access: dict[str, dict[str, list[str]]] = {}
    for full_name, direct, outside in repos:
        for part in (direct, outside):
            if isinstance(part, Unknown):
                return Unknown(f"{part.reason} (at least {full_name})")
        seen: dict[str, str] = dict(by_team.get(full_name, {}))
        for login, permission in list(direct) + list(outside):
            seen[login] = strongest(seen.get(login), permission)
        for login, permission in seen.items():
            entry = access.setdefault(login, {"admin": [], "write": []})
            if permission == "ADMIN":
                entry["admin"].append(full_name)
            if permission in REPO_WRITE_PERMISSIONS:
                entry["write"].append(full_name)
    return access
