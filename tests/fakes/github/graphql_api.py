"""GraphQL for the fake GitHub: graphql-core over GitHub's public schema, resolved from the fixtures.

The schema is ``tests/fakes/github_openapi/schema.graphql`` (GitHub's published SDL, cleaned by
``trim.py``), so parsing and validation are GitHub's: a field that does not exist, a wrong
argument or a missing variable fails with ``{"errors": [...]}`` exactly where github.com would.
Objects are plain dicts; a value that is a callable is called with the field's arguments
(camelCase, as in the query), so nested connections are built only when a query asks for them.
Abstract types resolve through a ``__typename`` key. Like github.com, connections demand
``first`` or ``last`` (<= 100); unknown or invisible repos/orgs fail with ``type: NOT_FOUND``;
collaborators without push access and the SAML provider without owner rights fail with
``type: FORBIDDEN`` (the field becomes null, the rest stands); and, as github.com does, a viewer
without admin gets *silently* empty branch protection rules, deploy keys and ruleset bypass
actors, a null ``branchProtectionRule`` and ``hasVulnerabilityAlertsEnabled: false``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
    graphql_sync,
    validate_schema,
)

from tests.fakes.github import rest
from tests.fakes.github.model import (
    BranchProtection,
    Environment,
    Org,
    Repo,
    Ruleset,
    Token,
    World,
)

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "github_openapi" / "schema.graphql"
MAX_PAGE = 100
ROLE_IDS = {5: "admin", 2: "maintain", 4: "write", 3: "triage", 1: "read"}
PERMISSION_ENUM = {"pull": "READ", "triage": "TRIAGE", "push": "WRITE", "maintain": "MAINTAIN", "admin": "ADMIN"}


@cache
def load_schema() -> GraphQLSchema:
    """GitHub's schema, built once per process on first use (~0.5 s).

    Valid under graphql-core 3.2 and 3.3 alike: see :func:`build_github_schema`.
    """
    return build_github_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


def build_github_schema(sdl: str) -> GraphQLSchema:
    """Build GitHub's published SDL into a schema that the installed graphql-core accepts as valid.

    graphql-core 3.3 (following graphql-js 17) added a schema rule GitHub's SDL breaks: a field
    implementing an interface field that is not deprecated must not itself be deprecated
    (``Project.id`` is ``@deprecated`` while ``Node.id`` is not, and eleven more). 3.2 does not
    have the rule. Clearing those fields' deprecation after the build changes nothing a query can
    observe except the deprecation flag in introspection, which no test reads; every other rule
    stays in force (no ``assume_valid``), so a query github.com rejects is still rejected. Any
    other violation a future release adds fails here, naming it, instead of as GraphQL errors
    inside unrelated tests.
    """
    schema = build_schema(sdl)
    _drop_deprecations_the_interface_lacks(schema)
    # graphql-core validates a schema lazily, on first execution, and caches the verdict: the
    # patch above is in place before that.
    errors = validate_schema(schema)
    if errors:
        listed = "; ".join(error.message for error in errors[:5])
        raise RuntimeError(f"{SCHEMA_PATH.name}: {len(errors)} schema error(s) under this graphql-core: {listed}")
    return schema


def _drop_deprecations_the_interface_lacks(schema: GraphQLSchema) -> None:
    """Clear the deprecation of fields whose interface declares the same field undeprecated."""
    for named_type in schema.type_map.values():
        if not isinstance(named_type, (GraphQLObjectType, GraphQLInterfaceType)):
            continue
        # ``interfaces`` already lists transitive interfaces in a valid schema; nothing to walk.
        for interface in named_type.interfaces:
            for name, interface_field in interface.fields.items():
                field = named_type.fields.get(name)
                if field is not None and field.deprecation_reason and not interface_field.deprecation_reason:
                    field.deprecation_reason = None


def _resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    value = source.get(info.field_name) if isinstance(source, dict) else getattr(source, info.field_name, None)
    if callable(value):
        return value(**args)
    return value


def _error(kind: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"type": kind})


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode().rsplit(":", 1)[1]) + 1
    except (ValueError, IndexError) as exc:
        raise _error("INVALID_CURSOR_ARGUMENTS", f"`{cursor}` does not appear to be a valid cursor.") from exc


def connection(
    name: str,
    items: list[Any],
    *,
    edge: Callable[[Any], dict[str, Any]] | None = None,
    node: Callable[[Any], Any] = lambda item: item,
) -> Callable[..., dict[str, Any]]:
    """A Relay connection resolver over ``items`` with GitHub's paging rules."""

    def resolve(first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None, **_: Any) -> dict[str, Any]:
        if first is None and last is None:
            raise _error(
                "MISSING_PAGINATION_BOUNDARIES",
                f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
            )
        for label, value in (("first", first), ("last", last)):
            if value is not None and value > MAX_PAGE:
                raise _error(
                    "EXCESSIVE_PAGINATION",
                    f"Requesting {value} records on the `{name}` connection exceeds the `{label}` limit of {MAX_PAGE} records.",
                )
        start = _offset(after)
        end = len(items) if before is None else max(start, _offset(before) - 1)
        window = list(range(start, end))
        if first is not None:
            window = window[:first]
        if last is not None:
            window = window[-last:] if last else []
        edges = []
        for index in window:
            item = items[index]
            entry = {"cursor": _cursor(index), "node": node(item)}
            if edge is not None:
                entry.update(edge(item))
            edges.append(entry)
        return {
            "edges": edges,
            "nodes": [e["node"] for e in edges],
            "totalCount": len(items),
            "pageInfo": {
                "hasNextPage": bool(window) and window[-1] < end - 1,
                "hasPreviousPage": bool(window) and window[0] > 0,
                "startCursor": edges[0]["cursor"] if edges else None,
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
        }

    return resolve


def _gid(kind: str, ident: int | str) -> str:
    return base64.b64encode(f"{kind}:{ident}".encode()).decode().rstrip("=")


class _Resolver:
    """Builds the dict graph for one request (one viewer)."""

    def __init__(self, world: World, token: Token, rate: dict[str, Any]) -> None:
        self.world = world
        self.token = token
        self.rate = rate

    # -------------------------------------------------------- helpers

    def _request(self) -> rest.Request:
        # The access rules live in rest.py; GraphQL reuses them through a synthetic request.
        return rest.Request("POST", "/graphql", {}, {}, self.token, None, "", self.world)

    def viewer_kind(self, org: Org) -> rest.Viewer:
        return rest.viewer_of(self._request(), org)

    def user(self, login: str, org: Org | None = None) -> dict[str, Any]:
        person = org.person(login) if org else None
        if person is None:
            person = next((o.person(login) for o in self.world.orgs if o.person(login)), None)
        ident = person.id if person else rest._stable_id("user", login)
        return {
            "__typename": "User",
            "login": login,
            "id": _gid("User", ident),
            "databaseId": ident,
            "name": person.name if person else None,
            "email": (person.email if person and person.email else ""),
            "url": f"https://github.com/{login}",
        }

    def team(self, org: Org, slug: str) -> dict[str, Any] | None:
        team = org.team(slug)
        if team is None:
            return None
        return {
            "__typename": "Team",
            "slug": team.slug,
            "name": team.name,
            "combinedSlug": f"{org.login}/{team.slug}",
            "id": _gid("Team", team.id),
            "databaseId": team.id,
        }

    # -------------------------------------------------------- root

    def root(self) -> dict[str, Any]:
        return {
            "viewer": self.viewer,
            "rateLimit": lambda **_: dict(self.rate),
            "organization": self.organization,
            "repository": self.repository,
            "user": lambda login, **_: self.user(login),
            "node": self.node,
        }

    def node(self, id: str, **_: Any) -> dict[str, Any] | None:
        """``node(id:)`` for the node types a collector pages into: rulesets and environments
        (their nested connections), resolved only for a viewer who can see the repository."""
        try:
            kind, ident = base64.b64decode(id + "=" * (-len(id) % 4)).decode().split(":", 1)
        except (ValueError, UnicodeDecodeError):
            raise _error("NOT_FOUND", f"Could not resolve to a node with the global id of '{id}'") from None
        for org in self.world.orgs:
            viewer = self.viewer_kind(org)
            if kind == "RepositoryRuleset":
                for ruleset in org.rulesets:
                    if str(ruleset.id) == ident and viewer in ("owner", "member", "installation"):
                        repo = next((r for r in org.repos if ruleset.applies_to_repo(r.name)), None)
                        if repo is not None:
                            return self.ruleset_node(org, repo, ruleset, org.login, rest.is_admin_viewer(viewer))
            for repo in org.repos:
                permission = rest.repo_permission(org, repo, self.token.login, viewer)
                if permission == "none":
                    continue
                if kind == "RepositoryRuleset":
                    for ruleset in repo.rulesets:
                        if str(ruleset.id) == ident:
                            source = f"{org.login}/{repo.name}"
                            return self.ruleset_node(org, repo, ruleset, source, rest.at_least(permission, "admin"))
                if kind == "Environment":
                    for env in repo.environments:
                        if str(env.id) == ident:
                            return self.environment_node(org, env)
        raise _error("NOT_FOUND", f"Could not resolve to a node with the global id of '{id}'")

    def viewer(self, **_: Any) -> dict[str, Any]:
        if self.token.installation_id is not None:
            raise _error("FORBIDDEN", "Resource not accessible by integration")
        return self.user(self.token.login or "unknown")

    def organization(self, login: str, **_: Any) -> dict[str, Any]:
        org = self.world.org(login)
        if org is None:
            raise _error("NOT_FOUND", f"Could not resolve to an Organization with the login of '{login}'.")
        return self.org_node(org)

    def repository(self, owner: str, name: str, **_: Any) -> dict[str, Any]:
        org = self.world.org(owner)
        repo = org.find_repo(name) if org else None
        if org is None or repo is None:
            raise _error("NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        viewer = self.viewer_kind(org)
        permission = rest.repo_permission(org, repo, self.token.login, viewer)
        if permission == "none":
            raise _error("NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return self.repo_node(org, repo, permission)

    # -------------------------------------------------------- organization

    def org_node(self, org: Org) -> dict[str, Any]:
        viewer = self.viewer_kind(org)
        admin = rest.is_admin_viewer(viewer)
        insider = viewer in ("owner", "member", "installation")
        members = sorted(org.members, key=lambda p: p.login.lower()) if insider else []
        visible_repos = []
        for repo in org.repos:
            permission = rest.repo_permission(org, repo, self.token.login, viewer)
            if permission != "none":
                visible_repos.append((repo, permission))

        def repositories(isArchived: bool | None = None, isFork: bool | None = None, visibility: str | None = None, privacy: str | None = None, **page: Any) -> dict[str, Any]:
            chosen = [
                (r, p)
                for r, p in visible_repos
                if (isArchived is None or r.archived == isArchived)
                and (isFork is None or r.fork == isFork)
                and (visibility is None or r.visibility.upper() == visibility)
                and (privacy is None or (privacy == "PRIVATE") == r.private)
            ]
            return connection("repositories", chosen, node=lambda rp: self.repo_node(org, rp[0], rp[1]))(**page)

        def repository(name: str, **_: Any) -> dict[str, Any] | None:
            found = next(((r, p) for r, p in visible_repos if r.name.lower() == name.lower()), None)
            if found is None:
                raise _error("NOT_FOUND", f"Could not resolve to a Repository with the name '{org.login}/{name}'.")
            return self.repo_node(org, found[0], found[1])

        def saml_provider(**_: Any) -> dict[str, Any] | None:
            if org.plan != "enterprise" or not org.saml_sso:
                return None
            if not admin:
                raise _error("FORBIDDEN", f"You must be an owner of {org.login} to read its SAML identity provider.")
            linked = [p for p in org.members if p.saml_name_id]
            return {
                "id": _gid("OrganizationIdentityProvider", org.id),
                "ssoUrl": f"https://login.microsoftonline.com/{org.login}/saml2",
                "issuer": f"https://sts.windows.net/{org.login}/",
                "externalIdentities": connection(
                    "externalIdentities",
                    linked,
                    node=lambda p: {
                        "id": _gid("ExternalIdentity", p.id),
                        "guid": f"guid-{p.id}",
                        "user": self.user(p.login, org),
                        "samlIdentity": {
                            "nameId": p.saml_name_id,
                            "username": p.saml_name_id,
                            "emails": [{"value": p.saml_name_id, "primary": True, "type": "work"}],
                            "attributes": [],
                            "givenName": None,
                            "familyName": None,
                            "groups": None,
                        },
                        "scimIdentity": {"username": p.scim_username, "emails": None, "givenName": None,
                                         "familyName": None, "groups": None} if p.scim_username else None,
                    },
                ),
            }

        def ip_allow_list_setting(**_: Any) -> str:
            if not admin:
                raise _error("FORBIDDEN", f"You must be an owner of {org.login} to read its IP allow list.")
            return "ENABLED" if org.ip_allow_list_enabled else "DISABLED"

        def ip_allow_list_entries(**page: Any) -> dict[str, Any]:
            if not admin:
                raise _error("FORBIDDEN", f"You must be an owner of {org.login} to read its IP allow list.")
            entries = [
                {"id": _gid("IpAllowListEntry", f"{org.id}-{i}"), "allowListValue": value, "isActive": active,
                 "name": None, "createdAt": org.created_at, "updatedAt": org.updated_at}
                for i, (value, active) in enumerate(org.ip_allow_list)
            ]
            return connection("ipAllowListEntries", entries)(**page)

        return {
            "__typename": "Organization",
            "login": org.login,
            "ipAllowListEnabledSetting": ip_allow_list_setting,
            "ipAllowListEntries": ip_allow_list_entries,
            "name": org.name,
            "id": _gid("Organization", org.id),
            "databaseId": org.id,
            "url": f"https://github.com/{org.login}",
            "viewerCanAdminister": admin,
            "viewerIsAMember": viewer in ("owner", "member"),
            "requiresTwoFactorAuthentication": org.two_factor_requirement_enabled if admin else None,
            "samlIdentityProvider": saml_provider,
            "membersWithRole": connection(
                "membersWithRole",
                members,
                node=lambda p: self.user(p.login, org),
                edge=lambda p: {
                    "role": "ADMIN" if p.role == "admin" else "MEMBER",
                    "hasTwoFactorEnabled": p.two_factor_enabled if admin else None,
                },
            ),
            "repositories": repositories,
            "repository": repository,
            "teams": connection("teams", list(org.teams) if insider else [], node=lambda t: self.team(org, t.slug)),
            "team": lambda slug, **_: self.team(org, slug) if insider else None,
        }

    # -------------------------------------------------------- repository

    def repo_node(self, org: Org, repo: Repo, permission: str) -> dict[str, Any]:
        admin = rest.at_least(permission, "admin")
        push = rest.at_least(permission, "push")
        full_name = f"{org.login}/{repo.name}"
        outside = {p.login.lower() for p in org.outside_collaborators}

        def collaborators(affiliation: str = "ALL", login: str | None = None, query: str | None = None, **page: Any) -> dict[str, Any]:
            if not push:
                raise _error("FORBIDDEN", f"Must have push access to view repository collaborators of {full_name}.")
            entries: dict[str, str] = {}
            for collaborator in repo.collaborators:
                if affiliation == "OUTSIDE" and collaborator.login.lower() not in outside:
                    continue
                entries[collaborator.login] = collaborator.permission
            if affiliation == "ALL":
                for member in org.members:
                    kind: rest.Viewer = "owner" if member.role == "admin" else "member"
                    effective = rest.repo_permission(org, repo, member.login, kind)
                    if effective != "none" and rest.at_least(effective, entries.get(member.login, "none")):
                        entries[member.login] = effective
            rows = sorted(entries.items(), key=lambda kv: kv[0].lower())
            if login:
                rows = [r for r in rows if r[0].lower() == login.lower()]
            return connection(
                "collaborators",
                rows,
                node=lambda row: self.user(row[0], org),
                edge=lambda row: {"permission": PERMISSION_ENUM[row[1]], "permissionSources": []},
            )(**page)

        def rulesets(includeParents: bool = True, targets: list[str] | None = None, **page: Any) -> dict[str, Any]:
            found = rest._repo_rulesets(org, repo, include_parents=includeParents)
            if targets:
                found = [(r, s) for r, s in found if r.target.upper() in targets]
            return connection("rulesets", found, node=lambda rs: self.ruleset_node(org, repo, rs[0], rs[1], admin))(**page)

        def git_object(expression: str | None = None, oid: str | None = None, **_: Any) -> dict[str, Any] | None:
            if not expression or ":" not in expression:
                return None
            path = expression.split(":", 1)[1].strip("/")
            text = repo.files.get(path)
            if text is None:
                return tree_object(repo, path)
            return {"__typename": "Blob", "text": text, "byteSize": len(text.encode()), "isBinary": False, "isTruncated": False,
                    "oid": "0" * 40, "abbreviatedOid": "0000000", "id": _gid("Blob", path)}

        def codeowners(refName: str | None = None, **_: Any) -> dict[str, Any] | None:
            if not any(p in repo.files for p in rest.CODEOWNERS_PATHS):
                return None
            return {
                "errors": [
                    {
                        "column": e.get("column", 1),
                        "kind": e.get("kind", "Unknown owner"),
                        "line": e.get("line", 1),
                        "message": e.get("message", ""),
                        "path": e.get("path", "CODEOWNERS"),
                        "source": e.get("source", ""),
                        "suggestion": e.get("suggestion"),
                    }
                    for e in repo.codeowners_errors
                ]
            }

        classic = sorted(repo.protection.items())
        return {
            "__typename": "Repository",
            "id": _gid("Repository", repo.id),
            "databaseId": repo.id,
            "name": repo.name,
            "nameWithOwner": full_name,
            "url": f"https://github.com/{full_name}",
            "description": repo.description,
            "isArchived": repo.archived,
            "isFork": repo.fork,
            "isPrivate": repo.private,
            "isEmpty": False,
            "isDisabled": False,
            "isLocked": False,
            "isTemplate": False,
            "visibility": repo.visibility.upper(),
            "createdAt": repo.created_at,
            "updatedAt": repo.updated_at,
            "pushedAt": repo.pushed_at,
            "viewerPermission": PERMISSION_ENUM.get(permission),
            "viewerCanAdminister": admin,
            "owner": {"__typename": "Organization", "login": org.login, "id": _gid("Organization", org.id), "url": f"https://github.com/{org.login}"},
            "hasVulnerabilityAlertsEnabled": repo.vulnerability_alerts and admin,
            "repositoryTopics": connection(
                "repositoryTopics", list(repo.topics), node=lambda t: {"topic": {"name": t, "id": _gid("Topic", t)}, "url": f"https://github.com/topics/{t}"}
            ),
            "defaultBranchRef": self.ref_node(org, repo, repo.default_branch, admin),
            "ref": lambda qualifiedName, **_: self._named_ref(org, repo, qualifiedName, admin),
            # Without admin, github.com answers these silently (empty lists, false), not with an error
            # (w3c/validate-repos#30): a collector must check viewerPermission, as it must here.
            "branchProtectionRules": connection(
                "branchProtectionRules", classic if admin else [], node=lambda item: self.classic_rule_node(org, repo, item[0], item[1])
            ),
            "rulesets": rulesets,
            "collaborators": collaborators,
            "deployKeys": connection(
                "deployKeys",
                list(repo.deploy_keys) if admin else [],
                node=lambda k: {"id": _gid("DeployKey", k.id), "title": k.title, "readOnly": k.read_only,
                                "createdAt": k.created_at, "key": k.key, "verified": True, "enabled": True},
            ),
            "environments": lambda names=None, **page: connection(
                "environments",
                [e for e in repo.environments if not names or e.name in names],
                node=lambda e: self.environment_node(org, e),
            )(**{k: v for k, v in page.items() if k in ("first", "after", "last", "before")}),
            "object": git_object,
            "codeowners": codeowners,
        }

    def _named_ref(self, org: Org, repo: Repo, qualified: str, admin: bool) -> dict[str, Any] | None:
        branch = qualified.removeprefix("refs/heads/")
        return self.ref_node(org, repo, branch, admin) if branch in repo.all_branches else None

    def ref_node(self, org: Org, repo: Repo, branch: str, admin: bool) -> dict[str, Any]:
        protection = repo.protection.get(branch)

        def protection_rule(**_: Any) -> dict[str, Any] | None:
            # null for a viewer without admin, as on github.com (indistinguishable from "unprotected").
            return self.classic_rule_node(org, repo, branch, protection) if protection and admin else None

        return {
            "__typename": "Ref",
            "id": _gid("Ref", f"{repo.id}:{branch}"),
            "name": branch,
            "prefix": "refs/heads/",
            "branchProtectionRule": protection_rule,
            "rules": connection("rules", rest.effective_rules(org, repo, branch), node=lambda r: self.rule_node(org, r)),
        }

    def classic_rule_node(self, org: Org, repo: Repo, pattern: str, bp: BranchProtection) -> dict[str, Any]:
        def actor(login: str) -> dict[str, Any]:
            return {"actor": self.user(login, org)}

        bypass = [actor(login) for login in bp.bypass_pull_request_users] + [
            {"actor": self.team(org, slug)} for slug in bp.bypass_pull_request_teams
        ]
        empty = connection("allowances", [])
        ident = rest._stable_id(repo.name, pattern)
        return {
            "id": _gid("BranchProtectionRule", ident),
            "databaseId": ident,
            "pattern": pattern,
            "isAdminEnforced": bp.enforce_admins,
            "requiresApprovingReviews": bp.required_approving_review_count is not None,
            "requiredApprovingReviewCount": bp.required_approving_review_count,
            "requiresCodeOwnerReviews": bp.require_code_owner_reviews,
            "dismissesStaleReviews": bp.dismiss_stale_reviews,
            "requireLastPushApproval": bp.require_last_push_approval,
            "requiresStatusChecks": bp.required_status_checks is not None,
            "requiresStrictStatusChecks": bp.strict_status_checks,
            "requiredStatusCheckContexts": list(bp.required_status_checks or []),
            "requiredStatusChecks": [{"context": c, "app": None} for c in bp.required_status_checks or []],
            "requiresCommitSignatures": bp.required_signatures,
            "requiresLinearHistory": bp.required_linear_history,
            "requiresConversationResolution": bp.required_conversation_resolution,
            "requiresDeployments": False,
            "requiredDeploymentEnvironments": [],
            "allowsForcePushes": bp.allow_force_pushes,
            "allowsDeletions": bp.allow_deletions,
            "blocksCreations": False,
            "lockBranch": False,
            "lockAllowsFetchAndMerge": False,
            "restrictsPushes": False,
            "restrictsReviewDismissals": False,
            "bypassPullRequestAllowances": connection("bypassPullRequestAllowances", bypass),
            "bypassForcePushAllowances": empty,
            "pushAllowances": empty,
            "reviewDismissalAllowances": empty,
            "branchProtectionRuleConflicts": empty,
            "matchingRefs": connection("matchingRefs", [pattern] if pattern in repo.all_branches else [],
                                       node=lambda b: {"name": b, "prefix": "refs/heads/", "id": _gid("Ref", b)}),
        }

    def ruleset_node(self, org: Org, repo: Repo, ruleset: Ruleset, source: str, admin: bool = True) -> dict[str, Any]:
        org_level = source == org.login
        conditions: dict[str, Any] = {
            "refName": {"include": list(ruleset.ref_include), "exclude": list(ruleset.ref_exclude)},
            "repositoryName": (
                {"include": list(ruleset.repo_include), "exclude": list(ruleset.repo_exclude), "protected": False}
                if org_level
                else None
            ),
            "repositoryId": None,
            "repositoryProperty": None,
        }
        source_node = (
            {"__typename": "Organization", "login": org.login, "name": org.name, "id": _gid("Organization", org.id)}
            if org_level
            else {"__typename": "Repository", "name": repo.name, "nameWithOwner": f"{org.login}/{repo.name}", "id": _gid("Repository", repo.id)}
        )
        rules = [{**rule, "ruleset_id": ruleset.id} for rule in ruleset.rules]

        def rules_connection(type: str | None = None, **page: Any) -> dict[str, Any]:
            chosen = [r for r in rules if type is None or r["type"].upper() == type]
            return connection("rules", chosen, node=lambda r: self.rule_node(org, r))(**page)

        return {
            "__typename": "RepositoryRuleset",
            "id": _gid("RepositoryRuleset", ruleset.id),
            "databaseId": ruleset.id,
            "name": ruleset.name,
            "enforcement": ruleset.enforcement.upper(),
            "target": ruleset.target.upper(),
            "createdAt": ruleset.created_at,
            "updatedAt": ruleset.updated_at,
            "source": source_node,
            "conditions": conditions,
            "rules": rules_connection,
            # Bypass actors are hidden from viewers without admin (ossf/scorecard#3354).
            "bypassActors": connection(
                "bypassActors", list(ruleset.bypass_actors) if admin else [], node=lambda a: self.bypass_actor_node(org, ruleset, a)
            ),
        }

    def bypass_actor_node(self, org: Org, ruleset: Ruleset, actor: dict[str, Any]) -> dict[str, Any]:
        kind = actor.get("actor_type")
        ident = actor.get("actor_id")
        actor_node: dict[str, Any] | None = None
        if kind == "Team":
            team = next((t for t in org.teams if t.id == ident), None)
            actor_node = self.team(org, team.slug) if team else None
        elif kind == "Integration":
            inst = next((i for i in org.installations if i.app_id == ident), None)
            if inst is not None:
                actor_node = {"__typename": "App", "slug": inst.app_slug, "name": inst.app_slug, "id": _gid("App", inst.app_id), "databaseId": inst.app_id}
        return {
            "id": _gid("BypassActor", f"{ruleset.id}:{kind}:{ident}"),
            "actor": actor_node,
            "bypassMode": "PULL_REQUEST" if actor.get("bypass_mode") == "pull_request" else "ALWAYS",
            "deployKey": kind == "DeployKey",
            "enterpriseOwner": kind == "EnterpriseOwner",
            "organizationAdmin": kind == "OrganizationAdmin",
            "repositoryRoleName": ROLE_IDS.get(int(ident or 0)) if kind == "RepositoryRole" else None,
            "repositoryRoleDatabaseId": ident if kind == "RepositoryRole" else None,
        }

    def rule_node(self, org: Org, rule: dict[str, Any]) -> dict[str, Any]:
        kind = str(rule["type"])
        params = rule.get("parameters") or {}
        parameters: dict[str, Any] | None = None
        if kind == "pull_request":
            parameters = {
                "__typename": "PullRequestParameters",
                "requiredApprovingReviewCount": params.get("required_approving_review_count", 0),
                "requireCodeOwnerReview": params.get("require_code_owner_review", False),
                "dismissStaleReviewsOnPush": params.get("dismiss_stale_reviews_on_push", False),
                "requireLastPushApproval": params.get("require_last_push_approval", False),
                "requiredReviewThreadResolution": params.get("required_review_thread_resolution", False),
                "allowedMergeMethods": params.get("allowed_merge_methods"),
            }
        elif kind == "required_status_checks":
            parameters = {
                "__typename": "RequiredStatusChecksParameters",
                "requiredStatusChecks": [
                    {"context": c.get("context"), "integrationId": c.get("integration_id")}
                    for c in params.get("required_status_checks", [])
                ],
                "strictRequiredStatusChecksPolicy": params.get("strict_required_status_checks_policy", False),
                "doNotEnforceOnCreate": params.get("do_not_enforce_on_create", False),
            }
        elif kind == "update":
            parameters = {"__typename": "UpdateParameters", "updateAllowsFetchAndMerge": params.get("update_allows_fetch_and_merge", False)}
        ruleset_id = rule.get("ruleset_id", 0)
        return {
            "id": _gid("RepositoryRule", f"{ruleset_id}:{kind}"),
            "type": kind.upper(),
            "parameters": parameters,
        }

    def environment_node(self, org: Org, env: Environment) -> dict[str, Any]:
        rules: list[dict[str, Any]] = []
        if env.reviewers:
            reviewers = [self.team(org, name) if kind == "Team" else self.user(name, org) for kind, name in env.reviewers]
            rules.append({"type": "REQUIRED_REVIEWERS", "timeout": 0, "preventSelfReview": env.prevent_self_review,
                          "databaseId": env.id * 10 + 1, "reviewers": connection("reviewers", [r for r in reviewers if r])})
        if env.wait_timer:
            rules.append({"type": "WAIT_TIMER", "timeout": env.wait_timer, "preventSelfReview": None,
                          "databaseId": env.id * 10 + 2, "reviewers": connection("reviewers", [])})
        if env.protected_branches_only is not None:
            rules.append({"type": "BRANCH_POLICY", "timeout": 0, "preventSelfReview": None,
                          "databaseId": env.id * 10 + 3, "reviewers": connection("reviewers", [])})
        return {
            "__typename": "Environment",
            "id": _gid("Environment", env.id),
            "databaseId": env.id,
            "name": env.name,
            "isPinned": False,
            "pinnedPosition": None,
            "latestCompletedDeployment": None,
            "protectionRules": connection("protectionRules", rules),
        }


# GitHub's Blob.text carries at most this much before isTruncated turns true (tests lower it).
BLOB_TEXT_LIMIT = 512 * 1024


def tree_object(repo: Repo, path: str) -> dict[str, Any] | None:
    """A directory of ``repo.files`` as a GraphQL ``Tree`` (entries: blobs and sub-trees), as
    ``object(expression: "HEAD:dir")`` answers; None when no file lives under ``path``."""
    prefix = path.strip("/") + "/"
    children: dict[str, str | None] = {}
    for file_path, text in sorted(repo.files.items()):
        if file_path.startswith(prefix):
            head, _, rest_of_path = file_path[len(prefix):].partition("/")
            children[head] = None if rest_of_path else text
    if not children:
        return None

    def entry(name: str, text: str | None) -> dict[str, Any]:
        if text is None:
            return {"name": name, "type": "tree", "path": prefix + name, "mode": 16384,
                    "object": {"__typename": "Tree", "id": _gid("Tree", prefix + name)}}
        raw = text.encode()
        truncated = len(raw) > BLOB_TEXT_LIMIT
        blob = {"__typename": "Blob", "id": _gid("Blob", prefix + name), "byteSize": len(raw), "isBinary": False,
                "isTruncated": truncated, "text": raw[:BLOB_TEXT_LIMIT].decode(errors="ignore") if truncated else text,
                "oid": "0" * 40, "abbreviatedOid": "0000000"}
        return {"name": name, "type": "blob", "path": prefix + name, "mode": 33188, "object": blob}

    return {"__typename": "Tree", "id": _gid("Tree", path), "oid": "0" * 40, "abbreviatedOid": "0000000",
            "entries": [entry(name, text) for name, text in children.items()]}


def _format_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = {"message": error.message}
    extensions = dict(error.extensions or {})
    kind = extensions.pop("type", None)
    if kind:
        formatted["type"] = kind
    if error.path:
        formatted["path"] = list(error.path)
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if extensions:
        formatted["extensions"] = extensions
    return formatted


class GraphQLEndpoint:
    """Executes one GraphQL request body for one token over the world."""

    def execute(self, world: World, token: Token, body: Any, rate: dict[str, Any] | None = None) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return {"errors": [{"message": "A query attribute must be specified and must be a string."}]}
        variables = body.get("variables") or None
        if variables is not None and not isinstance(variables, dict):
            return {"errors": [{"message": "Variables are invalid JSON."}]}
        resolver = _Resolver(world, token, rate or {"limit": 5000, "remaining": 4999, "used": 1, "cost": 1, "nodeCount": 0, "resetAt": "2030-01-01T00:00:00Z"})
        result = graphql_sync(
            load_schema(),
            body["query"],
            root_value=resolver.root(),
            variable_values=variables,
            operation_name=body.get("operationName"),
            field_resolver=_resolve_field,
        )
        answer: dict[str, Any] = {}
        if result.data is not None or not result.errors:
            answer["data"] = result.data
        if result.errors:
            answer["errors"] = [_format_error(e) for e in result.errors]
        return answer
