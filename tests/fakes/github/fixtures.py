"""Fixture builders: the small realistic Northwind Labs org for tests, and a large org for benchmarks.

``default_org()`` is the org every GitHub test starts from; each repo exists to exercise a
policy both ways (see the comments). ``make_large_org()`` builds the 1,000-repo benchmark org
deterministically. Tokens are fixed strings shaped like real ones so tests can check they never
leak into output.
"""

from __future__ import annotations

import base64
from functools import cache

from tests.fakes.github import workflow_files
from tests.fakes.github.model import (
    ActionsPermissions,
    App,
    BranchProtection,
    Collaborator,
    Copilot,
    CopilotSeat,
    DeployKey,
    Environment,
    Hook,
    Installation,
    Org,
    OrgRole,
    Person,
    Repo,
    Ruleset,
    RunnerGroup,
    Team,
    Token,
    World,
)

ORG = "northwind-labs"
OSS_ORG = "northwind-oss"

OWNER_TOKEN = "ghp_OwnerAnaSilva0000000000000000000001"  # ana-silva, owner
MEMBER_TOKEN = "ghp_MemberBoChen00000000000000000000002"  # bochen, plain member
OUTSIDE_TOKEN = "ghp_OutsideCarlaM000000000000000000003"  # carla-m, outside collaborator
EXPIRED_TOKEN = "ghp_Expired00000000000000000000000000004"  # revoked/expired -> 401 Bad credentials
NO_ORG_HOOK_SCOPE_TOKEN = "ghp_OwnerNoHookScope00000000000000000005"  # ana-silva without admin:org_hook

APP_ID = 424242
APP_SLUG = "posture-audit"
INSTALLATION_ID = 5151
OSS_INSTALLATION_ID = 5152

CODEOWNERS = "* @northwind-labs/platform\n/infra/ @ana-silva\n"


def default_tokens() -> dict[str, Token]:
    owner_scopes = ("repo", "read:org", "admin:org", "admin:org_hook", "read:user", "user:email")
    return {
        OWNER_TOKEN: Token(login="ana-silva", scopes=owner_scopes),
        MEMBER_TOKEN: Token(login="bochen", scopes=("repo", "read:org")),
        OUTSIDE_TOKEN: Token(login="carla-m", scopes=("repo",)),
        EXPIRED_TOKEN: Token(login="dvolkov", expired=True),
        NO_ORG_HOOK_SCOPE_TOKEN: Token(login="ana-silva", scopes=("repo", "read:org")),
    }


@cache
def app_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of the test App; generated once per process, on first use."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private_pem, public_pem


def default_app(orgs: list[Org]) -> App:
    private_pem, public_pem = app_key_pair()
    ids = {ORG: INSTALLATION_ID, OSS_ORG: OSS_INSTALLATION_ID}
    installations = {o.login: ids.get(o.login, 6000 + i) for i, o in enumerate(orgs)}
    return App(APP_ID, APP_SLUG, private_pem, public_pem, owner=orgs[0].login, installations=installations)


def default_world(orgs: list[Org] | None = None) -> World:
    """The default org plus the small OSS org, the standard tokens and the App."""
    orgs = orgs if orgs is not None else [default_org(), oss_org()]
    return World(orgs=orgs, tokens=default_tokens(), app=default_app(orgs))


