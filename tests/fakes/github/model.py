"""The fixture model the fake GitHub serves: orgs, people, repos and their settings, tokens.

Plain (mutable) dataclasses rather than frozen records on purpose: a test builds the default
org and then changes the one setting its scenario needs (``org.repo("api").archived = True``)
before starting the server. The REST and GraphQL layers render these into GitHub's JSON shapes;
nothing here knows about HTTP.
"""

from __future__ import annotations

import fnmatch
import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

_ids = itertools.count(1000)


def next_id() -> int:
    """A process-wide unique numeric id, like GitHub's database ids."""
    return next(_ids)


@dataclass
class Person:
    """A GitHub user as seen from one org: a member (role admin/member) or an outside collaborator."""

    login: str
    role: Literal["admin", "member"] = "member"
    two_factor_enabled: bool = True
    name: str | None = None
    email: str | None = None  # public/verified email, None when hidden
    saml_name_id: str | None = None  # linked SAML identity (GHEC), None when not linked
    scim_username: str | None = None  # provisioned by the IdP through SCIM (GHEC), None when not
    id: int = field(default_factory=next_id)
    site_admin: bool = False
    type: Literal["User", "Bot"] = "User"


@dataclass
class CopilotSeat:
    login: str
    assigning_team: str | None = None  # team slug when the seat comes through a team
    last_activity_at: str | None = "2026-11-10T10:00:00Z"
    created_at: str = "2025-06-01T10:00:00Z"


@dataclass
class Copilot:
    """An organization's Copilot Business subscription and policies (GET /orgs/{org}/copilot/billing)."""

    public_code_suggestions: Literal["allow", "block", "unconfigured"] = "block"
    seat_management_setting: Literal["assign_all", "assign_selected", "disabled", "unconfigured"] = "assign_selected"
    seats: list[CopilotSeat] = field(default_factory=list)


@dataclass
class OrgRole:
    name: str
    teams: list[str] = field(default_factory=list)  # team slugs
    users: list[str] = field(default_factory=list)  # logins
    base_role: str | None = None
    source: Literal["Organization", "Enterprise", "Predefined"] = "Predefined"
    id: int = field(default_factory=next_id)


@dataclass
class Team:
    slug: str
    name: str = ""
    members: list[str] = field(default_factory=list)  # logins
    maintainers: list[str] = field(default_factory=list)  # logins, also listed in members
    repos: dict[str, str] = field(default_factory=dict)  # repo name -> pull|triage|push|maintain|admin
    privacy: Literal["closed", "secret"] = "closed"
    description: str | None = None
    parent: str | None = None  # parent team slug
    id: int = field(default_factory=next_id)

    def __post_init__(self) -> None:
        self.name = self.name or self.slug


@dataclass
class BranchProtection:
    """Classic branch protection. ``required_approving_review_count=None`` means no PR required."""

    required_approving_review_count: int | None = 1
    dismiss_stale_reviews: bool = False
    require_code_owner_reviews: bool = False
    require_last_push_approval: bool = False
    required_status_checks: list[str] | None = None  # contexts; None = not required
    strict_status_checks: bool = False
    enforce_admins: bool = False
    required_signatures: bool = False
    required_linear_history: bool = False
    allow_force_pushes: bool = False
    allow_deletions: bool = False
    required_conversation_resolution: bool = False
    bypass_pull_request_users: list[str] = field(default_factory=list)
    bypass_pull_request_teams: list[str] = field(default_factory=list)


@dataclass
class Ruleset:
    """A repository ruleset (org level when held by ``Org.rulesets``).

    ``rules`` are GitHub's rule objects as the REST API returns them, e.g.
    ``{"type": "pull_request", "parameters": {"required_approving_review_count": 2, ...}}``.
    ``ref_include``/``ref_exclude`` take GitHub's patterns: ``~DEFAULT_BRANCH``, ``~ALL``,
    ``refs/heads/release/*``. ``repo_include``/``repo_exclude`` (org rulesets only) take repository
    name patterns (``~ALL``, ``api-*``).
    """

    name: str
    rules: list[dict[str, Any]] = field(default_factory=list)
    enforcement: Literal["active", "evaluate", "disabled"] = "active"
    target: Literal["branch", "tag", "push"] = "branch"
    ref_include: list[str] = field(default_factory=lambda: ["~DEFAULT_BRANCH"])
    ref_exclude: list[str] = field(default_factory=list)
    repo_include: list[str] = field(default_factory=lambda: ["~ALL"])
    repo_exclude: list[str] = field(default_factory=list)
    bypass_actors: list[dict[str, Any]] = field(default_factory=list)
    id: int = field(default_factory=next_id)
    created_at: str = "2025-03-01T10:00:00Z"
    updated_at: str = "2026-01-15T10:00:00Z"

    def applies_to_repo(self, repo_name: str) -> bool:
        def matches(patterns: list[str]) -> bool:
            return any(p == "~ALL" or fnmatch.fnmatchcase(repo_name, p) for p in patterns)

        return matches(self.repo_include) and not matches(self.repo_exclude)

    def applies_to_branch(self, branch: str, default_branch: str) -> bool:
        ref = f"refs/heads/{branch}"

        def matches(patterns: list[str]) -> bool:
            for pattern in patterns:
                if pattern == "~ALL" or (pattern == "~DEFAULT_BRANCH" and branch == default_branch):
                    return True
                if fnmatch.fnmatchcase(ref, pattern) or fnmatch.fnmatchcase(branch, pattern):
                    return True
            return False

        return self.target == "branch" and matches(self.ref_include) and not matches(self.ref_exclude)


