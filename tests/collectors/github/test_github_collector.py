"""End-to-end: the registered GitHub collector against the fake GitHub, evaluated with the shipped policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import parse, validate

from scanner.collectors.base import CollectContext
from scanner.collectors.github import mapping, queries
from scanner.collectors.github.client import graphql_url_for
from scanner.collectors.github.collector import GitHubCollector
from scanner.errors import ConfigError
from scanner.inventory.model import Unknown
from scanner.inventory.types import problems_with
from scanner.inventory.types.github import EXTENSIONS, TYPES
from tests.collectors.github.helpers import RecordingProgress, by_id, statuses
from tests.fakes.github import (
    EXPIRED_TOKEN,
    MEMBER_TOKEN,
    OWNER_TOKEN,
    FakeGitHub,
    default_org,
    default_world,
)
from tests.fakes.github.graphql_api import load_schema

SCHEMA = Path(__file__).resolve().parents[2] / "fakes" / "github_openapi" / "schema.graphql"

# Expected statuses on the default fake org (northwind-labs) read with the owner token:
# policy -> {resource short name: status}. Each line is what the fixture's comments intend.
EXPECTED_LABS = {
    "github_org_requires_2fa": {"northwind-labs": "PASS"},
    "github_org_sso_enforced": {"northwind-labs": "FAIL"},  # build-bot-legacy has no SAML identity
    "github_org_base_permission_read": {"northwind-labs": "PASS"},
    "github_org_owner_count": {"northwind-labs": "PASS"},
    "github_org_members_cannot_create_public_repos": {"northwind-labs": "PASS"},
    "github_org_members_cannot_delete_repos": {"northwind-labs": "PASS"},
    "github_org_apps_write_all_repos": {"northwind-labs": "FAIL"},  # ci-helper: contents write on all
    "github_org_actions_token_read_only": {"northwind-labs": "PASS"},
    "github_org_actions_cannot_approve_prs": {"northwind-labs": "PASS"},
    "github_org_actions_allowed_actions_restricted": {"northwind-labs": "PASS"},
    "github_org_fork_pr_approval": {"northwind-labs": "FAIL"},  # first_time_contributors only
    "github_org_runner_groups_not_public": {"northwind-labs": "FAIL"},  # public-builders
    "github_org_webhooks_secure": {"northwind-labs": "FAIL"},  # old-dashboard: http, no secret
    "github_member_has_2fa": {"ana-silva": "PASS", "bochen": "PASS", "carla-m": "PASS", "dvolkov": "FAIL",
                              "build-bot-legacy": "FAIL"},
    "github_repo_default_branch_protected": {
        "api": "PASS", "web": "PASS", "infra": "PASS", "mobile-app": "PASS", "handbook": "PASS",
        "docs-fork": "FAIL", "legacy-site": "SKIPPED",  # infra: only the org baseline ruleset covers it
    },
    "github_repo_required_approvals": {"api": "PASS", "web": "PASS", "mobile-app": "PASS", "infra": "FAIL"},
    "github_repo_code_owner_review": {"api": "PASS", "web": "FAIL", "mobile-app": "FAIL", "infra": "FAIL"},  # web: CODEOWNERS names an unknown team
    "github_repo_dismiss_stale_reviews": {"api": "PASS", "handbook": "PASS", "mobile-app": "FAIL", "web": "FAIL",
                                          "docs-fork": "FAIL"},  # no protection at all: FAIL, never SKIPPED
    "github_repo_admins_cannot_bypass": {"api": "PASS", "infra": "PASS", "mobile-app": "FAIL", "web": "FAIL",
                                         "docs-fork": "FAIL"},
    "github_repo_force_push_and_deletion_blocked": {"api": "PASS", "mobile-app": "PASS", "docs-fork": "FAIL"},
    "github_repo_status_checks_required": {"api": "PASS", "mobile-app": "FAIL", "docs-fork": "FAIL"},
    "github_repo_signed_commits": {"api": "PASS", "web": "FAIL", "docs-fork": "FAIL"},
    "github_repo_secret_scanning": {"api": "PASS", "infra": "FAIL", "legacy-site": "SKIPPED"},
    "github_repo_push_protection": {"api": "PASS", "web": "FAIL"},
    "github_repo_dependabot_alerts": {"api": "PASS", "infra": "FAIL"},
    "github_repo_actions_token_read_only": {"api": "PASS", "infra": "FAIL"},
    "github_repo_actions_cannot_approve_prs": {"api": "PASS", "infra": "FAIL"},
    "github_repo_production_environment_reviewers": {"api": "PASS", "infra": "FAIL", "web": "FAIL", "handbook": "SKIPPED"},
    "github_repo_webhooks_secure": {"api": "PASS", "web": "FAIL"},
    "github_repo_deploy_keys_read_only": {"api": "PASS", "web": "FAIL"},
    "github_repo_no_outside_admin": {"api": "PASS", "mobile-app": "FAIL"},
    # Guide coverage (issue 18; more cases in test_github_coverage.py).
    "github_repo_production_environment_branch_policy": {"api": "PASS", "infra": "FAIL", "mobile-app": "SKIPPED"},
    "github_org_copilot_public_code_blocked": {"northwind-labs": "PASS"},
    "github_org_copilot_seats_through_teams": {"northwind-labs": "FAIL"},
    "github_org_security_manager_assigned": {"northwind-labs": "PASS"},
    "github_org_ip_allow_list_enabled": {"northwind-labs": "PASS"},
    "github_repo_production_secrets_in_environment": {"api": "PASS", "infra": "FAIL", "mobile-app": "SKIPPED"},
    "github_member_provisioned_through_scim": {"ana-silva": "PASS", "dvolkov": "FAIL", "carla-m": "SKIPPED"},
    # Workflow files (tests/fakes/github/workflow_files.py).
    **{policy: {f"{file}": status for file, status in verdicts.items()} for policy, verdicts in {
        "github_workflow_parses": {"api:.github/workflows/ci.yml": "PASS", "infra:.github/workflows/nightly.yml": "FAIL"},
        "github_workflow_third_party_actions_pinned": {"api:.github/workflows/deploy.yml": "PASS",
                                                       "web:.github/workflows/preview.yml": "FAIL",
                                                       "infra:.github/workflows/nightly.yml": "ERROR"},
        "github_workflow_no_untrusted_checkout": {"api:.github/workflows/ci.yml": "PASS", "web:.github/workflows/preview.yml": "FAIL"},
        "github_workflow_no_template_injection": {"api:.github/workflows/ci.yml": "PASS", "web:.github/workflows/preview.yml": "FAIL"},
        "github_workflow_permissions_declared": {"api:.github/workflows/ci.yml": "PASS", "web:.github/workflows/preview.yml": "FAIL"},
        "github_workflow_no_write_all": {"api:.github/workflows/ci.yml": "PASS", "infra:.github/workflows/terraform.yml": "FAIL"},
        "github_workflow_id_token_job_scoped": {"api:.github/workflows/deploy.yml": "PASS",
                                                "mobile-app:.github/workflows/release.yml": "FAIL"},
        "github_workflow_no_secrets_inherit": {"api:.github/workflows/ci.yml": "PASS", "mobile-app:.github/workflows/release.yml": "FAIL"},
        "github_workflow_no_self_hosted_on_public": {"web:.github/workflows/release.yml": "PASS",
                                                     "web:.github/workflows/preview.yml": "FAIL",
                                                     "api:.github/workflows/ci.yml": "SKIPPED"},
        "github_workflow_no_credentials_in_artifacts": {"api:.github/workflows/ci.yml": "PASS",
                                                        "mobile-app:.github/workflows/release.yml": "FAIL"},
        "github_workflow_release_cache_not_poisonable": {"web:.github/workflows/preview.yml": "PASS",
                                                         "web:.github/workflows/release.yml": "FAIL"},
        "github_workflow_no_hardcoded_credentials": {"api:.github/workflows/ci.yml": "PASS",
                                                     "infra:.github/workflows/terraform.yml": "FAIL"},
    }.items()},
}


def test_queries_are_valid_against_githubs_published_schema() -> None:
    schema = load_schema()  # GitHub's SDL, made valid under graphql-core 3.2 and 3.3 alike
    for document in (queries.repositories_query(25), queries.COLLABORATORS_PAGE_QUERY, queries.SAML_IDENTITIES_QUERY):
        assert validate(schema, parse(document)) == []


def test_every_github_policy_has_its_expected_status_on_the_fake_org(fake, run_collector) -> None:
    result = run_collector(fake)
    got = statuses(result)
    from scanner.policy.loader import load_policies
    from tests.collectors.github.helpers import POLICIES

    shipped = {p.id for p in load_policies([POLICIES])}
    assert shipped == set(EXPECTED_LABS), "every shipped GitHub policy needs an expectation here"
    wrong = {}
    for policy, expected in EXPECTED_LABS.items():
        for short, status in expected.items():
            name = short if short == "northwind-labs" or policy.startswith("github_member") else f"northwind-labs/{short}"
            if got.get((policy, name)) != status:
                wrong[(policy, short)] = (status, got.get((policy, name)))
    assert not wrong, wrong
    assert [s.status for s in result.sources] == ["ok"]


def test_resources_match_their_declared_types_and_ids(fake, run_collector) -> None:
    result = run_collector(fake, orgs=["northwind-labs", "northwind-oss"])
    declared = {t.name: t.extended(EXTENSIONS.get(t.name, ())) for t in TYPES}  # + org_extras' attributes
    problems = [p for r in result.resources for p in problems_with(r, declared[r.type])]
    assert problems == []
    ids = [r.id for r in result.resources]
    assert len(ids) == len(set(ids))
    resources = by_id(result)
    assert "github:northwind-labs/api" in resources and "github:northwind-oss/member/ana-silva" in resources
    api = resources["github:northwind-labs/api"].attributes
    assert api["is_critical"] is True and api["codeowners_path"] == ".github/CODEOWNERS"
    assert api["required_status_checks"] == ["ci/lint", "ci/test"]
    assert api["environments"][0]["name"] == "production" and api["environments"][0]["required_reviewers"] == 2
    web = resources["github:northwind-labs/web"].attributes
    assert web["codeowners_errors"] == 1 and web["bypass_actors"] == ["OrganizationAdmin"]
    assert web["protection_sources"] == ["ruleset:web-main", "ruleset:org-default-branch-baseline"]
    dmitri = resources["github:northwind-labs/member/dvolkov"].attributes
    assert dmitri["email"] == "dmitri@northwind.dev" and dmitri["active"] is True
    assert dmitri["last_activity_at"] == "2026-11-09T17:00:00Z" and dmitri["days_since_last_activity"] == 10
    carla = resources["github:northwind-labs/member/carla-m"].attributes
    assert carla["is_outside_collaborator"] is True and carla["admin_repositories"] == ["northwind-labs/mobile-app"]
    oss = resources["github:northwind-oss"].attributes
    assert oss["two_factor_requirement_enabled"] is False and oss["saml_sso_configured"] is False


def test_collector_is_read_only_and_counts_requests_by_endpoint(fake, run_collector) -> None:
    result = run_collector(fake, orgs=["northwind-labs", "northwind-oss"])
    assert fake.writes() == [] and fake.graphql_mutations() == []
    assert {r.method for r in fake.requests} <= {"GET", "POST"}
    seen = fake.requests_by_endpoint()
    counted: dict[str, int] = {}
    for source in result.sources:
        for key, count in source.api_calls.items():
            counted[key] = counted.get(key, 0) + count
    assert sum(counted.values()) == sum(seen.values())
    assert counted["POST /graphql"] == seen["POST /graphql"]
    assert counted["GET /repos/{owner}/{repo}/hooks"] == seen["GET /repos/{owner}/{repo}/hooks"] == 9
    # Per org: one SAML identities page, one batch of repositories, the IP allow list, SCIM identities.
    assert seen["POST /graphql"] == 8


def test_expired_token_fails_each_org_with_a_clear_error_and_no_token(fake, run_collector) -> None:
    result = run_collector(fake, orgs=["northwind-labs", "northwind-oss"], token=EXPIRED_TOKEN)
    assert result.resources == ()
    assert [s.status for s in result.sources] == ["failed", "failed"]
    for source in result.sources:
        assert source.error_kind == "auth"
        assert len(source.errors) == 1
        org = source.name.removeprefix("github:")
        assert org in source.errors[0] and "401" in source.errors[0] and "expired" in source.errors[0]
    assert EXPIRED_TOKEN not in json.dumps([s.to_json() for s in result.sources])


def test_member_token_reads_what_it_can_and_says_what_is_missing(fake, run_collector) -> None:
    result = run_collector(fake, token=MEMBER_TOKEN)
    source = result.sources[0]
    assert source.status == "partial" and source.error_kind == "permission" and source.errors == ()
    notes = " | ".join(source.notes)
    assert mapping.NEEDS_OWNER in notes and "2FA" in notes
    resources = by_id(result)
    org = resources["github:northwind-labs"].attributes
    assert org["two_factor_requirement_enabled"] == Unknown(mapping.NEEDS_OWNER)
    assert resources["github:northwind-labs/member/dvolkov"].attributes["mfa_enabled"] == Unknown(mapping.NEEDS_OWNER)
    got = statuses(result)
    assert got[("github_org_requires_2fa", "northwind-labs")] == "ERROR"
    assert got[("github_member_has_2fa", "dvolkov")] == "ERROR"
    assert got[("github_org_base_permission_read", "northwind-labs")] == "ERROR"
    assert got[("github_repo_webhooks_secure", "northwind-labs/infra")] == "ERROR"
    # The owner count is public knowledge (members?role=admin): still evaluated.
    assert got[("github_org_owner_count", "northwind-labs")] == "PASS"
    # bochen administers only api (through the platform team): no per-repo admin calls spent on 404s.
    assert [r.path for r in fake.requests if r.endpoint == "/repos/{owner}/{repo}/hooks"] == [
        "/repos/northwind-labs/api/hooks"
    ]
    assert got[("github_repo_webhooks_secure", "northwind-labs/api")] == "PASS"
    # GraphQL gives a non-admin empty protection rules and deploy keys: unknown, never "unprotected".
    assert got[("github_repo_default_branch_protected", "northwind-labs/mobile-app")] == "ERROR"
    assert got[("github_repo_deploy_keys_read_only", "northwind-labs/web")] == "ERROR"
    assert got[("github_repo_dependabot_alerts", "northwind-labs/handbook")] == "ERROR"
    assert got[("github_repo_required_approvals", "northwind-labs/api")] == "PASS"


def test_one_org_failing_leaves_the_other_complete(fake, run_collector) -> None:
    fake.inject("/orgs/northwind-oss", status=404, times=None)
    result = run_collector(fake, orgs=["northwind-oss", "northwind-labs"])
    oss, labs = result.sources
    assert oss.status == "failed" and "northwind-oss" in oss.errors[0] and "not found" in oss.errors[0]
    assert labs.status == "ok"
    assert {r.scope for r in result.resources} == {"northwind-labs"}


def test_secondary_rate_limit_is_waited_out_with_progress(fake, run_collector) -> None:
    fake.inject_secondary_rate_limit("/orgs/northwind-labs/repos", times=1, retry_after=1)
    progress = RecordingProgress()
    result = run_collector(fake, progress=progress)
    assert result.sources[0].status == "ok"
    assert any("rate limited" in m and "waiting 1 s" in m for m in progress.messages)
    assert result.sources[0].api_calls["GET /orgs/{org}/repos"] == 2
    assert progress.advanced == 7


def test_primary_rate_limit_waits_until_reset(fake, run_collector) -> None:
    fake.inject_primary_rate_limit("/graphql", times=1, reset_in=1)
    progress = RecordingProgress()
    result = run_collector(fake, progress=progress)
    assert result.sources[0].status == "ok"
    assert any("rate limited on POST /graphql" in m for m in progress.messages)


def test_transient_500s_are_retried_and_persistent_ones_recorded(fake, run_collector) -> None:
    fake.inject("/repos/northwind-labs/api/hooks", status=502, times=2)
    result = run_collector(fake)
    assert result.sources[0].status == "ok"
    assert by_id(result)["github:northwind-labs/api"].attributes["webhooks"][0]["host"] == "ci.northwind.dev"

    fake.inject("/repos/northwind-labs/web/hooks", status=500, times=None)
    result = run_collector(fake)
    source = result.sources[0]
    assert source.status == "partial" and source.error_kind == "api"
    assert any("repository webhooks" in e and "500" in e for e in source.errors)
    web = by_id(result)["github:northwind-labs/web"].attributes
    assert isinstance(web["webhooks_without_secret"], Unknown)
    assert statuses(result)[("github_repo_webhooks_secure", "northwind-labs/web")] == "ERROR"


def test_rescan_with_cache_is_answered_by_304s(fake, run_collector, tmp_path) -> None:
    first = run_collector(fake, cache_dir=tmp_path / "cache")
    fake.reset_requests()
    second = run_collector(fake, cache_dir=tmp_path / "cache")
    rest = [r for r in fake.requests if r.method == "GET"]
    not_modified = [r for r in rest if r.status == 304]
    assert rest and len(not_modified) == len(rest)  # every REST read of an unchanged org is a 304
    assert [r.to_json() for r in first.resources] == [r.to_json() for r in second.resources]
    calls = second.sources[0].api_calls
    assert calls["GET /repos/{owner}/{repo}/hooks (304)"] == 7
    cached = list((tmp_path / "cache" / "github").rglob("*.json"))
    assert cached and all(p.stat().st_mode & 0o077 == 0 for p in cached)
    assert not any(OWNER_TOKEN in p.read_text() for p in cached)


def test_repos_glob_and_skip_archived_narrow_the_scan(fake, run_collector) -> None:
    result = run_collector(fake, repos="*-*", skip_archived=True)
    names = sorted(r.name for r in result.resources if r.type == "github.repository")
    assert names == ["northwind-labs/docs-fork", "northwind-labs/mobile-app"]
    assert by_id(result)["github:northwind-labs"].attributes["repositories_count"] == 2


def test_ghes_url_derives_graphql_endpoint(run_collector) -> None:
    assert graphql_url_for("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url_for("https://github.example.com/api/v3/") == "https://github.example.com/api/graphql"
    assert graphql_url_for("https://api.acme.ghe.com") == "https://api.acme.ghe.com/graphql"
    with FakeGitHub([default_org()], validate=True) as server:
        context = CollectContext(environ={"GH_TOKEN": OWNER_TOKEN})
        result = GitHubCollector({"orgs": ["northwind-labs"], "url": server.url + "/api/v3"}, context).collect()
        assert result.sources[0].status == "ok"
        paths = {r.path for r in server.requests}
        assert "/api/graphql" in paths and "/api/v3/orgs/northwind-labs" in paths


def test_github_app_auth_exchanges_and_refreshes_installation_tokens(tmp_path) -> None:
    with FakeGitHub(default_world(), validate=True, installation_token_ttl=301) as server:
        app = server.world.app
        assert app is not None
        key = tmp_path / "app.pem"
        key.write_text(app.private_key_pem)
        settings = {"orgs": ["northwind-labs", "northwind-oss"], "url": server.url,
                    "app_id": str(app.app_id), "app_key_file": str(key)}
        result = GitHubCollector(settings, CollectContext()).collect()
        # An App cannot list SAML credential authorizations: partial, with that one note and no error.
        assert [s.status for s in result.sources] == ["partial", "ok"]
        assert result.sources[0].errors == () and "credential authorizations" in result.sources[0].notes[0]
        assert str(result.sources[0].identity).startswith(f"GitHub App {app.app_id} installation")
        exchanges = [r for r in server.requests if r.endpoint == "/app/installations/{installation_id}/access_tokens"]
        # One lookup and one exchange per org, then refreshes: a 301 s token is within the 5-minute margin.
        assert len(exchanges) >= 2 and server.writes() == []
        dumped = json.dumps([s.to_json() for s in result.sources]) + json.dumps([r.to_json() for r in result.resources])
        assert not any(token in dumped for token in server.minted_tokens())
        assert "PRIVATE KEY" not in dumped


def test_app_not_installed_on_org_is_an_auth_failure(tmp_path) -> None:
    with FakeGitHub(default_world()) as server:
        app = server.world.app
        assert app is not None
        app.installations.pop("northwind-oss")
        key = tmp_path / "app.pem"
        key.write_text(app.private_key_pem)
        settings = {"orgs": ["northwind-oss", "northwind-labs"], "url": server.url,
                    "app_id": str(app.app_id), "app_key_file": str(key)}
        oss, labs = GitHubCollector(settings, CollectContext()).collect().sources
        assert oss.status == "failed" and oss.error_kind == "auth" and "not installed" in oss.errors[0]
        assert labs.status in ("ok", "partial") and labs.errors == ()


@pytest.mark.parametrize(
    ("settings", "environ", "fragment"),
    [
        ({}, {"GITHUB_TOKEN": "x" * 10}, "github.orgs"),
        ({"orgs": ["bad org"]}, {"GITHUB_TOKEN": "x" * 10}, "github.orgs"),
        ({"orgs": ["acme"], "url": "ftp://x"}, {"GITHUB_TOKEN": "x" * 10}, "github.url"),
        ({"orgs": ["acme"]}, {}, "no GitHub credentials"),
        ({"orgs": ["acme"], "token_file": "/nonexistent/token"}, {}, "github.token_file"),
        ({"orgs": ["acme"], "app_id": "12"}, {}, "github.app_key_file"),
        ({"orgs": ["acme"], "app_id": "twelve", "app_key_file": "k"}, {}, "github.app_id"),
        ({"orgs": ["acme"], "skip_archived": "yes"}, {"GITHUB_TOKEN": "x" * 10}, "github.skip_archived"),
    ],
)
def test_bad_settings_are_config_errors_before_any_request(settings, environ, fragment) -> None:
    with pytest.raises(ConfigError) as info:
        GitHubCollector(settings, CollectContext(environ=environ))
    assert fragment in str(info.value)


def test_token_file_is_read_and_never_echoed(fake, run_collector, tmp_path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(EXPIRED_TOKEN + "\n")
    result = run_collector(fake, token=None, token_file=str(token_file))
    assert result.sources[0].status == "failed"
    assert EXPIRED_TOKEN not in json.dumps(result.sources[0].to_json())


def test_cli_scan_against_the_fake(fake, posture, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", OWNER_TOKEN)
    out = tmp_path / "findings.json"
    result = posture("scan", "--github-org", "northwind-labs", "--github-url", fake.url, "--format", f"json:{out}")
    assert result.code == 1, result.err  # high-severity failures exist in the fixture org
    assert OWNER_TOKEN not in result.out + result.err + out.read_text()
    findings = json.loads(out.read_text())["findings"]
    by_key = {(f["policy"], f["resource"]["name"]): f["status"] for f in findings}
    assert by_key[("github_repo_no_outside_admin", "northwind-labs/mobile-app")] == "FAIL"
    assert by_key[("github_org_requires_2fa", "northwind-labs")] == "PASS"


def test_settings_are_parsed_by_the_descriptor_and_handed_to_the_collector(tmp_path) -> None:
    from scanner.collectors import platform as registered
    from scanner.collectors.base import CollectContext
    from scanner.collectors.github.collector import GitHubCollector
    from scanner.collectors.github.platform import GitHubSettings, parse_settings
    from scanner.errors import ConfigError

    descriptor = registered("github")
    assert descriptor.validate is parse_settings
    with pytest.raises(ConfigError, match=r"^github\.orgs: 'not a login!' is not a GitHub organization login$"):
        descriptor.validate({"orgs": ["not a login!"]})
    parsed = parse_settings({"orgs": ["acme", "acme"], "url": "https://ghe.example.com/api/v3/"})
    assert parsed == GitHubSettings(orgs=("acme",), url="https://ghe.example.com/api/v3")
    collector = GitHubCollector(parsed, CollectContext(cache_dir=tmp_path, environ={"GITHUB_TOKEN": "t0ken-value"}))
    assert collector.config == GitHubSettings(orgs=("acme",), url="https://ghe.example.com/api/v3", cache_dir=tmp_path)
