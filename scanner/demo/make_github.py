"""Regenerate ``github.json``, the GitHub part of the demo (Northwind Labs), through the real mapping.

The raw answers below are shaped like GitHub's REST and GraphQL answers, and go through
``scanner.collectors.github.mapping`` exactly as a scan's would, so the demo always carries the
declared attributes. Two orgs: ``northwind-labs`` (GitHub Enterprise Cloud, mostly good) and
``northwind-oss`` (free plan, mostly lax), so each organization policy passes in one and fails in
the other. Run from the repository root:

    python -m scanner.demo.make_github
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scanner.collectors.github import mapping, org_extras
from scanner.inventory.model import Resource, SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
LABS, OSS = "northwind-labs", "northwind-oss"


def _user(login: str, user_id: int, email: str | None = None) -> dict[str, Any]:
    return {"login": login, "id": user_id, "email": email, "type": "User", "site_admin": False}


def _hook(hook_id: int, url: str, *, secret: bool = True, insecure: bool = False) -> dict[str, Any]:
    return {
        "id": hook_id,
        "name": "web",
        "active": True,
        "events": ["push"],
        "config": {"url": url, "content_type": "json", "insecure_ssl": "1" if insecure else "0",
                   **({"secret": "********"} if secret else {})},
    }


def _classic(pattern: str, **settings: Any) -> dict[str, Any]:
    rule = {
        "pattern": pattern, "isAdminEnforced": False, "requiresApprovingReviews": True,
        "requiredApprovingReviewCount": 1, "requiresCodeOwnerReviews": False, "dismissesStaleReviews": False,
        "requireLastPushApproval": False, "requiresStatusChecks": False, "requiredStatusCheckContexts": [],
        "requiresCommitSignatures": False, "requiresLinearHistory": False, "allowsForcePushes": False,
        "allowsDeletions": False,
    }
    rule.update(settings)
    return rule


def _ruleset(name: str, rules: list[dict[str, Any]], *, bypass: list[dict[str, Any]] | None = None,
             repos: list[str] | None = None) -> dict[str, Any]:
    conditions: dict[str, Any] = {"refName": {"include": ["~DEFAULT_BRANCH"], "exclude": []}}
    if repos is not None:
        conditions["repositoryName"] = {"include": repos, "exclude": []}
    return {"name": name, "enforcement": "ACTIVE", "target": "BRANCH", "conditions": conditions,
            "rules": {"nodes": rules}, "bypassActors": {"nodes": bypass or []}}


def _collaborators(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"totalCount": len(pairs), "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [{"permission": p, "node": {"login": login}} for login, p in pairs]}


def _env(name: str, reviewers: int = 0, wait: int = 0, branches: bool = False) -> dict[str, Any]:
    rules = []
    if branches:  # a deployment branch policy: only protected (or named) branches may deploy
        rules.append({"type": "BRANCH_POLICY", "timeout": 0, "preventSelfReview": None, "reviewers": None})
    if reviewers:
        rules.append({"type": "REQUIRED_REVIEWERS", "timeout": 0, "preventSelfReview": True,
                      "reviewers": {"totalCount": reviewers}})
    if wait:
        rules.append({"type": "WAIT_TIMER", "timeout": wait, "preventSelfReview": False, "reviewers": {"totalCount": 0}})
    return {"name": name, "protectionRules": {"nodes": rules}}


def _repo(org: str, name: str, *, visibility: str = "private", topics: list[str] | None = None,
          archived: bool = False, branch: str = "main", scanning: str | None = "enabled",
          push_protection: str | None = "enabled", dependabot: bool = True, classic: list[dict[str, Any]] | None = None,
          rulesets: list[dict[str, Any]] | None = None, direct: list[tuple[str, str]] | None = None,
          outside: list[tuple[str, str]] | None = None, keys: list[dict[str, Any]] | None = None,
          envs: list[dict[str, Any]] | None = None, codeowners: str | None = ".github/CODEOWNERS",
          codeowners_errors: int = 0, hooks: list[dict[str, Any]] | None = None, token: str = "read",
          approve: bool = False, created: str = "2024-05-01T10:00:00Z", pushed: str = "2026-11-18T10:00:00Z",
          security_unknown: bool = False) -> mapping.RepoRaw:
    security: dict[str, Any] = {}
    if scanning:
        security["secret_scanning"] = {"status": scanning}
    if push_protection:
        security["secret_scanning_push_protection"] = {"status": push_protection}
    rest = {
        "name": name, "full_name": f"{org}/{name}", "visibility": visibility, "private": visibility != "public",
        "archived": archived, "fork": False, "default_branch": branch, "topics": topics or [],
        "created_at": created, "pushed_at": pushed, "size": 2048, "permissions": {"admin": True},
        "security_and_analysis": security,
    }
    locations = {alias: (path == codeowners) for alias, path in (
        ("codeownersGithub", ".github/CODEOWNERS"), ("codeownersRoot", "CODEOWNERS"), ("codeownersDocs", "docs/CODEOWNERS"))}
    block = {
        "name": name, "nameWithOwner": f"{org}/{name}", "isEmpty": False, "hasVulnerabilityAlertsEnabled": dependabot,
        "defaultBranchRef": {"name": branch},
        "branchProtectionRules": {"nodes": classic or []},
        "rulesets": {"nodes": rulesets or []},
        "directCollaborators": _collaborators(direct or []),
        "outsideCollaborators": _collaborators(outside or []),
        "deployKeys": {"nodes": keys or []},
        "environments": {"nodes": envs or []},
        **{alias: ({"__typename": "Blob"} if present else None) for alias, present in locations.items()},
        "codeowners": {"errors": [{"line": 1, "kind": "Unknown owner", "message": "Unknown owner"}] * codeowners_errors}
        if codeowners else None,
    }
    if security_unknown:
        del rest["security_and_analysis"]
    return mapping.RepoRaw(
        rest=rest, graphql=block, graphql_unknown={}, hooks=hooks or [],
        workflow_permissions={"default_workflow_permissions": token, "can_approve_pull_request_reviews": approve},
        direct_collaborators=[(login, p) for login, p in direct or []] + [(login, p) for login, p in outside or []],
        outside_collaborators=list(outside or []),
    )


ORG_ADMIN_BYPASS = {"organizationAdmin": True, "repositoryRoleName": None, "deployKey": False,
                    "enterpriseOwner": False, "bypassMode": "ALWAYS", "actor": None}
FULL_PR = {"type": "PULL_REQUEST", "parameters": {"__typename": "PullRequestParameters", "requiredApprovingReviewCount": 1,
                                                  "requireCodeOwnerReview": True, "dismissStaleReviewsOnPush": False,
                                                  "requireLastPushApproval": False}}


def labs() -> tuple[list[Resource], SourceStatus]:
    # Four owners: the departed Dmitri and an unexplained bot among them.
    members = [_user("ana-silva", 1001, "ana@northwind.dev"), _user("bochen", 1002), _user("dvolkov", 1003),
               _user("build-bot-legacy", 1004)]
    owners = list(members)
    outside = [_user("carla-m", 1005, "carla@lisbondevs.pt")]
    repos = [
        _repo(LABS, "api", topics=["critical", "production"],
              classic=[_classic("main", isAdminEnforced=True, requiredApprovingReviewCount=2, requiresCodeOwnerReviews=True,
                                dismissesStaleReviews=True, requireLastPushApproval=True, requiresStatusChecks=True,
                                requiredStatusCheckContexts=["ci/test", "ci/lint"], requiresCommitSignatures=True,
                                requiresLinearHistory=True)],
              direct=[("bochen", "MAINTAIN")],
              keys=[{"title": "release-pipeline (read)", "readOnly": True, "createdAt": "2026-06-01T10:00:00Z"}],
              envs=[_env("production", reviewers=2, wait=10, branches=True), _env("staging")],
              hooks=[_hook(301, "https://ci.northwind.dev/hooks/github")]),
        _repo(LABS, "web", visibility="public", push_protection="disabled", codeowners="CODEOWNERS", codeowners_errors=1,
              rulesets=[_ruleset("web-main", [{"type": "DELETION", "parameters": None},
                                              {"type": "NON_FAST_FORWARD", "parameters": None}, FULL_PR],
                                 bypass=[ORG_ADMIN_BYPASS])],
              keys=[{"title": "netlify-deploy (write)", "readOnly": False, "createdAt": "2024-01-15T10:00:00Z"}],
              envs=[_env("production")],
              hooks=[_hook(302, "http://legacy-chat.example/notify", secret=False, insecure=True)]),
        _repo(LABS, "infra", scanning="disabled", push_protection="disabled", dependabot=False, codeowners=None,
              envs=[_env("production")], token="write", approve=True),
        _repo(LABS, "mobile-app", topics=["production"], codeowners=None,
              classic=[_classic("main", allowsForcePushes=True, allowsDeletions=True)],
              outside=[("carla-m", "ADMIN")]),
        _repo(LABS, "handbook", visibility="internal", branch="trunk", security_unknown=True,
              classic=[_classic("trunk", dismissesStaleReviews=True, isAdminEnforced=True, requiresCodeOwnerReviews=True,
                                requiresStatusChecks=True, requiredStatusCheckContexts=["docs/build"])]),
        _repo(LABS, "legacy-site", visibility="public", archived=True, scanning="disabled", push_protection="disabled",
              dependabot=False, codeowners=None, created="2019-03-01T10:00:00Z", pushed="2021-02-01T10:00:00Z"),
    ]
    raw = mapping.OrgRaw(
        login=LABS,
        org={
            "login": LABS, "plan": {"name": "enterprise"}, "two_factor_requirement_enabled": True,
            "default_repository_permission": "read", "members_can_create_public_repositories": False,
            "members_can_create_private_repositories": True, "members_can_delete_repositories": False,
            "members_can_change_repo_visibility": False, "members_can_fork_private_repositories": False,
            "web_commit_signoff_required": False, "secret_scanning_enabled_for_new_repositories": True,
            "secret_scanning_push_protection_enabled_for_new_repositories": False,
            "dependabot_alerts_enabled_for_new_repositories": True,
        },
        owners=owners, members=members, outside_collaborators=outside,
        two_factor_disabled={"dvolkov", "build-bot-legacy"},
        actions_permissions={"enabled_repositories": "all", "allowed_actions": "selected"},
        selected_actions={"github_owned_allowed": True, "verified_allowed": True, "patterns_allowed": ["northwind-labs/*"]},
        workflow_permissions={"default_workflow_permissions": "read", "can_approve_pull_request_reviews": False},
        fork_pr_approval={"approval_policy": "first_time_contributors"},
        runner_groups=[{"name": "Default", "visibility": "all", "allows_public_repositories": False},
                       {"name": "public-builders", "visibility": "all", "allows_public_repositories": True}],
        hooks=[_hook(201, "https://siem.northwind.dev/github/audit"),
               _hook(202, "http://old-dashboard.example/github", secret=False, insecure=True)],
        installations=[
            {"app_slug": "ci-helper", "repository_selection": "all",
             "permissions": {"contents": "write", "pull_requests": "write", "metadata": "read"}},
            {"app_slug": "renovate", "repository_selection": "selected", "permissions": {"contents": "read", "metadata": "read"}},
        ],
        rulesets=[],
        saml=mapping.SamlInfo(configured=True, name_ids={
            "ana-silva": "ana@northwind.dev", "bochen": "bo@northwind.dev", "dvolkov": "dmitri@northwind.dev",
            "build-bot-legacy": "build-bot",
        }),
        credential_authorizations=[
            {"login": "ana-silva", "credential_accessed_at": "2026-11-19T08:00:00Z"},
            {"login": "bochen", "credential_accessed_at": "2026-11-18T16:00:00Z"},
            {"login": "dvolkov", "credential_accessed_at": "2026-11-09T17:00:00Z"},
            {"login": "build-bot-legacy", "credential_accessed_at": "2025-06-02T03:00:00Z"},
        ],
        repositories_count=len(repos),
    )
    # Access through teams: "platform" (ana-silva, bochen) admin on api; "developers" (bochen,
    # dvolkov, build-bot-legacy) write on api, web and mobile-app -- the leaver keeps write this way.
    developers = {f"{LABS}/{name}": "WRITE" for name in ("api", "web", "mobile-app")}
    teams = {
        "ana-silva": {f"{LABS}/api": "ADMIN"},
        "bochen": {**developers, f"{LABS}/api": "ADMIN"},
        "dvolkov": developers,
        "build-bot-legacy": developers,
    }
    # Copilot through teams with public-code matches blocked -- but the leaver dvolkov still holds
    # a seat through "developers"; the security team holds the security manager role.
    extras = org_extras.OrgExtras(
        copilot={"public_code_suggestions": "block", "seat_management_setting": "assign_selected"},
        seats={"ana-silva": "platform", "bochen": "platform", "dvolkov": "developers"},
        security_managers=["team:security"],
        ip_allow_list=(True, ["198.51.100.0/24"]),
        # Entra provisions ana-silva and bochen through SCIM; dvolkov and the bot were invited by hand.
        scim_logins=frozenset({"ana-silva", "bochen"}),
    )
    # web keeps its production database URL as a repository secret, outside the environment.
    resources = org_extras.apply(_resources(raw, repos, teams), extras, {f"{LABS}/web": ["PROD_DATABASE_URL"]})
    status = SourceStatus(
        name=f"github:{LABS}", platform="github", status="ok", identity="user ana-silva",
        started_at="2026-11-20T08:58:41Z", finished_at="2026-11-20T08:58:44Z",
        api_calls={"GET /orgs/{org}": 1, "GET /orgs/{org}/members": 3, "GET /orgs/{org}/outside_collaborators": 2,
                   "GET /orgs/{org}/repos": 1, "GET /repos/{owner}/{repo}/hooks": 6,
                   "GET /repos/{owner}/{repo}/actions/permissions/workflow": 6, "POST /graphql": 2, "GET /user": 1,
                   "GET /orgs/{org}/teams": 1, "GET /orgs/{org}/teams/{team_slug}/members": 2,
                   "GET /orgs/{org}/teams/{team_slug}/repos": 2},
    )
    return resources, status


def oss() -> tuple[list[Resource], SourceStatus]:
    owners = [_user("ana-silva", 1001, "ana@northwind.dev")]
    members = owners + [_user("bochen", 1002)]
    # Dmitri, an employee who left, still contributes to the SDK as an outside collaborator.
    outside = [_user("dvolkov", 1003)]
    repos = [
        _repo(OSS, "sdk-python", visibility="public", codeowners=None,
              classic=[_classic("main", isAdminEnforced=True)]),
        _repo(OSS, "sdk-js", visibility="public", push_protection="disabled", codeowners=None, dependabot=False,
              outside=[("dvolkov", "WRITE")],
              rulesets=[_ruleset("oss-baseline", [{"type": "DELETION", "parameters": None},
                                                 {"type": "NON_FAST_FORWARD", "parameters": None}], repos=["sdk-*"])],
              envs=[_env("npm-production", reviewers=1)]),
    ]
    raw = mapping.OrgRaw(
        login=OSS,
        org={
            "login": OSS, "plan": {"name": "free"}, "two_factor_requirement_enabled": False,
            "default_repository_permission": "write", "members_can_create_public_repositories": True,
            "members_can_create_private_repositories": True, "members_can_delete_repositories": True,
            "members_can_change_repo_visibility": True, "members_can_fork_private_repositories": True,
            "web_commit_signoff_required": False, "secret_scanning_enabled_for_new_repositories": True,
            "secret_scanning_push_protection_enabled_for_new_repositories": False,
            "dependabot_alerts_enabled_for_new_repositories": False,
        },
        owners=owners, members=members, outside_collaborators=outside,
        two_factor_disabled={"dvolkov"},
        actions_permissions={"enabled_repositories": "all", "allowed_actions": "all"},
        selected_actions=None,
        workflow_permissions={"default_workflow_permissions": "write", "can_approve_pull_request_reviews": True},
        fork_pr_approval={"approval_policy": "all_external_contributors"},
        runner_groups=[{"name": "Default", "visibility": "all", "allows_public_repositories": False}],
        hooks=[],
        installations=[{"app_slug": "renovate", "repository_selection": "selected",
                        "permissions": {"contents": "write", "pull_requests": "write", "metadata": "read"}}],
        rulesets=[{"name": "oss-baseline", "target": "branch", "enforcement": "active"}],
        saml=mapping.SamlInfo(configured=False),
        credential_authorizations=Unknown(mapping.NEEDS_GHEC_OWNER),
        repositories_count=len(repos),
    )
    # Copilot for every member, public-code matches allowed; no security manager.
    extras = org_extras.OrgExtras(
        copilot={"public_code_suggestions": "allow", "seat_management_setting": "assign_all"},
        seats={"ana-silva": None, "bochen": None},
        security_managers=[],
        ip_allow_list=(False, []),
    )
    resources = org_extras.apply(_resources(raw, repos), extras)
    status = SourceStatus(
        name=f"github:{OSS}", platform="github", status="ok", identity="user ana-silva",
        notes=(f"{mapping.NEEDS_GHEC_OWNER}: members' last activity (SAML credential authorizations)",),
        started_at="2026-11-20T08:58:44Z", finished_at="2026-11-20T08:58:45Z",
        api_calls={"GET /orgs/{org}": 1, "GET /orgs/{org}/members": 3, "GET /orgs/{org}/outside_collaborators": 2,
                   "GET /orgs/{org}/repos": 1, "GET /repos/{owner}/{repo}/hooks": 2,
                   "GET /repos/{owner}/{repo}/actions/permissions/workflow": 2, "POST /graphql": 2, "GET /user": 1},
    )
    return resources, status


def _resources(
    raw: mapping.OrgRaw, repos: list[mapping.RepoRaw], teams: dict[str, dict[str, str]] | None = None
) -> list[Resource]:
    access = mapping.repository_access(
        ((r.rest["full_name"], r.direct_collaborators, r.outside_collaborators) for r in repos), teams or {}
    )
    return [
        mapping.map_organization(raw),
        *mapping.map_members(raw, access, NOW),
        *(mapping.map_repository(r, ("critical", "production"), NOW) for r in repos),
    ]


# -- workflows (issue 15): each workflow policy passes and fails somewhere; the OIDC jobs feed the
# demo's code-to-cloud paths (api's environment-gated deploy, mobile-app's ungated release).
PINNED = "11bd71901bbe5b1630ceea73d27597364c9af683"
AWS_AUTH = f"aws-actions/configure-aws-credentials@{PINNED}"
WORKFLOWS: dict[str, dict[str, str]] = {
    f"{LABS}/api": {
        "ci.yml": f"""name: ci