def default_org() -> Org:
    """Northwind Labs: one of everything a GitHub policy looks at, good and bad."""
    members = [
        Person("ana-silva", role="admin", name="Ana Silva", email="ana@northwind.dev", saml_name_id="ana@northwind.dev",
               scim_username="ana@northwind.dev"),
        Person("bochen", name="Bo Chen", email="bo@northwind.dev", saml_name_id="bo@northwind.dev",
               scim_username="bo@northwind.dev"),
        # Left on 2026-11-10, still a member, never enabled 2FA.
        Person("dvolkov", name="Dmitri Volkov", two_factor_enabled=False, saml_name_id="dmitri@northwind.dev"),
        # Unexplained machine account: no 2FA, no SAML identity.
        Person("build-bot-legacy", two_factor_enabled=False),
    ]
    outside = [Person("carla-m", name="Carla Mendes", email="carla@lisbondevs.pt")]
    teams = [
        Team("platform", "Platform", members=["ana-silva", "bochen"], maintainers=["ana-silva"],
             repos={"api": "admin", "infra": "maintain", "web": "push"}),
        Team("developers", "Developers", members=["bochen", "dvolkov", "build-bot-legacy"],
             repos={"api": "push", "web": "push", "mobile-app": "push"}),
        Team("security", "Security", members=["ana-silva"], privacy="secret", repos={"api": "pull"}),
    ]
    api = Repo(
        "api",
        secrets=["CODECOV_TOKEN", "PRODUCTIVITY_BOT_TOKEN"],
        description="Customer API (critical)",
        topics=["critical", "production"],
        branches=["release/1.0"],
        secret_scanning="enabled",
        secret_scanning_push_protection="enabled",
        dependabot_security_updates="enabled",
        advanced_security="enabled",
        vulnerability_alerts=True,
        # Fully protected: the PASS case of every branch policy.
        protection={
            "main": BranchProtection(
                required_approving_review_count=2,
                dismiss_stale_reviews=True,
                require_code_owner_reviews=True,
                require_last_push_approval=True,
                required_status_checks=["ci/test", "ci/lint"],
                strict_status_checks=True,
                enforce_admins=True,
                required_signatures=True,
                required_linear_history=True,
            )
        },
        collaborators=[Collaborator("bochen", "maintain")],
        hooks=[Hook("https://ci.northwind.dev/hooks/github", events=["push", "pull_request"])],
        deploy_keys=[DeployKey("release-pipeline (read)", read_only=True, created_at="2026-06-01T10:00:00Z")],
        environments=[
            Environment("production", reviewers=[("Team", "platform"), ("User", "ana-silva")], wait_timer=10,
                        prevent_self_review=True, can_admins_bypass=False, protected_branches_only=True),
            Environment("staging"),
        ],
        actions=ActionsPermissions(allowed_actions="selected", verified_allowed=True, default_workflow_permissions="read"),
        files={".github/CODEOWNERS": CODEOWNERS, **workflow_files.API},
    )
    web = Repo(
        "web",
        visibility="public",
        description="Marketing site",
        secret_scanning="enabled",
        secret_scanning_push_protection="disabled",
        vulnerability_alerts=True,
        # Protected by a repo ruleset only (no classic protection): effective protection must merge it.
        rulesets=[
            Ruleset(
                "web-main",
                rules=[
                    {"type": "deletion"},
                    {"type": "non_fast_forward"},
                    {
                        "type": "pull_request",
                        "parameters": {
                            "required_approving_review_count": 1,
                            "dismiss_stale_reviews_on_push": False,
                            "require_code_owner_review": True,
                            "require_last_push_approval": False,
                            "required_review_thread_resolution": False,
                            "allowed_merge_methods": ["merge", "squash", "rebase"],
                        },
                    },
                ],
                bypass_actors=[{"actor_id": 1, "actor_type": "OrganizationAdmin", "bypass_mode": "always"}],
            )
        ],
        hooks=[Hook("http://legacy-chat.example/notify", insecure_ssl=True, has_secret=False)],
        deploy_keys=[DeployKey("netlify-deploy (write)", read_only=False, created_at="2024-01-15T10:00:00Z",
                               last_used="2026-11-01T10:00:00Z")],
        environments=[Environment("production", protected_branches_only=False, branch_patterns=["main", "release/*"])],
        # CODEOWNERS that names a user GitHub cannot resolve.
        files={"CODEOWNERS": "* @northwind-labs/web-team\n", **workflow_files.WEB},
        codeowners_errors=[
            {
                "line": 1,
                "column": 3,
                "kind": "Unknown owner",
                "source": "* @northwind-labs/web-team\n",
                "suggestion": None,
                "message": "Unknown owner on line 1: make sure the team @northwind-labs/web-team exists, is publicly "
                "visible, and has write access to the repository\n\n  * @northwind-labs/web-team\n    ^",
                "path": "CODEOWNERS",
            }
        ],
    )
    infra = Repo(
        "infra",
        description="Terraform for AWS and Azure",
        # Unprotected default branch, no scanning, write-by-default Actions token that can approve PRs.
        secret_scanning="disabled",
        secret_scanning_push_protection="disabled",
        dependabot_security_updates="disabled",
        vulnerability_alerts=False,
        actions=ActionsPermissions(default_workflow_permissions="write", can_approve_pull_request_reviews=True),
        environments=[Environment("production")],
        secrets=["TF_PROD_DEPLOY_KEY", "SLACK_WEBHOOK"],  # a production credential at repository level
        files=dict(workflow_files.INFRA),
    )
    mobile = Repo(
        "mobile-app",
        description="iOS and Android app, built with Lisbon Devs",
        secret_scanning="enabled",
        secret_scanning_push_protection="enabled",
        vulnerability_alerts=True,
        # Weak classic protection: 1 approval, admins may bypass, force pushes allowed.
        protection={"main": BranchProtection(required_approving_review_count=1, allow_force_pushes=True, allow_deletions=True)},
        collaborators=[Collaborator("carla-m", "admin")],  # outside collaborator with admin
        files=dict(workflow_files.MOBILE),
    )
    legacy = Repo(
        "legacy-site",
        visibility="public",
        archived=True,
        description="Old website, archived",
        created_at="2019-03-01T10:00:00Z",
        pushed_at="2021-02-01T10:00:00Z",
    )
    fork = Repo("docs-fork", visibility="public", fork=True, description="Fork of an upstream docs theme")
    internal = Repo(
        "handbook",
        visibility="internal",
        description="Engineering handbook",
        default_branch="trunk",
        secret_scanning="enabled",
        secret_scanning_push_protection="enabled",
        vulnerability_alerts=True,
        protection={"trunk": BranchProtection(required_approving_review_count=1, dismiss_stale_reviews=True)},
    )
    org_rulesets = [
        # Org-wide: no deletion or force push on any default branch (infra, legacy-site, ... inherit it).
        Ruleset(
            "org-default-branch-baseline",
            rules=[{"type": "deletion"}, {"type": "non_fast_forward"}],
            repo_include=["~ALL"],
            repo_exclude=["docs-fork"],
        ),
        # Being trialled, not enforced: must NOT show in the effective rules.
        Ruleset(
            "signed-commits-trial",
            enforcement="evaluate",
            rules=[{"type": "required_signatures"}],
        ),
    ]
    return Org(
        ORG,
        name="Northwind Labs",
        members=members,
        outside_collaborators=outside,
        teams=teams,
        repos=[api, web, infra, mobile, legacy, fork, internal],
        # Copilot through teams, public-code matches blocked; dvolkov (left) still holds a seat.
        copilot=Copilot(seats=[CopilotSeat("ana-silva", "platform"), CopilotSeat("bochen", "platform"),
                               CopilotSeat("dvolkov", last_activity_at=None)]),
        org_roles=[OrgRole("all_repo_read", base_role="read"), OrgRole("security_manager", teams=["security"])],
        ip_allow_list_enabled=True,
        ip_allow_list=[("198.51.100.0/24", True), ("203.0.113.7", False)],
        hooks=[
            Hook("https://siem.northwind.dev/github/audit", events=["*"]),
            Hook("http://old-dashboard.example/github", events=["push"], has_secret=False, insecure_ssl=True),
        ],
        rulesets=org_rulesets,
        actions=ActionsPermissions(
            enabled_repositories="all",
            allowed_actions="selected",
            github_owned_allowed=True,
            verified_allowed=True,
            patterns_allowed=["northwind-labs/*"],
            default_workflow_permissions="read",
            can_approve_pull_request_reviews=False,
            fork_pr_approval_policy="first_time_contributors",
        ),
        runner_groups=[
            RunnerGroup("Default", default=True),
            RunnerGroup("public-builders", allows_public_repositories=True),
            RunnerGroup("deploy", visibility="selected", restricted_to_workflows=True),
        ],
        installations=[
            Installation("ci-helper", permissions={"contents": "write", "pull_requests": "write", "metadata": "read"},
                         repository_selection="all", events=["push", "pull_request"]),
            Installation("renovate", permissions={"contents": "read", "metadata": "read"}, repository_selection="selected"),
        ],
        saml_sso=True,
        credential_authorizations=[
            _credential("ana-silva", 1, "personal access token", "2026-09-01T10:00:00Z", "2026-11-19T08:00:00Z"),
            _credential("bochen", 2, "personal access token", "2026-05-01T10:00:00Z", "2026-11-18T16:00:00Z"),
            _credential("dvolkov", 3, "SSH key", "2025-11-01T10:00:00Z", "2026-11-09T17:00:00Z"),
        ],
    )