@dataclass
class Collaborator:
    """A direct repository collaborator (member or outside collaborator) and their permission."""

    login: str
    permission: Literal["pull", "triage", "push", "maintain", "admin"] = "push"


@dataclass
class Hook:
    url: str
    events: list[str] = field(default_factory=lambda: ["push"])
    active: bool = True
    insecure_ssl: bool = False  # True = TLS verification disabled ("insecure_ssl": "1")
    has_secret: bool = True
    content_type: str = "json"
    id: int = field(default_factory=next_id)
    created_at: str = "2025-02-01T10:00:00Z"
    updated_at: str = "2025-02-01T10:00:00Z"


@dataclass
class DeployKey:
    title: str
    read_only: bool = True
    created_at: str = "2025-06-01T10:00:00Z"
    last_used: str | None = None
    added_by: str | None = None
    id: int = field(default_factory=next_id)
    key: str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly"


@dataclass
class Environment:
    """A deployment environment. ``reviewers`` are ("User", login) or ("Team", slug)."""

    name: str
    reviewers: list[tuple[Literal["User", "Team"], str]] = field(default_factory=list)
    wait_timer: int = 0
    prevent_self_review: bool = False
    can_admins_bypass: bool = True
    # None = any branch may deploy; otherwise GitHub's deployment_branch_policy object.
    protected_branches_only: bool | None = None
    branch_patterns: list[str] = field(default_factory=list)  # custom policies when not protected-only
    id: int = field(default_factory=next_id)
    created_at: str = "2025-04-01T10:00:00Z"
    updated_at: str = "2026-02-01T10:00:00Z"


@dataclass
class ActionsPermissions:
    """Actions settings of an org or a repo (repo: ``enabled`` instead of enabled_repositories)."""

    enabled: bool = True
    enabled_repositories: Literal["all", "none", "selected"] = "all"
    allowed_actions: Literal["all", "local_only", "selected"] = "all"
    github_owned_allowed: bool = True
    verified_allowed: bool = False
    patterns_allowed: list[str] = field(default_factory=list)
    default_workflow_permissions: Literal["read", "write"] = "read"
    can_approve_pull_request_reviews: bool = False
    fork_pr_approval_policy: Literal[
        "first_time_contributors_new_to_github", "first_time_contributors", "all_external_contributors"
    ] = "first_time_contributors"


@dataclass
class RunnerGroup:
    name: str
    visibility: Literal["all", "selected", "private"] = "all"
    allows_public_repositories: bool = False
    default: bool = False
    restricted_to_workflows: bool = False
    id: int = field(default_factory=next_id)


@dataclass
class Installation:
    """A GitHub App installed on the org."""

    app_slug: str
    permissions: dict[str, str] = field(default_factory=lambda: {"metadata": "read"})
    repository_selection: Literal["all", "selected"] = "selected"
    events: list[str] = field(default_factory=list)
    app_id: int = field(default_factory=next_id)
    id: int = field(default_factory=next_id)
    created_at: str = "2025-01-10T10:00:00Z"
    updated_at: str = "2026-01-10T10:00:00Z"
    suspended_at: str | None = None


@dataclass
class Repo:
    name: str
    visibility: Literal["public", "private", "internal"] = "private"
    archived: bool = False
    fork: bool = False
    default_branch: str = "main"
    description: str | None = None
    topics: list[str] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)  # besides the default branch
    # security_and_analysis: feature -> "enabled"/"disabled"; None = not returned (no admin / plan).
    secret_scanning: Literal["enabled", "disabled"] | None = "disabled"
    secret_scanning_push_protection: Literal["enabled", "disabled"] | None = "disabled"
    dependabot_security_updates: Literal["enabled", "disabled"] | None = "disabled"
    advanced_security: Literal["enabled", "disabled"] | None = None
    vulnerability_alerts: bool = False  # Dependabot alerts
    protection: dict[str, BranchProtection] = field(default_factory=dict)  # branch -> classic protection
    rulesets: list[Ruleset] = field(default_factory=list)
    collaborators: list[Collaborator] = field(default_factory=list)  # direct collaborators
    hooks: list[Hook] = field(default_factory=list)
    deploy_keys: list[DeployKey] = field(default_factory=list)
    environments: list[Environment] = field(default_factory=list)
    actions: ActionsPermissions = field(default_factory=ActionsPermissions)
    files: dict[str, str] = field(default_factory=dict)  # path -> text (CODEOWNERS, ...)
    codeowners_errors: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)  # repository-level Actions secret names
    created_at: str = "2024-05-01T10:00:00Z"
    updated_at: str = "2026-11-01T10:00:00Z"
    pushed_at: str = "2026-11-18T10:00:00Z"
    id: int = field(default_factory=next_id)

    @property
    def private(self) -> bool:
        return self.visibility != "public"

    @property
    def all_branches(self) -> list[str]:
        return [self.default_branch, *[b for b in self.branches if b != self.default_branch]]