on:
  pull_request:
  push: {{branches: [main]}}
permissions: {{contents: read}}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {{persist-credentials: false}}
      - uses: actions/setup-go@v5
        with: {{go-version: '1.23'}}
      - run: make test
      - uses: actions/upload-artifact@v4
        with: {{name: coverage, path: coverage.out}}
""",
        "deploy.yml": f"""name: deploy
on:
  push: {{branches: [main]}}
permissions: {{contents: read}}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    permissions: {{contents: read, id-token: write}}
    steps:
      - uses: {AWS_AUTH}
        with: {{role-to-assume: 'arn:aws:iam::111122223333:role/gha-deploy-prod', aws-region: eu-west-1}}
      - run: ./scripts/deploy.sh
  migrate:
    runs-on: ubuntu-latest
    needs: deploy
    environment: production
    permissions: {{contents: read, id-token: write}}
    steps:
      - uses: {AWS_AUTH}
        with: {{role-to-assume: 'arn:aws:iam::111122223333:role/gha-platform-admin', aws-region: eu-west-1}}
      - run: ./scripts/migrate.sh
""",
        "release.yml": """name: release
on:
  release: {types: [published]}
permissions: {contents: write}
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {persist-credentials: false}
      - uses: actions/cache@v4
        with: {path: ~/go/pkg/mod, key: go-mod}
      - run: make release
