"""REST routes of the fake GitHub: GitHub's JSON shapes rendered from the fixture model.

Each route is (method, OpenAPI path template, handler). The template is the key into the trimmed
OpenAPI description, so the server can validate every response against the operation's schema.
Access follows GitHub's documented rules for the identity behind the token: owners see every
setting; plain members get the answers GitHub gives a non-owner (422 on ``filter=2fa_disabled``,
404 on org webhooks and org rulesets, 403 on Actions settings and app installations, owner-only
org fields omitted, 404 on admin-only repo endpoints); App installation tokens read like an owner.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlencode

from tests.fakes.github.model import (
    BranchProtection,
    Environment,
    Hook,
    Installation,
    Org,
    OrgRole,
    Person,
    Repo,
    Ruleset,
    Team,
    Token,
    World,
)

DOCS = "https://docs.github.com/rest"
PERMISSION_ORDER = ("none", "pull", "triage", "push", "maintain", "admin")
BASE_PERMISSION = {"none": "none", "read": "pull", "write": "push", "admin": "admin"}
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")

Viewer = Literal["owner", "member", "outside", "installation", "anonymous"]


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able, or None for an empty body (204/304)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    """One parsed request as handlers see it."""

    method: str
    path: str  # without any /api/v3 prefix and without the query
    query: dict[str, str]
    params: dict[str, str]  # path template variables
    token: Token | None  # None = anonymous
    token_value: str | None
    api_base: str  # e.g. http://127.0.0.1:PORT or http://127.0.0.1:PORT/api/v3
    world: World
    body: Any = None
    jwt_app_id: int | None = None  # set when the caller authenticated as the App (JWT)

    @property
    def login(self) -> str | None:
        return self.token.login if self.token else None


class HttpError(Exception):
    """Raised by handlers to answer with a GitHub-style error body."""

    def __init__(self, status: int, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra or {}

    def response(self) -> Response:
        body = {"message": self.message, "documentation_url": DOCS, "status": str(self.status), **self.extra}
        return Response(self.status, body)


def not_found() -> HttpError:
    return HttpError(404, "Not Found")


# ---------------------------------------------------------------- access


def viewer_of(req: Request, org: Org) -> Viewer:
    token = req.token
    if token is None:
        return "anonymous"
    if token.installation_id is not None:
        app = req.world.app
        if app is not None and app.installations.get(org.login) == token.installation_id:
            return "installation"
        return "anonymous"
    if org.is_owner(token.login):
        return "owner"
    if token.login and org.member(token.login):
        return "member"
    if token.login and any(p.login.lower() == token.login.lower() for p in org.outside_collaborators):
        return "outside"
    return "anonymous"


def is_admin_viewer(viewer: Viewer) -> bool:
    return viewer in ("owner", "installation")


def repo_permission(org: Org, repo: Repo, login: str | None, viewer: Viewer) -> str:
    """The viewer's effective permission on ``repo``: max of base, team and direct permissions."""
    if is_admin_viewer(viewer):
        return "admin"
    best = "pull" if repo.visibility == "public" or (repo.visibility == "internal" and viewer == "member") else "none"
    if login is None:
        return best

    def raise_to(permission: str) -> None:
        nonlocal best
        if PERMISSION_ORDER.index(permission) > PERMISSION_ORDER.index(best):
            best = permission

    if viewer == "member":
        raise_to(BASE_PERMISSION[org.default_repository_permission])
        for team in org.teams:
            if login in org.team_members(team) and repo.name in team.repos:
                raise_to(team.repos[repo.name])
    for collaborator in repo.collaborators:
        if collaborator.login.lower() == login.lower():
            raise_to(collaborator.permission)
    return best


def at_least(permission: str, needed: str) -> bool:
    return PERMISSION_ORDER.index(permission) >= PERMISSION_ORDER.index(needed)


def get_org(req: Request) -> Org:
    org = req.world.org(req.params["org"] if "org" in req.params else req.params["owner"])
    if org is None:
        raise not_found()
    return org


def get_repo(req: Request, needed: str = "pull") -> tuple[Org, Repo, Viewer, str]:
    """Org, repo, viewer and permission; 404 when the viewer cannot see it or lacks ``needed``."""
    org = get_org(req)
    repo = org.find_repo(req.params["repo"])
    if repo is None:
        raise not_found()
    viewer = viewer_of(req, org)
    permission = repo_permission(org, repo, req.login, viewer)
    if permission == "none" or not at_least(permission, needed):
        raise not_found()
    return org, repo, viewer, permission


def require_owner(req: Request, org: Org, *, status: int = 404, message: str = "Not Found") -> Viewer:
    viewer = viewer_of(req, org)
    if not is_admin_viewer(viewer):
        raise HttpError(status, message)
    return viewer


# ---------------------------------------------------------------- rendering


def _node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def user_json(req: Request, login: str, ident: int, *, kind: str = "User", site_admin: bool = False) -> dict[str, Any]:
    base = req.api_base
    return {
        "login": login,
        "id": ident,
        "node_id": _node_id("User", ident),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{ident}?v=4",
        "gravatar_id": "",
        "url": f"{base}/users/{login}",
        "html_url": f"https://github.com/{login}",
        "followers_url": f"{base}/users/{login}/followers",
        "following_url": f"{base}/users/{login}/following{{/other_user}}",
        "gists_url": f"{base}/users/{login}/gists{{/gist_id}}",
        "starred_url": f"{base}/users/{login}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/users/{login}/subscriptions",
        "organizations_url": f"{base}/users/{login}/orgs",
        "repos_url": f"{base}/users/{login}/repos",
        "events_url": f"{base}/users/{login}/events{{/privacy}}",
        "received_events_url": f"{base}/users/{login}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": site_admin,
    }


def person_json(req: Request, person: Person) -> dict[str, Any]:
    return user_json(req, person.login, person.id, kind=person.type, site_admin=person.site_admin)


def org_account_json(req: Request, org: Org) -> dict[str, Any]:
    return user_json(req, org.login, org.id, kind="Organization")


def _stable_id(*parts: str) -> int:
    return int(hashlib.sha1("/".join(parts).encode()).hexdigest()[:8], 16)


def lookup_user(req: Request, org: Org, login: str) -> dict[str, Any]:
    person = org.person(login)
    if person is not None:
        return person_json(req, person)
    return user_json(req, login, _stable_id("user", login))