@dataclass
class Org:
    login: str
    name: str | None = None
    plan: Literal["free", "team", "enterprise"] = "enterprise"
    two_factor_requirement_enabled: bool = True
    default_repository_permission: Literal["read", "write", "admin", "none"] = "read"
    members_can_create_repositories: bool = True
    members_can_create_public_repositories: bool = False
    members_can_create_private_repositories: bool = True
    members_can_create_internal_repositories: bool = True
    members_can_delete_repositories: bool = False
    members_can_change_repo_visibility: bool = False
    members_can_fork_private_repositories: bool = False
    members_can_invite_outside_collaborators: bool = True
    web_commit_signoff_required: bool = False
    advanced_security_enabled_for_new_repositories: bool = False
    secret_scanning_enabled_for_new_repositories: bool = True
    secret_scanning_push_protection_enabled_for_new_repositories: bool = False
    dependabot_alerts_enabled_for_new_repositories: bool = True
    dependabot_security_updates_enabled_for_new_repositories: bool = False
    dependency_graph_enabled_for_new_repositories: bool = True
    members: list[Person] = field(default_factory=list)
    outside_collaborators: list[Person] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    repos: list[Repo] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)
    rulesets: list[Ruleset] = field(default_factory=list)
    actions: ActionsPermissions = field(default_factory=ActionsPermissions)
    runner_groups: list[RunnerGroup] = field(default_factory=list)
    installations: list[Installation] = field(default_factory=list)
    saml_sso: bool = False  # SAML identity provider configured (GHEC)
    credential_authorizations: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = "2023-01-10T10:00:00Z"
    updated_at: str = "2026-10-01T10:00:00Z"
    id: int = field(default_factory=next_id)
    # GitHub Copilot Business: None = no subscription (GET /orgs/{org}/copilot/billing answers 404).
    copilot: Copilot | None = None
    # Organization roles -> holders ("security_manager" is the predefined Security Manager role).
    org_roles: list[OrgRole] = field(default_factory=list)
    # IP allow list (GHEC): enabled setting and entries (value, active).
    ip_allow_list_enabled: bool = False
    ip_allow_list: list[tuple[str, bool]] = field(default_factory=list)

    def person(self, login: str) -> Person | None:
        for person in (*self.members, *self.outside_collaborators):
            if person.login.lower() == login.lower():
                return person
        return None

    def member(self, login: str) -> Person | None:
        return next((p for p in self.members if p.login.lower() == login.lower()), None)

    def repo(self, name: str) -> Repo:
        """The repo called ``name`` (KeyError when absent, so a typo in a test fails loudly)."""
        for repo in self.repos:
            if repo.name.lower() == name.lower():
                return repo
        raise KeyError(name)

    def find_repo(self, name: str) -> Repo | None:
        try:
            return self.repo(name)
        except KeyError:
            return None

    def team(self, slug: str) -> Team | None:
        return next((t for t in self.teams if t.slug == slug), None)

    def team_members(self, team: Team) -> list[str]:
        """Everyone in ``team`` or in a team below it: GitHub lists child-team members under the
        parent, and a child team inherits its parent's repository access."""
        logins = list(team.members)
        for child in self.teams:
            if child.parent == team.slug and child is not team:
                logins += [login for login in self.team_members(child) if login not in logins]
        return logins

    def is_owner(self, login: str | None) -> bool:
        member = self.member(login) if login else None
        return member is not None and member.role == "admin"


@dataclass
class Token:
    """What a token is: a user token (login + scopes), an App installation token, or expired."""

    login: str | None = None
    scopes: tuple[str, ...] = ("repo", "read:org", "admin:org_hook", "read:user")
    expired: bool = False
    installation_id: int | None = None  # set for installation tokens (ghs_...)
    expires_at: str | None = None


@dataclass
class App:
    """The GitHub App whose JWTs the fake accepts (RS256, verified against ``public_key_pem``)."""

    app_id: int
    slug: str
    private_key_pem: str
    public_key_pem: str
    owner: str = "northwind-labs"
    installations: dict[str, int] = field(default_factory=dict)  # org login -> installation id
    permissions: dict[str, str] = field(
        default_factory=lambda: {
            "administration": "read",
            "members": "read",
            "metadata": "read",
            "organization_administration": "read",
            "organization_hooks": "read",
            "repository_hooks": "read",
            "contents": "read",
            "actions": "read",
            "environments": "read",
        }
    )


@dataclass
class World:
    """Everything the fake serves: orgs, the tokens it accepts, and optionally one GitHub App."""

    orgs: list[Org]
    tokens: dict[str, Token] = field(default_factory=dict)
    app: App | None = None

    def org(self, login: str) -> Org | None:
        return next((o for o in self.orgs if o.login.lower() == login.lower()), None)