""",
    },
    f"{LABS}/web": {
        "preview.yml": """name: preview
on: pull_request_target
jobs:
  preview:
    runs-on: [self-hosted, linux]
    steps:
      - uses: actions/checkout@v4
        with: {ref: '${{ github.event.pull_request.head.sha }}'}
      - uses: actions/setup-node@v4
        with: {node-version: 20, cache: npm}
      - uses: netlify/actions/cli@master
      - run: echo "Preview for ${{ github.event.pull_request.title }}"
""",
        "release.yml": """name: release
on:
  push: {tags: ['v*']}
permissions: {contents: write}
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {persist-credentials: false}
      - uses: actions/setup-node@v4
        with: {node-version: 20, cache: npm}
      - run: npm run build && npm publish
""",
    },
    f"{LABS}/mobile-app": {
        "release.yml": f"""name: mobile release
on:
  push: {{branches: [main]}}
permissions:
  contents: read
  id-token: write
jobs:
  build:
    runs-on: macos-14
    steps:
      - uses: actions/checkout@v4
      - run: ./gradlew assembleRelease
      - uses: actions/upload-artifact@v4
        with: {{name: workspace, path: .}}
      - uses: {AWS_AUTH}
        with: {{role-to-assume: 'arn:aws:iam::111122223333:role/gha-mobile-release', aws-region: eu-west-1}}
      - run: aws s3 cp app.aab s3://northwind-mobile-releases/
  notify:
    uses: northwind-labs/shared-workflows/.github/workflows/notify.yml@main
    secrets: inherit