def _credential(login: str, credential_id: int, kind: str, authorized: str, accessed: str) -> dict[str, object]:
    item: dict[str, object] = {
        "login": login,
        "credential_id": credential_id,
        "credential_type": kind,
        "credential_authorized_at": authorized,
        "credential_accessed_at": accessed,
        "authorized_credential_id": 9000 + credential_id,
    }
    if kind == "SSH key":
        item["fingerprint"] = "SHA256:" + base64.b64encode(login.encode()).decode().rstrip("=")
    else:
        item["token_last_eight"] = f"{credential_id:08d}"
        item["scopes"] = ["repo", "read:org"]
    return item


def oss_org() -> Org:
    """The small second org: public repos only, on the free plan (no SAML, no rulesets on private)."""
    return Org(
        OSS_ORG,
        name="Northwind Labs Open Source",
        plan="free",
        two_factor_requirement_enabled=False,
        members=[Person("ana-silva", role="admin", name="Ana Silva", email="ana@northwind.dev")],
        repos=[
            Repo("sdk-python", visibility="public", secret_scanning="enabled", vulnerability_alerts=True,
                 protection={"main": BranchProtection(required_approving_review_count=1)}),
            Repo("sdk-js", visibility="public"),
        ],
        runner_groups=[RunnerGroup("Default", default=True)],
    )