def org_json(req: Request, org: Org, viewer: Viewer) -> dict[str, Any]:
    public_repos = sum(1 for r in org.repos if r.visibility == "public")
    body: dict[str, Any] = {
        **_org_simple(req, org),
        "name": org.name or org.login,
        "blog": "",
        "twitter_username": None,
        "is_verified": True,
        "html_url": f"https://github.com/{org.login}",
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "type": "Organization",
        "created_at": org.created_at,
        "updated_at": org.updated_at,
        "archived_at": None,
    }
    if viewer in ("owner", "member", "installation"):
        private = sum(1 for r in org.repos if r.private)
        body.update(
            total_private_repos=private,
            owned_private_repos=private,
            private_gists=0,
            disk_usage=1024 * len(org.repos),
            collaborators=len(org.outside_collaborators),
        )
    if is_admin_viewer(viewer):
        seats = len(org.members)
        body.update(
            billing_email=f"billing@{org.login}.example",
            plan={"name": org.plan, "space": 976562499, "private_repos": 999999, "filled_seats": seats, "seats": seats},
            default_repository_permission=org.default_repository_permission,
            default_repository_branch="main",
            members_can_create_repositories=org.members_can_create_repositories,
            two_factor_requirement_enabled=org.two_factor_requirement_enabled,
            members_allowed_repository_creation_type="all" if org.members_can_create_public_repositories else "private",
            members_can_create_public_repositories=org.members_can_create_public_repositories,
            members_can_create_private_repositories=org.members_can_create_private_repositories,
            members_can_create_internal_repositories=org.members_can_create_internal_repositories,
            members_can_create_pages=True,
            members_can_create_public_pages=True,
            members_can_create_private_pages=True,
            members_can_delete_repositories=org.members_can_delete_repositories,
            members_can_change_repo_visibility=org.members_can_change_repo_visibility,
            members_can_invite_outside_collaborators=org.members_can_invite_outside_collaborators,
            members_can_fork_private_repositories=org.members_can_fork_private_repositories,
            web_commit_signoff_required=org.web_commit_signoff_required,
            advanced_security_enabled_for_new_repositories=org.advanced_security_enabled_for_new_repositories,
            dependabot_alerts_enabled_for_new_repositories=org.dependabot_alerts_enabled_for_new_repositories,
            dependabot_security_updates_enabled_for_new_repositories=(
                org.dependabot_security_updates_enabled_for_new_repositories
            ),
            dependency_graph_enabled_for_new_repositories=org.dependency_graph_enabled_for_new_repositories,
            secret_scanning_enabled_for_new_repositories=org.secret_scanning_enabled_for_new_repositories,
            secret_scanning_push_protection_enabled_for_new_repositories=(
                org.secret_scanning_push_protection_enabled_for_new_repositories
            ),
            secret_scanning_push_protection_custom_link_enabled=False,
            secret_scanning_push_protection_custom_link=None,
            deploy_keys_enabled_for_repositories=True,
        )
    return body


_REPO_URL_KEYS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def _permissions_json(permission: str) -> dict[str, bool]:
    return {p: at_least(permission, p) for p in ("admin", "maintain", "push", "triage", "pull")}


def security_and_analysis_json(repo: Repo) -> dict[str, Any] | None:
    features = {
        "advanced_security": repo.advanced_security,
        "dependabot_security_updates": repo.dependabot_security_updates,
        "secret_scanning": repo.secret_scanning,
        "secret_scanning_push_protection": repo.secret_scanning_push_protection,
    }
    shown = {name: {"status": status} for name, status in features.items() if status is not None}
    return shown or None


def repo_json(req: Request, org: Org, repo: Repo, permission: str, *, full: bool) -> dict[str, Any]:
    full_name = f"{org.login}/{repo.name}"
    base = f"{req.api_base}/repos/{full_name}"
    body: dict[str, Any] = {
        "id": repo.id,
        "node_id": _node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": full_name,
        "private": repo.private,
        "owner": org_account_json(req, org),
        "html_url": f"https://github.com/{full_name}",
        "description": repo.description,
        "fork": repo.fork,
        "url": base,
        **{key: base + suffix for key, suffix in _REPO_URL_KEYS.items()},
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"https://github.com/{full_name}.git",
        "svn_url": f"https://github.com/{full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 1024,
        "default_branch": repo.default_branch,
        "open_issues_count": 0,
        "open_issues": 0,
        "is_template": False,
        "topics": list(repo.topics),
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": repo.archived,
        "disabled": False,
        "visibility": repo.visibility,
        "pushed_at": repo.pushed_at,
        "created_at": repo.created_at,
        "updated_at": repo.updated_at,
        "permissions": _permissions_json(permission),
        "allow_forking": org.members_can_fork_private_repositories or repo.visibility == "public",
        "web_commit_signoff_required": org.web_commit_signoff_required,
        "license": None,
    }
    if at_least(permission, "admin"):
        analysis = security_and_analysis_json(repo)
        if analysis is not None:
            body["security_and_analysis"] = analysis
    if full:
        body.update(
            network_count=0,
            subscribers_count=1,
            organization=org_account_json(req, org),
            delete_branch_on_merge=False,
            allow_merge_commit=True,
            allow_squash_merge=True,
            allow_rebase_merge=True,
            allow_auto_merge=False,
        )
    return body


def team_json(req: Request, org: Org, team: Team) -> dict[str, Any]:
    base = f"{req.api_base}/organizations/{org.id}/team/{team.id}"
    parent = org.team(team.parent) if team.parent else None
    return {
        "id": team.id,
        "node_id": _node_id("Team", team.id),
        "url": base,
        "html_url": f"https://github.com/orgs/{org.login}/teams/{team.slug}",
        "name": team.name,
        "slug": team.slug,
        "description": team.description,
        "privacy": team.privacy,
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": f"{base}/members{{/member}}",
        "repositories_url": f"{base}/repos",
        "type": "organization",
        "organization_id": org.id,
        "parent": _team_simple(req, org, parent) if parent else None,
    }


def _team_simple(req: Request, org: Org, team: Team) -> dict[str, Any]:
    base = f"{req.api_base}/organizations/{org.id}/team/{team.id}"
    return {
        "id": team.id,
        "node_id": _node_id("Team", team.id),
        "url": base,
        "members_url": f"{base}/members{{/member}}",
        "name": team.name,
        "description": team.description,
        "permission": "pull",
        "privacy": team.privacy,
        "notification_setting": "notifications_enabled",
        "html_url": f"https://github.com/orgs/{org.login}/teams/{team.slug}",
        "repositories_url": f"{base}/repos",
        "slug": team.slug,
        "type": "organization",
    }