""",
    },
    f"{LABS}/infra": {
        "terraform.yml": f"""name: terraform
on: [push, workflow_dispatch]
env:
  TF_IN_AUTOMATION: '1'
  AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
jobs:
  plan:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
      - uses: {AWS_AUTH}
        with: {{role-to-assume: 'arn:aws:iam::111122223333:role/gha-terraform-plan', aws-region: eu-west-1}}
      - run: terraform plan
""",
        "nightly.yml": "name: nightly\non:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  drift: [terraform plan\n",
    },
    f"{OSS}/sdk-js": {
        "publish.yml": f"""name: publish
on:
  release: {{types: [published]}}
permissions: {{contents: read}}
jobs:
  npm:
    runs-on: ubuntu-latest
    environment: npm-production
    permissions: {{contents: read, id-token: write}}
    steps:
      - uses: actions/checkout@v4
        with: {{persist-credentials: false}}
      - uses: actions/setup-node@v4
        with: {{node-version: 20, registry-url: 'https://registry.npmjs.org'}}
      - run: npm publish --provenance
""",
    },
    f"{OSS}/sdk-python": {
        "ci.yml": f"""name: ci
on: [push, pull_request]
permissions: {{contents: read}}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {{persist-credentials: false}}
      - uses: astral-sh/setup-uv@{PINNED}
      - run: uv run pytest
""",
    },
}


def workflow_resources() -> list[Resource]:
    from scanner.collectors.github.workflows import WorkflowFile, map_workflows

    resources: list[Resource] = []
    visibility = {f"{LABS}/web": "public", f"{OSS}/sdk-js": "public", f"{OSS}/sdk-python": "public"}
    for repository, files in WORKFLOWS.items():
        resources += map_workflows([
            WorkflowFile(repository, f".github/workflows/{name}", text, visibility=visibility.get(repository, "private"),
                         default_branch="main")
            for name, text in files.items()
        ])
    return resources


def build() -> Inventory:
    labs_resources, labs_status = labs()
    oss_resources, oss_status = oss()
    workflows = workflow_resources()
    return Inventory(tuple(labs_resources + oss_resources + workflows), (labs_status, oss_status),
                     "2026-11-20T09:00:00Z", "demo")


def main() -> None:
    target = Path(__file__).with_name("github.json")
    target.write_text(json.dumps(build().to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