def make_large_org(repos: int = 1000, members: int = 500, teams: int = 50, *, login: str = "bigcorp") -> Org:
    """A deterministic large org for benchmarks: varied protection, environments, hooks and keys."""
    people = [Person("bigcorp-owner", role="admin", name="Owner", email="owner@bigcorp.example")]
    people += [
        Person(f"dev{i:04d}", two_factor_enabled=(i % 17 != 0), saml_name_id=f"dev{i:04d}@bigcorp.example")
        for i in range(1, members)
    ]
    repo_list: list[Repo] = []
    for i in range(repos):
        name = f"service-{i:04d}"
        protected = i % 3 != 0
        repo_list.append(
            Repo(
                name,
                visibility="public" if i % 10 == 0 else "private",
                archived=i % 25 == 0,
                fork=i % 40 == 0,
                topics=["critical"] if i % 20 == 0 else [],
                secret_scanning="enabled" if i % 2 else "disabled",
                secret_scanning_push_protection="enabled" if i % 4 == 1 else "disabled",
                vulnerability_alerts=i % 5 != 0,
                protection={"main": BranchProtection(required_approving_review_count=1 + i % 2,
                                                     require_code_owner_reviews=i % 2 == 0)} if protected else {},
                collaborators=[Collaborator(f"dev{1 + i % (members - 1):04d}", "admin" if i % 50 == 0 else "push")],
                hooks=[Hook(f"https://ci.bigcorp.example/{i}", has_secret=i % 7 != 0)] if i % 4 == 0 else [],
                deploy_keys=[DeployKey(f"deploy-{i}", read_only=i % 6 != 0)] if i % 6 == 0 else
                # One repository in a hundred holds more deploy keys and environments than the
                # batch query's first page (50 and 25): the collector must page on for them.
                [DeployKey(f"deploy-{i}-{k:02d}") for k in range(60)] if i % 100 == 7 else [],
                environments=[Environment("production", reviewers=[("User", "bigcorp-owner")] if i % 2 else [])]
                if i % 5 == 0
                else [Environment(f"preview-{k:02d}") for k in range(30)] if i % 100 == 7 else [],
                files={".github/CODEOWNERS": "* @bigcorp/team-00\n"} if i % 2 == 0 else {},
            )
        )
    team_list = [
        Team(
            f"team-{t:02d}",
            members=[f"dev{1 + (t * 10 + k) % (members - 1):04d}" for k in range(10)],
            repos={f"service-{r:04d}": "push" for r in range(t, repos, max(1, teams))},
        )
        for t in range(teams)
    ]
    return Org(
        login,
        name="BigCorp",
        members=people,
        outside_collaborators=[Person(f"contractor{i:02d}") for i in range(10)],
        teams=team_list,
        repos=repo_list,
        hooks=[Hook("https://siem.bigcorp.example/github")],
        rulesets=[Ruleset("baseline", rules=[{"type": "deletion"}, {"type": "non_fast_forward"}])],
        runner_groups=[RunnerGroup("Default", default=True)],
        installations=[Installation("ci", permissions={"contents": "write"}, repository_selection="all")],
    )


def large_world(repos: int = 1000, members: int = 500, teams: int = 50) -> World:
    """``make_large_org`` with the standard tokens; its owner is ana-silva's token's twin."""
    org = make_large_org(repos, members, teams)
    org.members.append(Person("ana-silva", role="admin", name="Ana Silva", email="ana@northwind.dev"))
    return World(orgs=[org], tokens=default_tokens(), app=default_app([org]))