def hook_json(req: Request, hook: Hook, base: str, *, org_level: bool) -> dict[str, Any]:
    config: dict[str, Any] = {
        "url": hook.url,
        "content_type": hook.content_type,
        "insecure_ssl": "1" if hook.insecure_ssl else "0",
    }
    if hook.has_secret:
        config["secret"] = "********"  # GitHub masks the secret; never the value
    body: dict[str, Any] = {
        "id": hook.id,
        "url": f"{base}/hooks/{hook.id}",
        "ping_url": f"{base}/hooks/{hook.id}/pings",
        "deliveries_url": f"{base}/hooks/{hook.id}/deliveries",
        "name": "web",
        "events": list(hook.events),
        "active": hook.active,
        "config": config,
        "updated_at": hook.updated_at,
        "created_at": hook.created_at,
        "type": "Organization" if org_level else "Repository",
    }
    if not org_level:
        body["test_url"] = f"{base}/hooks/{hook.id}/test"
        body["last_response"] = {"code": 200, "status": "active", "message": "OK"}
    return body


def branch_protection_json(req: Request, org: Org, repo: Repo, branch: str, bp: BranchProtection) -> dict[str, Any]:
    url = f"{req.api_base}/repos/{org.login}/{repo.name}/branches/{branch}/protection"
    body: dict[str, Any] = {
        "url": url,
        "enforce_admins": {"url": f"{url}/enforce_admins", "enabled": bp.enforce_admins},
        "required_signatures": {"url": f"{url}/required_signatures", "enabled": bp.required_signatures},
        "required_linear_history": {"enabled": bp.required_linear_history},
        "allow_force_pushes": {"enabled": bp.allow_force_pushes},
        "allow_deletions": {"enabled": bp.allow_deletions},
        "block_creations": {"enabled": False},
        "required_conversation_resolution": {"enabled": bp.required_conversation_resolution},
        "lock_branch": {"enabled": False},
        "allow_fork_syncing": {"enabled": False},
    }
    if bp.required_status_checks is not None:
        body["required_status_checks"] = {
            "url": f"{url}/required_status_checks",
            "strict": bp.strict_status_checks,
            "contexts": list(bp.required_status_checks),
            "contexts_url": f"{url}/required_status_checks/contexts",
            "checks": [{"context": c, "app_id": None} for c in bp.required_status_checks],
            "enforcement_level": "everyone" if bp.enforce_admins else "non_admins",
        }
    if bp.required_approving_review_count is not None:
        reviews: dict[str, Any] = {
            "url": f"{url}/required_pull_request_reviews",
            "dismiss_stale_reviews": bp.dismiss_stale_reviews,
            "require_code_owner_reviews": bp.require_code_owner_reviews,
            "required_approving_review_count": bp.required_approving_review_count,
            "require_last_push_approval": bp.require_last_push_approval,
        }
        if bp.bypass_pull_request_users or bp.bypass_pull_request_teams:
            reviews["bypass_pull_request_allowances"] = {
                "users": [lookup_user(req, org, login) for login in bp.bypass_pull_request_users],
                "teams": [team_json(req, org, t) for t in org.teams if t.slug in bp.bypass_pull_request_teams],
            }
        body["required_pull_request_reviews"] = reviews
    return body


def ruleset_json(req: Request, org: Org, ruleset: Ruleset, source: str, *, detail: bool) -> dict[str, Any]:
    org_level = "/" not in source
    href = (
        f"{req.api_base}/orgs/{org.login}/rulesets/{ruleset.id}"
        if org_level
        else f"{req.api_base}/repos/{source}/rulesets/{ruleset.id}"
    )
    html = (
        f"https://github.com/organizations/{org.login}/settings/rules/{ruleset.id}"
        if org_level
        else f"https://github.com/{source}/rules/{ruleset.id}"
    )
    body: dict[str, Any] = {
        "id": ruleset.id,
        "name": ruleset.name,
        "target": ruleset.target,
        "source_type": "Organization" if org_level else "Repository",
        "source": source,
        "enforcement": ruleset.enforcement,
        "node_id": _node_id("RepositoryRuleset", ruleset.id),
        "_links": {"self": {"href": href}, "html": {"href": html}},
        "created_at": ruleset.created_at,
        "updated_at": ruleset.updated_at,
    }
    if detail:
        conditions: dict[str, Any] = {"ref_name": {"include": list(ruleset.ref_include), "exclude": list(ruleset.ref_exclude)}}
        if org_level:
            conditions["repository_name"] = {
                "include": list(ruleset.repo_include),
                "exclude": list(ruleset.repo_exclude),
                "protected": False,
            }
        body["conditions"] = conditions
        body["rules"] = [dict(rule) for rule in ruleset.rules]
        body["bypass_actors"] = [dict(actor) for actor in ruleset.bypass_actors]
    return body


def environment_json(req: Request, org: Org, repo: Repo, env: Environment) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    if env.reviewers:
        reviewers = []
        for kind, name in env.reviewers:
            if kind == "Team":
                team = org.team(name)
                if team is not None:
                    reviewers.append({"type": "Team", "reviewer": team_json(req, org, team)})
            else:
                reviewers.append({"type": "User", "reviewer": lookup_user(req, org, name)})
        rules.append(
            {
                "id": _stable_id(repo.name, env.name, "reviewers"),
                "node_id": _node_id("Gate", env.id * 10 + 1),
                "type": "required_reviewers",
                "prevent_self_review": env.prevent_self_review,
                "reviewers": reviewers,
            }
        )
    if env.wait_timer:
        rules.append(
            {
                "id": _stable_id(repo.name, env.name, "wait"),
                "node_id": _node_id("Gate", env.id * 10 + 2),
                "type": "wait_timer",
                "wait_timer": env.wait_timer,
            }
        )
    if env.protected_branches_only is not None:
        rules.append(
            {"id": _stable_id(repo.name, env.name, "branch"), "node_id": _node_id("Gate", env.id * 10 + 3), "type": "branch_policy"}
        )
    policy = (
        None
        if env.protected_branches_only is None
        else {"protected_branches": env.protected_branches_only, "custom_branch_policies": not env.protected_branches_only}
    )
    return {
        "id": env.id,
        "node_id": _node_id("Environment", env.id),
        "name": env.name,
        "url": f"{req.api_base}/repos/{org.login}/{repo.name}/environments/{env.name}",
        "html_url": f"https://github.com/{org.login}/{repo.name}/deployments/activity_log?environments_filter={env.name}",
        "created_at": env.created_at,
        "updated_at": env.updated_at,
        "can_admins_bypass": env.can_admins_bypass,
        "protection_rules": rules,
        "deployment_branch_policy": policy,
    }


def installation_json(req: Request, org: Org, inst: Installation) -> dict[str, Any]:
    return {
        "id": inst.id,
        "account": org_account_json(req, org),
        "repository_selection": inst.repository_selection,
        "access_tokens_url": f"{req.api_base}/app/installations/{inst.id}/access_tokens",
        "repositories_url": f"{req.api_base}/installation/repositories",
        "html_url": f"https://github.com/organizations/{org.login}/settings/installations/{inst.id}",
        "app_id": inst.app_id,
        "client_id": f"Iv1.{inst.app_id:016x}",
        "app_slug": inst.app_slug,
        "target_id": org.id,
        "target_type": "Organization",
        "permissions": dict(inst.permissions),
        "events": list(inst.events),
        "created_at": inst.created_at,
        "updated_at": inst.updated_at,
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": inst.suspended_at,
    }


# ---------------------------------------------------------------- pagination


def paginate(req: Request, items: list[Any]) -> Response:
    """One page of ``items`` with GitHub's ``Link`` header (per_page default 30, max 100)."""
    try:
        per_page = max(1, min(100, int(req.query.get("per_page", "30"))))
        page = max(1, int(req.query.get("page", "1")))
    except ValueError as exc:
        raise HttpError(422, "Invalid request. per_page and page must be integers.") from exc
    last = max(1, -(-len(items) // per_page))
    start = (page - 1) * per_page
    response = Response(200, items[start : start + per_page])

    def link(target: int) -> str:
        query = {**req.query, "per_page": str(per_page), "page": str(target)}
        return f"<{req.api_base}{req.path}?{urlencode(query)}>"

    links = []
    if page < last:
        links += [f'{link(page + 1)}; rel="next"', f'{link(last)}; rel="last"']
    if page > 1:
        links = [f'{link(page - 1)}; rel="prev"', f'{link(1)}; rel="first"', *links]
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


# ---------------------------------------------------------------- handlers: user, app


def get_user(req: Request) -> Response:
    token = req.token
    if token is None:
        raise HttpError(401, "Requires authentication")
    if token.installation_id is not None:
        raise HttpError(403, "Resource not accessible by integration")
    person = next((o.person(token.login) for o in req.world.orgs if token.login and o.person(token.login)), None)
    login = token.login or "unknown"
    body = user_json(req, login, person.id if person else _stable_id("user", login))
    body.update(
        user_view_type="private",  # GitHub's discriminator: the authenticated user's own view
        name=person.name if person else None,
        company=None,
        blog="",
        location=None,
        email=person.email if person else None,
        hireable=None,
        bio=None,
        twitter_username=None,
        public_repos=0,
        public_gists=0,
        followers=0,
        following=0,
        created_at="2020-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        private_gists=0,
        total_private_repos=0,
        owned_private_repos=0,
        disk_usage=0,
        collaborators=0,
        two_factor_authentication=person.two_factor_enabled if person else True,
        plan={"name": "free", "space": 976562499, "private_repos": 10000, "collaborators": 0},
    )
    return Response(200, body)


def get_rate_limit(req: Request) -> Response:
    # Filled in by the server, which owns the counters; this placeholder is replaced there.
    return Response(200, {})


def _require_app_jwt(req: Request) -> Any:
    app = req.world.app
    if app is None or req.jwt_app_id is None or req.jwt_app_id != app.app_id:
        raise HttpError(401, "A JSON web token could not be decoded")
    return app


def get_app(req: Request) -> Response:
    app = _require_app_jwt(req)
    owner = req.world.org(app.owner)
    body = {
        "id": app.app_id,
        "slug": app.slug,
        "node_id": _node_id("Integration", app.app_id),
        "client_id": f"Iv1.{app.app_id:016x}",
        "owner": org_account_json(req, owner) if owner else user_json(req, app.owner, _stable_id("org", app.owner)),
        "name": app.slug,
        "description": "posture test app",
        "external_url": "https://posture.example",
        "html_url": f"https://github.com/apps/{app.slug}",
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
        "permissions": dict(app.permissions),
        "events": [],
        "installations_count": len(app.installations),
    }
    return Response(200, body)


def _app_installation(req: Request, org: Org, installation_id: int) -> Installation:
    app = req.world.app
    assert app is not None
    return Installation(
        app_slug=app.slug,
        permissions=dict(app.permissions),
        repository_selection="all",
        app_id=app.app_id,
        id=installation_id,
    )


def list_app_installations(req: Request) -> Response:
    app = _require_app_jwt(req)
    items = []
    for org_login, installation_id in app.installations.items():
        org = req.world.org(org_login)
        if org is not None:
            item = installation_json(req, org, _app_installation(req, org, installation_id))
            # GitHub's description types this account as allOf[simple-user, enterprise] (both at
            # once), so the enterprise-only required fields are added to satisfy it.
            item["account"].update(
                name=org.name or org.login, slug=org.login, created_at=org.created_at, updated_at=org.updated_at,
                description=None, website_url=None,
            )
            items.append(item)
    return paginate(req, items)


def get_org_installation(req: Request) -> Response:
    app = _require_app_jwt(req)
    org = get_org(req)
    installation_id = app.installations.get(org.login)
    if installation_id is None:
        raise not_found()
    return Response(200, installation_json(req, org, _app_installation(req, org, installation_id)))


def create_installation_token(req: Request) -> Response:
    # The server mints and registers the token; see FakeGitHub._mint_installation_token.
    raise NotImplementedError


# ---------------------------------------------------------------- handlers: org


def get_org_handler(req: Request) -> Response:
    org = get_org(req)
    return Response(200, org_json(req, org, viewer_of(req, org)))


def list_members(req: Request) -> Response:
    org = get_org(req)
    viewer = viewer_of(req, org)
    member_filter = req.query.get("filter", "all")
    role = req.query.get("role", "all")
    if member_filter not in ("all", "2fa_disabled", "2fa_insecure") or role not in ("all", "admin", "member"):
        raise HttpError(422, "Validation Failed", extra={"errors": [{"resource": "Search", "field": "q", "code": "invalid"}]})
    if member_filter != "all" and not is_admin_viewer(viewer):
        raise HttpError(422, "Only owners can use this filter.")
    if viewer == "anonymous" or viewer == "outside":
        members: list[Person] = []  # only public members; the fixture has no public membership flag
    else:
        members = list(org.members)
    if member_filter == "2fa_disabled":
        members = [m for m in members if not m.two_factor_enabled]
    elif member_filter == "2fa_insecure":
        members = []
    if role != "all":
        members = [m for m in members if m.role == role]
    return paginate(req, [person_json(req, m) for m in sorted(members, key=lambda m: m.login.lower())])


def get_membership(req: Request) -> Response:
    org = get_org(req)
    viewer = viewer_of(req, org)
    member = org.member(req.params["username"])
    if member is None or viewer in ("anonymous", "outside"):
        raise not_found()
    if not is_admin_viewer(viewer) and (req.login or "").lower() != member.login.lower():
        # Non-owners may read memberships of public members only (none in the fixture).
        raise HttpError(403, "You must be a member of the organization to view its memberships.")
    body = {
        "url": f"{req.api_base}/orgs/{org.login}/memberships/{member.login}",
        "state": "active",
        "role": member.role,
        "organization_url": f"{req.api_base}/orgs/{org.login}",
        "organization": _org_simple(req, org),
        "user": person_json(req, member),
    }
    return Response(200, body)


def _org_simple(req: Request, org: Org) -> dict[str, Any]:
    base = f"{req.api_base}/orgs/{org.login}"
    return {
        "login": org.login,
        "id": org.id,
        "node_id": _node_id("Organization", org.id),
        "url": base,
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events",
        "hooks_url": f"{base}/hooks",
        "issues_url": f"{base}/issues",
        "members_url": f"{base}/members{{/member}}",
        "public_members_url": f"{base}/public_members{{/member}}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{org.id}?v=4",
        "description": None,
    }


def list_outside_collaborators(req: Request) -> Response:
    org = get_org(req)
    viewer = viewer_of(req, org)
    if viewer in ("anonymous", "outside"):
        raise HttpError(403, "You must be a member of the organization to list its outside collaborators.")
    people = sorted(org.outside_collaborators, key=lambda p: p.login.lower())
    collaborator_filter = req.query.get("filter", "all")
    if collaborator_filter != "all":
        if not is_admin_viewer(viewer):
            raise HttpError(422, "Only owners can use this filter.")
        people = [p for p in people if not p.two_factor_enabled] if collaborator_filter == "2fa_disabled" else []
    return paginate(req, [person_json(req, p) for p in people])


def list_teams(req: Request) -> Response:
    org = get_org(req)
    viewer = viewer_of(req, org)
    if viewer in ("anonymous", "outside"):
        raise HttpError(403, "You must be a member of the organization to list its teams.")
    teams = [t for t in org.teams if t.privacy == "closed" or is_admin_viewer(viewer) or (req.login in t.members)]
    return paginate(req, [team_json(req, org, t) for t in teams])


def _get_team(req: Request) -> tuple[Org, Team]:
    org = get_org(req)
    viewer = viewer_of(req, org)
    team = org.team(req.params["team_slug"])
    if team is None or viewer in ("anonymous", "outside"):
        raise not_found()
    return org, team


def list_team_members(req: Request) -> Response:
    org, team = _get_team(req)
    role = req.query.get("role", "all")
    items = []
    for login in org.team_members(team):  # child teams' members included, as on GitHub
        if role == "maintainer" and login not in team.maintainers:
            continue
        if role == "member" and login in team.maintainers:
            continue
        items.append(lookup_user(req, org, login))
    return paginate(req, items)


def list_team_repos(req: Request) -> Response:
    org, team = _get_team(req)
    items = []
    for repo_name, permission in team.repos.items():
        repo = org.find_repo(repo_name)
        if repo is not None:
            body = repo_json(req, org, repo, permission, full=False)
            body["role_name"] = {"pull": "read", "push": "write"}.get(permission, permission)
            items.append(body)
    return paginate(req, items)


def list_org_repos(req: Request) -> Response:
    org = get_org(req)
    viewer = viewer_of(req, org)
    kind = req.query.get("type", "all")
    items = []
    for repo in org.repos:
        permission = repo_permission(org, repo, req.login, viewer)
        if permission == "none":
            continue
        if kind in ("public", "private") and repo.visibility != kind:
            continue
        if kind == "forks" and not repo.fork:
            continue
        if kind == "sources" and repo.fork:
            continue
        items.append(repo_json(req, org, repo, permission, full=False))
    return paginate(req, items)


def list_org_hooks(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org)
    if req.token and req.token.installation_id is None and "admin:org_hook" not in req.token.scopes:
        raise not_found()
    base = f"{req.api_base}/orgs/{org.login}"
    return paginate(req, [hook_json(req, h, base, org_level=True) for h in org.hooks])


def list_org_rulesets(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org)
    return paginate(req, [ruleset_json(req, org, r, org.login, detail=False) for r in org.rulesets])


def get_org_ruleset(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org)
    ruleset = next((r for r in org.rulesets if str(r.id) == req.params["ruleset_id"]), None)
    if ruleset is None:
        raise not_found()
    return Response(200, ruleset_json(req, org, ruleset, org.login, detail=True))


def list_org_installations(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message="You must be an organization owner to list its app installations.")
    items = [installation_json(req, org, inst) for inst in org.installations]
    page = paginate(req, items)
    page.body = {"total_count": len(items), "installations": page.body}
    return page


_ACTIONS_FORBIDDEN = "You must be an organization owner or have the organization administration permission."


def get_org_actions_permissions(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message=_ACTIONS_FORBIDDEN)
    base = f"{req.api_base}/orgs/{org.login}/actions/permissions"
    body: dict[str, Any] = {"enabled_repositories": org.actions.enabled_repositories, "allowed_actions": org.actions.allowed_actions}
    if org.actions.enabled_repositories == "selected":
        body["selected_repositories_url"] = f"{base}/repositories"
    if org.actions.allowed_actions == "selected":
        body["selected_actions_url"] = f"{base}/selected-actions"
    body["sha_pinning_required"] = False
    return Response(200, body)


def _selected_actions(actions: Any) -> dict[str, Any]:
    return {
        "github_owned_allowed": actions.github_owned_allowed,
        "verified_allowed": actions.verified_allowed,
        "patterns_allowed": list(actions.patterns_allowed),
    }


def get_org_selected_actions(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message=_ACTIONS_FORBIDDEN)
    if org.actions.allowed_actions != "selected":
        raise HttpError(409, "Conflict: allowed actions policy is not 'selected'")
    return Response(200, _selected_actions(org.actions))


def get_org_workflow_permissions(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message=_ACTIONS_FORBIDDEN)
    return Response(
        200,
        {
            "default_workflow_permissions": org.actions.default_workflow_permissions,
            "can_approve_pull_request_reviews": org.actions.can_approve_pull_request_reviews,
        },
    )


def get_org_fork_pr_approval(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message=_ACTIONS_FORBIDDEN)
    return Response(200, {"approval_policy": org.actions.fork_pr_approval_policy})


def list_runner_groups(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message=_ACTIONS_FORBIDDEN)
    if org.plan == "free":
        groups = [g for g in org.runner_groups if g.default]
    else:
        groups = list(org.runner_groups)
    base = f"{req.api_base}/orgs/{org.login}/actions/runner-groups"
    items = []
    for group in groups:
        item: dict[str, Any] = {
            "id": group.id,
            "name": group.name,
            "visibility": group.visibility,
            "default": group.default,
            "runners_url": f"{base}/{group.id}/runners",
            "hosted_runners_url": f"{base}/{group.id}/hosted-runners",
            "inherited": False,
            "allows_public_repositories": group.allows_public_repositories,
            "restricted_to_workflows": group.restricted_to_workflows,
            "selected_workflows": [],
            "workflow_restrictions_read_only": False,
        }
        if group.visibility == "selected":
            item["selected_repositories_url"] = f"{base}/{group.id}/repositories"
        items.append(item)
    page = paginate(req, items)
    page.body = {"total_count": len(items), "runner_groups": page.body}
    return page


def list_credential_authorizations(req: Request) -> Response:
    org = get_org(req)
    if org.plan != "enterprise" or not org.saml_sso:
        raise not_found()
    require_owner(req, org, status=403, message="You must be an organization owner to list credential authorizations.")
    if req.token and req.token.installation_id is not None:
        raise HttpError(403, "Resource not accessible by integration")
    return paginate(req, [dict(item) for item in org.credential_authorizations])


# ---------------------------------------------------------------- handlers: repo


def get_repo_handler(req: Request) -> Response:
    org, repo, _, permission = get_repo(req)
    return Response(200, repo_json(req, org, repo, permission, full=True))


def get_branch_protection(req: Request) -> Response:
    org, repo, _, _ = get_repo(req, "admin")
    branch = req.params["branch"]
    if branch not in repo.all_branches:
        raise HttpError(404, "Branch not found")
    if org.plan == "free" and repo.private:
        raise HttpError(403, "Upgrade to GitHub Pro or make this repository public to enable this feature.")
    protection = repo.protection.get(branch)
    if protection is None:
        raise HttpError(404, "Branch not protected")
    return Response(200, branch_protection_json(req, org, repo, branch, protection))


def _repo_rulesets(org: Org, repo: Repo, *, include_parents: bool) -> list[tuple[Ruleset, str]]:
    found = [(r, f"{org.login}/{repo.name}") for r in repo.rulesets]
    if include_parents:
        found += [(r, org.login) for r in org.rulesets if r.applies_to_repo(repo.name)]
    return found


def list_repo_rulesets(req: Request) -> Response:
    org, repo, _, _ = get_repo(req)
    include_parents = req.query.get("includes_parents", "true").lower() != "false"
    items = [ruleset_json(req, org, r, source, detail=False) for r, source in _repo_rulesets(org, repo, include_parents=include_parents)]
    return paginate(req, items)


def get_repo_ruleset(req: Request) -> Response:
    org, repo, _, _ = get_repo(req)
    for ruleset, source in _repo_rulesets(org, repo, include_parents=True):
        if str(ruleset.id) == req.params["ruleset_id"]:
            body = ruleset_json(req, org, ruleset, source, detail=True)
            body["current_user_can_bypass"] = "never"
            return Response(200, body)
    raise not_found()


def effective_rules(org: Org, repo: Repo, branch: str) -> list[dict[str, Any]]:
    """The rules GitHub enforces on ``branch``: every active ruleset (repo + org) that targets it."""
    rules = []
    for ruleset, source in _repo_rulesets(org, repo, include_parents=True):
        if ruleset.enforcement != "active" or not ruleset.applies_to_branch(branch, repo.default_branch):
            continue
        for rule in ruleset.rules:
            rules.append(
                {
                    **rule,
                    "ruleset_source_type": "Organization" if source == org.login else "Repository",
                    "ruleset_source": source,
                    "ruleset_id": ruleset.id,
                }
            )
    return rules


def get_branch_rules(req: Request) -> Response:
    org, repo, _, _ = get_repo(req)
    return paginate(req, effective_rules(org, repo, req.params["branch"]))


def list_collaborators(req: Request) -> Response:
    org = get_org(req)
    repo = org.find_repo(req.params["repo"])
    if repo is None:
        raise not_found()
    viewer = viewer_of(req, org)
    permission = repo_permission(org, repo, req.login, viewer)
    if permission == "none":
        raise not_found()
    if not at_least(permission, "push"):
        raise HttpError(403, "Must have push access to view repository collaborators.")
    affiliation = req.query.get("affiliation", "all")
    wanted = req.query.get("permission")
    outside = {p.login.lower() for p in org.outside_collaborators}
    entries: dict[str, str] = {}
    if affiliation in ("all", "direct", "outside"):
        for collaborator in repo.collaborators:
            if affiliation == "outside" and collaborator.login.lower() not in outside:
                continue
            entries[collaborator.login] = collaborator.permission
    if affiliation == "all":
        for member in org.members:
            member_viewer: Viewer = "owner" if member.role == "admin" else "member"
            effective = repo_permission(org, repo, member.login, member_viewer)
            if effective != "none":
                current = entries.get(member.login, "none")
                entries[member.login] = effective if at_least(effective, current) else current
    items = []
    for login, perm in sorted(entries.items(), key=lambda kv: kv[0].lower()):
        if wanted and perm != wanted:
            continue
        body = lookup_user(req, org, login)
        body["permissions"] = _permissions_json(perm)
        body["role_name"] = {"pull": "read", "push": "write"}.get(perm, perm)
        items.append(body)
    return paginate(req, items)


def list_repo_teams(req: Request) -> Response:
    org, repo, _, _ = get_repo(req)
    teams = [t for t in org.teams if repo.name in t.repos]
    items = []
    for team in teams:
        body = team_json(req, org, team)
        body["permission"] = team.repos[repo.name]
        items.append(body)
    return paginate(req, items)


def list_repo_secrets(req: Request) -> Response:
    org, repo, _, _ = get_repo(req, "admin")
    items = [{"name": name, "created_at": repo.created_at, "updated_at": repo.updated_at} for name in repo.secrets]
    page = paginate(req, items)
    page.body = {"total_count": len(items), "secrets": page.body}
    return page


def list_deploy_keys(req: Request) -> Response:
    org, repo, _, _ = get_repo(req, "admin")
    base = f"{req.api_base}/repos/{org.login}/{repo.name}/keys"
    items = [
        {
            "id": key.id,
            "key": key.key,
            "url": f"{base}/{key.id}",
            "title": key.title,
            "verified": True,
            "created_at": key.created_at,
            "read_only": key.read_only,
            "added_by": key.added_by,
            "last_used": key.last_used,
            "enabled": True,
        }
        for key in repo.deploy_keys
    ]
    return paginate(req, items)


def list_repo_hooks(req: Request) -> Response:
    org, repo, _, _ = get_repo(req, "admin")
    base = f"{req.api_base}/repos/{org.login}/{repo.name}"
    return paginate(req, [hook_json(req, h, base, org_level=False) for h in repo.hooks])


def list_environments(req: Request) -> Response:
    org, repo, _, _ = get_repo(req)
    items = [environment_json(req, org, repo, env) for env in repo.environments]
    page = paginate(req, items)
    page.body = {"total_count": len(items), "environments": page.body}
    return page


def _get_environment(req: Request) -> tuple[Org, Repo, Environment]:
    org, repo, _, _ = get_repo(req)
    env = next((e for e in repo.environments if e.name == req.params["environment_name"]), None)
    if env is None:
        raise not_found()
    return org, repo, env


def get_environment(req: Request) -> Response:
    org, repo, env = _get_environment(req)
    return Response(200, environment_json(req, org, repo, env))


def list_deployment_branch_policies(req: Request) -> Response:
    _, repo, env = _get_environment(req)
    if env.protected_branches_only is not False:
        raise not_found()
    items = [
        {"id": _stable_id(repo.name, env.name, p), "node_id": _node_id("DeploymentBranchPolicy", _stable_id(p)), "name": p, "type": "branch"}
        for p in env.branch_patterns
    ]
    page = paginate(req, items)
    page.body = {"total_count": len(items), "branch_policies": page.body}
    return page


def get_repo_actions_permissions(req: Request) -> Response:
    org, repo, _, _ = get_repo(req, "admin")
    body: dict[str, Any] = {"enabled": repo.actions.enabled, "sha_pinning_required": False}
    if repo.actions.enabled:
        body["allowed_actions"] = repo.actions.allowed_actions
        if repo.actions.allowed_actions == "selected":
            body["selected_actions_url"] = f"{req.api_base}/repos/{org.login}/{repo.name}/actions/permissions/selected-actions"
    return Response(200, body)


def get_repo_selected_actions(req: Request) -> Response:
    _, repo, _, _ = get_repo(req, "admin")
    if repo.actions.allowed_actions != "selected":
        raise HttpError(409, "Conflict: allowed actions policy is not 'selected'")
    return Response(200, _selected_actions(repo.actions))


def get_repo_workflow_permissions(req: Request) -> Response:
    _, repo, _, _ = get_repo(req, "admin")
    return Response(
        200,
        {
            "default_workflow_permissions": repo.actions.default_workflow_permissions,
            "can_approve_pull_request_reviews": repo.actions.can_approve_pull_request_reviews,
        },
    )


def get_repo_fork_pr_approval(req: Request) -> Response:
    _, repo, _, _ = get_repo(req, "admin")
    return Response(200, {"approval_policy": repo.actions.fork_pr_approval_policy})


def get_contents(req: Request) -> Response:
    org, repo, _, _ = get_repo(req)
    path = req.params["path"].strip("/")
    text = repo.files.get(path)
    if text is None:
        raise not_found()
    raw = text.encode()
    sha = hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()
    ref = req.query.get("ref", repo.default_branch)
    url = f"{req.api_base}/repos/{org.login}/{repo.name}/contents/{path}?ref={ref}"
    git_url = f"{req.api_base}/repos/{org.login}/{repo.name}/git/blobs/{sha}"
    html_url = f"https://github.com/{org.login}/{repo.name}/blob/{ref}/{path}"
    body = {
        "type": "file",
        "encoding": "base64",
        "size": len(raw),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": base64.encodebytes(raw).decode(),
        "sha": sha,
        "url": url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": f"https://raw.githubusercontent.com/{org.login}/{repo.name}/{ref}/{path}",
        "_links": {"self": url, "git": git_url, "html": html_url},
    }
    return Response(200, body)


def get_codeowners_errors(req: Request) -> Response:
    _, repo, _, _ = get_repo(req)
    if not any(path in repo.files for path in CODEOWNERS_PATHS):
        return Response(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
    return Response(200, {"errors": [dict(e) for e in repo.codeowners_errors]})


def get_vulnerability_alerts(req: Request) -> Response:
    _, repo, _, _ = get_repo(req, "admin")
    if not repo.vulnerability_alerts:
        return Response(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
    return Response(204)


# ---------------------------------------------------------------- routing

Handler = Callable[[Request], Response]

# ---------------------------------------------------------------- handlers: Copilot, organization roles


def get_copilot_billing(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message="You must be an organization owner to view Copilot billing.")
    if org.copilot is None:
        raise HttpError(404, "Copilot Business is not enabled for this organization.")
    seats = org.copilot.seats
    return Response(
        200,
        {
            "seat_breakdown": {
                "total": len(seats), "added_this_cycle": 0, "pending_cancellation": 0, "pending_invitation": 0,
                "active_this_cycle": sum(1 for s in seats if s.last_activity_at), "inactive_this_cycle": 0,
            },
            "public_code_suggestions": org.copilot.public_code_suggestions,
            "ide_chat": "enabled",
            "platform_chat": "enabled",
            "cli": "enabled",
            "seat_management_setting": org.copilot.seat_management_setting,
            "plan_type": "business",
        },
    )


def list_copilot_seats(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message="You must be an organization owner to list Copilot seats.")
    if org.copilot is None:
        raise HttpError(404, "Copilot Business is not enabled for this organization.")
    items = []
    for seat in org.copilot.seats:
        team = org.team(seat.assigning_team) if seat.assigning_team else None
        item: dict[str, Any] = {
            "created_at": seat.created_at,
            "updated_at": seat.created_at,
            "pending_cancellation_date": None,
            "last_activity_at": seat.last_activity_at,
            "last_activity_editor": "vscode/1.95.0/copilot/1.250.0" if seat.last_activity_at else None,
            "plan_type": "business",
            "assignee": lookup_user(req, org, seat.login),
        }
        if team is not None:  # a directly assigned seat has no assigning_team
            item["assigning_team"] = team_json(req, org, team)
        items.append(item)
    page = paginate(req, items)
    page.body = {"total_seats": len(items), "seats": page.body}
    return page


def _org_role(req: Request, org: Org) -> OrgRole:
    role = next((r for r in org.org_roles if str(r.id) == req.params["role_id"]), None)
    if role is None:
        raise not_found()
    return role


def _org_role_json(req: Request, org: Org, role: OrgRole) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": role.id,
        "name": role.name,
        "description": None,
        "source": role.source,
        "permissions": [],
        "organization": org_account_json(req, org),
        "created_at": org.created_at,
        "updated_at": org.updated_at,
    }
    if role.base_role is not None:  # roles that inherit no base role omit it
        body["base_role"] = role.base_role
    return body


def list_org_roles(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message="You must be an organization administrator to list organization roles.")
    roles = [_org_role_json(req, org, r) for r in org.org_roles]
    return Response(200, {"total_count": len(roles), "roles": roles})


def list_org_role_teams(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message="You must be an organization administrator to list role assignments.")
    role = _org_role(req, org)
    items = []
    for slug in role.teams:
        team = org.team(slug)
        if team is None:
            continue
        items.append({**team_json(req, org, team), "assignment": "direct"})
    return paginate(req, items)


def list_org_role_users(req: Request) -> Response:
    org = get_org(req)
    require_owner(req, org, status=403, message="You must be an organization administrator to list role assignments.")
    role = _org_role(req, org)
    items = []
    for login in role.users:
        items.append({**lookup_user(req, org, login), "assignment": "direct"})
    return paginate(req, items)


ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/user", get_user),
    ("GET", "/rate_limit", get_rate_limit),
    ("GET", "/app", get_app),
    ("GET", "/app/installations", list_app_installations),
    ("POST", "/app/installations/{installation_id}/access_tokens", create_installation_token),
    ("GET", "/orgs/{org}/installation", get_org_installation),
    ("GET", "/orgs/{org}", get_org_handler),
    ("GET", "/orgs/{org}/members", list_members),
    ("GET", "/orgs/{org}/memberships/{username}", get_membership),
    ("GET", "/orgs/{org}/outside_collaborators", list_outside_collaborators),
    ("GET", "/orgs/{org}/teams", list_teams),
    ("GET", "/orgs/{org}/teams/{team_slug}/members", list_team_members),
    ("GET", "/orgs/{org}/teams/{team_slug}/repos", list_team_repos),
    ("GET", "/orgs/{org}/repos", list_org_repos),
    ("GET", "/orgs/{org}/hooks", list_org_hooks),
    ("GET", "/orgs/{org}/rulesets", list_org_rulesets),
    ("GET", "/orgs/{org}/rulesets/{ruleset_id}", get_org_ruleset),
    ("GET", "/orgs/{org}/installations", list_org_installations),
    ("GET", "/orgs/{org}/actions/permissions", get_org_actions_permissions),
    ("GET", "/orgs/{org}/actions/permissions/workflow", get_org_workflow_permissions),
    ("GET", "/orgs/{org}/actions/permissions/selected-actions", get_org_selected_actions),
    ("GET", "/orgs/{org}/actions/permissions/fork-pr-contributor-approval", get_org_fork_pr_approval),
    ("GET", "/orgs/{org}/actions/runner-groups", list_runner_groups),
    ("GET", "/orgs/{org}/credential-authorizations", list_credential_authorizations),
    ("GET", "/orgs/{org}/copilot/billing", get_copilot_billing),
    ("GET", "/orgs/{org}/copilot/billing/seats", list_copilot_seats),
    ("GET", "/orgs/{org}/organization-roles", list_org_roles),
    ("GET", "/orgs/{org}/organization-roles/{role_id}/teams", list_org_role_teams),
    ("GET", "/orgs/{org}/organization-roles/{role_id}/users", list_org_role_users),
    ("GET", "/repos/{owner}/{repo}", get_repo_handler),
    ("GET", "/repos/{owner}/{repo}/branches/{branch}/protection", get_branch_protection),
    ("GET", "/repos/{owner}/{repo}/rulesets", list_repo_rulesets),
    ("GET", "/repos/{owner}/{repo}/rulesets/{ruleset_id}", get_repo_ruleset),
    ("GET", "/repos/{owner}/{repo}/rules/branches/{branch}", get_branch_rules),
    ("GET", "/repos/{owner}/{repo}/collaborators", list_collaborators),
    ("GET", "/repos/{owner}/{repo}/teams", list_repo_teams),
    ("GET", "/repos/{owner}/{repo}/keys", list_deploy_keys),
    ("GET", "/repos/{owner}/{repo}/actions/secrets", list_repo_secrets),
    ("GET", "/repos/{owner}/{repo}/hooks", list_repo_hooks),
    ("GET", "/repos/{owner}/{repo}/environments", list_environments),
    ("GET", "/repos/{owner}/{repo}/environments/{environment_name}", get_environment),
    (
        "GET",
        "/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies",
        list_deployment_branch_policies,
    ),
    ("GET", "/repos/{owner}/{repo}/actions/permissions", get_repo_actions_permissions),
    ("GET", "/repos/{owner}/{repo}/actions/permissions/workflow", get_repo_workflow_permissions),
    ("GET", "/repos/{owner}/{repo}/actions/permissions/selected-actions", get_repo_selected_actions),
    ("GET", "/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval", get_repo_fork_pr_approval),
    ("GET", "/repos/{owner}/{repo}/contents/{path}", get_contents),
    ("GET", "/repos/{owner}/{repo}/codeowners/errors", get_codeowners_errors),
    ("GET", "/repos/{owner}/{repo}/vulnerability-alerts", get_vulnerability_alerts),
)


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.escape(template)
    for name in re.findall(r"\{(\w+)\}", template):
        # {path} spans slashes (contents API); every other variable is one segment.
        part = f"(?P<{name}>.+)" if name == "path" else f"(?P<{name}>[^/]+)"
        pattern = pattern.replace(re.escape("{" + name + "}"), part)
    return re.compile(pattern + "$")


_COMPILED = [(method, template, _compile(template), handler) for method, template, handler in ROUTES]


def match(method: str, path: str) -> tuple[str, Handler, dict[str, str]] | None:
    """The (template, handler, path params) serving ``method path``, or None."""
    for route_method, template, regex, handler in _COMPILED:
        if route_method != method:
            continue
        found = regex.match(path)
        if found:
            return template, handler, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def known_path(path: str) -> bool:
    return any(regex.match(path) for _, _, regex, _ in _COMPILED)
