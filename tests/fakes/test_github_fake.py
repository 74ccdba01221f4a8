"""Tests of the fake GitHub itself: it must behave like github.com where collectors depend on it.

Pagination and Link headers, ETag/304 accounting, non-owner answers, injected faults, App auth,
GraphQL validation against the real schema, and every served REST fixture validating against
GitHub's OpenAPI description.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from graphql import validate_schema

# The project's own modules are imported, never importorskip'ed: a broken import must fail the tests.
from scanner import collectors
from scanner.collectors.base import CollectContext
from scanner.collectors.github import queries
from tests.fakes.github import (
    APP_ID,
    EXPIRED_TOKEN,
    INSTALLATION_ID,
    MEMBER_TOKEN,
    ORG,
    OUTSIDE_TOKEN,
    OWNER_TOKEN,
    FakeGitHub,
    default_org,
    make_large_org,
)
from tests.fakes.github.graphql_api import SCHEMA_PATH, build_github_schema, load_schema
from tests.fakes.github.model import Org, Token, World
from tests.fakes.github.openapi import ResponseValidator
from tests.fakes.github.rest import ROUTES


@pytest.fixture(scope="module")
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub(validate=True) as fake:
        yield fake


@pytest.fixture()
def fresh() -> Iterator[FakeGitHub]:
    """A server per test, for tests that inject faults or count requests."""
    with FakeGitHub(validate=True) as fake:
        yield fake


def session(token: str | None) -> requests.Session:
    s = requests.Session()
    if token:
        s.headers["Authorization"] = f"token {token}"
    s.headers["Accept"] = "application/vnd.github+json"
    return s


def every_get_path(org: Org) -> list[str]:
    """A concrete URL path for every GET route, over every repo of ``org``."""
    paths = [
        "/user",
        "/rate_limit",
        f"/orgs/{org.login}",
        f"/orgs/{org.login}/members",
        f"/orgs/{org.login}/members?filter=2fa_disabled",
        f"/orgs/{org.login}/members?role=admin",
        f"/orgs/{org.login}/outside_collaborators",
        f"/orgs/{org.login}/outside_collaborators?filter=2fa_disabled",
        f"/orgs/{org.login}/teams",
        f"/orgs/{org.login}/hooks",
        f"/orgs/{org.login}/rulesets",
        f"/orgs/{org.login}/installations",
        f"/orgs/{org.login}/actions/permissions",
        f"/orgs/{org.login}/actions/permissions/workflow",
        f"/orgs/{org.login}/actions/permissions/selected-actions",
        f"/orgs/{org.login}/actions/permissions/fork-pr-contributor-approval",
        f"/orgs/{org.login}/actions/runner-groups",
        f"/orgs/{org.login}/credential-authorizations",
        f"/orgs/{org.login}/repos",
    ]
    paths += [f"/orgs/{org.login}/memberships/{m.login}" for m in org.members]
    paths += [f"/orgs/{org.login}/rulesets/{r.id}" for r in org.rulesets]
    for team in org.teams:
        paths += [f"/orgs/{org.login}/teams/{team.slug}/members", f"/orgs/{org.login}/teams/{team.slug}/repos"]
    for repo in org.repos:
        base = f"/repos/{org.login}/{repo.name}"
        paths += [
            base,
            f"{base}/rulesets",
            f"{base}/collaborators",
            f"{base}/collaborators?affiliation=outside",
            f"{base}/collaborators?affiliation=direct",
            f"{base}/teams",
            f"{base}/keys",
            f"{base}/hooks",
            f"{base}/environments",
            f"{base}/actions/permissions",
            f"{base}/actions/permissions/workflow",
            f"{base}/actions/permissions/selected-actions",
            f"{base}/actions/permissions/fork-pr-contributor-approval",
            f"{base}/codeowners/errors",
            f"{base}/vulnerability-alerts",
            f"{base}/contents/CODEOWNERS",
            f"{base}/contents/.github/CODEOWNERS",
        ]
        paths += [f"{base}/rulesets/{r.id}" for r in (*repo.rulesets, *org.rulesets)]
        for branch in repo.all_branches:
            paths += [f"{base}/branches/{branch}/protection", f"{base}/rules/branches/{branch}"]
        for env in repo.environments:
            paths += [f"{base}/environments/{env.name}", f"{base}/environments/{env.name}/deployment-branch-policies"]
    return paths


# ------------------------------------------------------------------ OpenAPI conformance


def test_trimmed_description_covers_every_route() -> None:
    served = {(method, template) for method, template, _ in ROUTES}
    assert served <= ResponseValidator().operations()


@pytest.mark.parametrize("token", [OWNER_TOKEN, MEMBER_TOKEN, OUTSIDE_TOKEN], ids=["owner", "member", "outside"])
def test_every_served_fixture_validates_against_openapi(gh: FakeGitHub, token: str) -> None:
    s = session(token)
    statuses: set[int] = set()
    for org in gh.world.orgs:
        for path in every_get_path(org):
            response = s.get(gh.url + path)
            assert response.status_code < 500, (path, response.text)
            statuses.add(response.status_code)
    gh.assert_valid()
    assert 200 in statuses and 404 in statuses


def test_validation_catches_a_fixture_that_drifts_from_the_api() -> None:
    validator = ResponseValidator()
    good = {"default_workflow_permissions": "read", "can_approve_pull_request_reviews": False}
    assert validator.problems("GET", "/orgs/{org}/actions/permissions/workflow", 200, good) == []
    drifted = {"default_workflow_permissions": "readonly", "can_approve_pull_request_reviews": "no"}
    problems = validator.problems("GET", "/orgs/{org}/actions/permissions/workflow", 200, drifted)
    assert len(problems) == 2
    assert validator.problems("GET", "/orgs/{org}/members", 200, [{"login": "x"}])  # missing required fields
    assert validator.problems("GET", "/orgs/{org}", 299, {})  # undocumented success status


def test_drifted_fixture_fails_on_exit() -> None:
    org = default_org()
    org.repo("api").environments[0].name = "production"
    org.actions.default_workflow_permissions = "sometimes"  # type: ignore[assignment]
    fake = FakeGitHub(org, validate=True).start()
    try:
        session(OWNER_TOKEN).get(f"{fake.url}/orgs/{ORG}/actions/permissions/workflow")
    finally:
        fake.stop()
    with pytest.raises(AssertionError, match="default_workflow_permissions"):
        fake.assert_valid()


# ------------------------------------------------------------------ pagination


def test_pagination_follows_link_headers_to_every_item() -> None:
    org = make_large_org(repos=250, members=120, teams=3)
    world = World(orgs=[org], tokens={"t": Token(login="bigcorp-owner")})
    with FakeGitHub(world, validate=True) as fake:
        s = session("t")
        url: str | None = f"{fake.url}/orgs/bigcorp/repos?per_page=100"
        names: list[str] = []
        pages = 0
        while url:
            response = s.get(url)
            assert response.status_code == 200
            names += [r["name"] for r in response.json()]
            pages += 1
            url = response.links.get("next", {}).get("url")
        assert pages == 3 and len(names) == 250 and len(set(names)) == 250
        last = s.get(f"{fake.url}/orgs/bigcorp/repos?per_page=100&page=3")
        assert set(last.links) == {"prev", "first"}
        first = s.get(f"{fake.url}/orgs/bigcorp/members")
        assert len(first.json()) == 30  # GitHub's default page size
        assert 'rel="last"' in first.headers["Link"] and "page=4" in first.links["last"]["url"]
        assert len(s.get(f"{fake.url}/orgs/bigcorp/members?per_page=500").json()) == 100  # capped at 100


def test_api_v3_prefix_is_served_like_github_enterprise_server(gh: FakeGitHub) -> None:
    response = session(OWNER_TOKEN).get(f"{gh.url}/api/v3/orgs/{ORG}/repos?per_page=2")
    assert response.status_code == 200
    assert response.links["next"]["url"].startswith(f"{gh.url}/api/v3/orgs/{ORG}/repos")


# ------------------------------------------------------------------ access like github.com


def test_owner_sees_members_without_2fa(gh: FakeGitHub) -> None:
    logins = {m["login"] for m in session(OWNER_TOKEN).get(f"{gh.url}/orgs/{ORG}/members?filter=2fa_disabled").json()}
    assert logins == {"dvolkov", "build-bot-legacy"}
    owners = {m["login"] for m in session(OWNER_TOKEN).get(f"{gh.url}/orgs/{ORG}/members?role=admin").json()}
    assert owners == {"ana-silva"}


def test_non_owner_gets_githubs_answers(gh: FakeGitHub) -> None:
    member = session(MEMBER_TOKEN)
    response = member.get(f"{gh.url}/orgs/{ORG}/members?filter=2fa_disabled")
    assert response.status_code == 422 and response.json()["message"] == "Only owners can use this filter."
    org = member.get(f"{gh.url}/orgs/{ORG}").json()
    assert "two_factor_requirement_enabled" not in org and "default_repository_permission" not in org
    assert session(OWNER_TOKEN).get(f"{gh.url}/orgs/{ORG}").json()["two_factor_requirement_enabled"] is True
    assert member.get(f"{gh.url}/orgs/{ORG}/hooks").status_code == 404
    assert member.get(f"{gh.url}/orgs/{ORG}/actions/permissions").status_code == 403
    assert member.get(f"{gh.url}/repos/{ORG}/infra/hooks").status_code == 404  # no admin on infra
    repos = {r["name"]: r for r in member.get(f"{gh.url}/orgs/{ORG}/repos?per_page=100").json()}
    assert "security_and_analysis" not in repos["infra"] and "security_and_analysis" in repos["api"]  # admin via team


def test_unprotected_branch_is_404_branch_not_protected(gh: FakeGitHub) -> None:
    response = session(OWNER_TOKEN).get(f"{gh.url}/repos/{ORG}/infra/branches/main/protection")
    assert response.status_code == 404 and response.json()["message"] == "Branch not protected"
    protected = session(OWNER_TOKEN).get(f"{gh.url}/repos/{ORG}/api/branches/main/protection").json()
    assert protected["required_pull_request_reviews"]["required_approving_review_count"] == 2
    assert protected["enforce_admins"]["enabled"] is True


def test_effective_rules_merge_org_and_repo_rulesets_and_skip_evaluate_mode(gh: FakeGitHub) -> None:
    rules = session(OWNER_TOKEN).get(f"{gh.url}/repos/{ORG}/web/rules/branches/main").json()
    by_source = {(r["type"], r["ruleset_source_type"]) for r in rules}
    assert ("pull_request", "Repository") in by_source and ("deletion", "Organization") in by_source
    assert all(r["type"] != "required_signatures" for r in rules)  # the evaluate-mode ruleset
    fork_rules = session(OWNER_TOKEN).get(f"{gh.url}/repos/{ORG}/docs-fork/rules/branches/main").json()
    assert fork_rules == []  # excluded from the org ruleset


def test_expired_token_is_401_bad_credentials_everywhere(gh: FakeGitHub) -> None:
    for path in ("/user", f"/orgs/{ORG}", f"/orgs/{ORG}/repos"):
        response = session(EXPIRED_TOKEN).get(gh.url + path)
        assert response.status_code == 401 and response.json()["message"] == "Bad credentials"
    graphql = session(EXPIRED_TOKEN).post(gh.graphql_url, json={"query": "{ viewer { login } }"})
    assert graphql.status_code == 401


def test_scopes_and_rate_limit_headers(fresh: FakeGitHub) -> None:
    s = session(OWNER_TOKEN)
    first = s.get(f"{fresh.url}/user")
    assert "admin:org" in first.headers["X-OAuth-Scopes"]
    second = s.get(f"{fresh.url}/orgs/{ORG}")
    assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1
    assert int(second.headers["X-RateLimit-Reset"]) > time.time()
    overview = s.get(f"{fresh.url}/rate_limit").json()
    assert overview["resources"]["core"]["used"] == 2


def test_exhausted_budget_answers_primary_limit(fresh: FakeGitHub) -> None:
    fresh.set_rate_limit(OWNER_TOKEN, remaining=0, reset_in=60)
    response = session(OWNER_TOKEN).get(f"{fresh.url}/orgs/{ORG}")
    assert response.status_code == 403 and response.headers["X-RateLimit-Remaining"] == "0"
    assert "rate limit" in response.json()["message"]
    assert session(MEMBER_TOKEN).get(f"{fresh.url}/orgs/{ORG}").status_code == 200  # per-token budgets


# ------------------------------------------------------------------ ETag / 304


def test_etag_304_does_not_use_the_budget(fresh: FakeGitHub) -> None:
    s = session(OWNER_TOKEN)
    first = s.get(f"{fresh.url}/orgs/{ORG}/repos")
    etag = first.headers["ETag"]
    remaining = int(first.headers["X-RateLimit-Remaining"])
    again = s.get(f"{fresh.url}/orgs/{ORG}/repos", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert int(again.headers["X-RateLimit-Remaining"]) == remaining
    fresh.world.orgs[0].repo("api").archived = True  # the org changed: the old ETag no longer matches
    changed = s.get(f"{fresh.url}/orgs/{ORG}/repos", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert int(changed.headers["X-RateLimit-Remaining"]) == remaining - 1


def test_etag_differs_per_token(gh: FakeGitHub) -> None:
    owner = session(OWNER_TOKEN).get(f"{gh.url}/repos/{ORG}/web").headers["ETag"]
    member = session(MEMBER_TOKEN).get(f"{gh.url}/repos/{ORG}/web", headers={"If-None-Match": owner})
    assert member.status_code == 200


# ------------------------------------------------------------------ injection and recording


def test_injected_faults_apply_n_times_to_matching_paths(fresh: FakeGitHub) -> None:
    s = session(OWNER_TOKEN)
    fresh.inject("/repos/*/api/hooks", status=500, times=2)
    assert [s.get(f"{fresh.url}/repos/{ORG}/api/hooks").status_code for _ in range(3)] == [500, 500, 200]
    assert s.get(f"{fresh.url}/repos/{ORG}/web/hooks").status_code == 200
    fresh.inject("/orgs/*/hooks", status=404)
    assert s.get(f"{fresh.url}/orgs/{ORG}/hooks").status_code == 404


def test_injected_secondary_and_primary_rate_limits(fresh: FakeGitHub) -> None:
    s = session(OWNER_TOKEN)
    fresh.inject_secondary_rate_limit("/orgs/*", retry_after=7)
    secondary = s.get(f"{fresh.url}/orgs/{ORG}")
    assert secondary.status_code == 403 and secondary.headers["Retry-After"] == "7"
    assert "secondary rate limit" in secondary.json()["message"]
    fresh.inject_primary_rate_limit("*", reset_in=30)
    primary = s.get(f"{fresh.url}/orgs/{ORG}")
    assert primary.status_code == 403 and primary.headers["X-RateLimit-Remaining"] == "0"
    assert int(primary.headers["X-RateLimit-Reset"]) >= int(time.time()) + 29
    assert s.get(f"{fresh.url}/orgs/{ORG}").status_code == 200


def test_injected_latency(fresh: FakeGitHub) -> None:
    fresh.inject_latency(150, "/orgs/*/teams")
    s = session(OWNER_TOKEN)
    started = time.monotonic()
    s.get(f"{fresh.url}/orgs/{ORG}/teams")
    assert time.monotonic() - started >= 0.15
    started = time.monotonic()
    s.get(f"{fresh.url}/orgs/{ORG}")
    assert time.monotonic() - started < 0.15


def test_requests_are_recorded_without_authorization_and_writes_are_flagged(fresh: FakeGitHub) -> None:
    s = session(OWNER_TOKEN)
    s.get(f"{fresh.url}/orgs/{ORG}/members?filter=2fa_disabled&per_page=100")
    s.post(fresh.graphql_url, json={"query": "{ viewer { login } }"})
    assert fresh.writes() == [] and fresh.graphql_mutations() == []
    recorded = fresh.requests[0]
    assert recorded.endpoint == "/orgs/{org}/members" and recorded.query["filter"] == ["2fa_disabled"]
    assert all(k.lower() != "authorization" for r in fresh.requests for k in r.headers)
    assert OWNER_TOKEN not in json.dumps([r.__dict__ for r in fresh.requests], default=str)
    s.patch(f"{fresh.url}/orgs/{ORG}", json={"two_factor_requirement_enabled": False})
    s.delete(f"{fresh.url}/repos/{ORG}/api/branches/main/protection")
    s.post(fresh.graphql_url, json={"query": 'mutation { deleteRef(input: {refId: "x"}) { clientMutationId } }'})
    assert [r.method for r in fresh.writes()] == ["PATCH", "DELETE"]
    assert len(fresh.graphql_mutations()) == 1
    assert fresh.requests_by_endpoint()["GET /orgs/{org}/members"] == 1


# ------------------------------------------------------------------ GitHub App auth


def app_jwt(fake: FakeGitHub, *, ttl: int = 540, key: str | None = None) -> str:
    now = int(time.time())
    assert fake.world.app is not None
    return jwt.encode({"iat": now - 30, "exp": now + ttl, "iss": str(APP_ID)}, key or fake.world.app.private_key_pem, algorithm="RS256")


def test_app_jwt_exchanges_for_an_installation_token(fresh: FakeGitHub) -> None:
    app = requests.Session()
    app.headers["Authorization"] = f"Bearer {app_jwt(fresh)}"
    installation = app.get(f"{fresh.url}/orgs/{ORG}/installation")
    assert installation.status_code == 200 and installation.json()["id"] == INSTALLATION_ID
    assert {i["id"] for i in app.get(f"{fresh.url}/app/installations").json()} >= {INSTALLATION_ID}
    minted = app.post(f"{fresh.url}/app/installations/{INSTALLATION_ID}/access_tokens")
    assert minted.status_code == 201
    token = minted.json()["token"]
    assert token.startswith("ghs_") and token in fresh.minted_tokens()
    as_app = session(token)
    assert as_app.get(f"{fresh.url}/orgs/{ORG}/members?filter=2fa_disabled").status_code == 200
    assert as_app.get(f"{fresh.url}/user").status_code == 403
    assert app.get(f"{fresh.url}/orgs/{ORG}/repos").status_code == 403  # a JWT is not an installation token
    assert fresh.writes() == []
    fresh.assert_valid()


def test_app_jwt_signed_with_another_key_or_too_long_is_rejected(fresh: FakeGitHub) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    for bad in (app_jwt(fresh, key=other.decode()), app_jwt(fresh, ttl=3600)):
        response = requests.get(f"{fresh.url}/app/installations", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401


def test_installation_token_expires() -> None:
    with FakeGitHub(validate=True, installation_token_ttl=1) as fake:
        headers = {"Authorization": f"Bearer {app_jwt(fake)}"}
        token = requests.post(f"{fake.url}/app/installations/{INSTALLATION_ID}/access_tokens", headers=headers).json()["token"]
        assert session(token).get(f"{fake.url}/orgs/{ORG}").status_code == 200
        time.sleep(1.1)
        assert session(token).get(f"{fake.url}/orgs/{ORG}").status_code == 401


# ------------------------------------------------------------------ GraphQL


def graphql(fake: FakeGitHub, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = session(token).post(fake.graphql_url, json={"query": query, "variables": variables or {}})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_graphql_rejects_invalid_queries_like_github(gh: FakeGitHub) -> None:
    unknown_field = graphql(gh, OWNER_TOKEN, '{ organization(login: "northwind-labs") { repositories(first: 1) { nodes { name colour } } } }')
    assert "data" not in unknown_field and "colour" in unknown_field["errors"][0]["message"]
    assert unknown_field["errors"][0]["locations"]
    syntax = graphql(gh, OWNER_TOKEN, "{ organization(login: ")
    assert syntax["errors"] and "Syntax Error" in syntax["errors"][0]["message"]
    wrong_arg = graphql(gh, OWNER_TOKEN, '{ repository(owner: "northwind-labs", nom: "api") { name } }')
    assert wrong_arg["errors"]
    no_page = graphql(gh, OWNER_TOKEN, '{ organization(login: "northwind-labs") { repositories { nodes { name } } } }')
    assert no_page["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    too_many = graphql(gh, OWNER_TOKEN, '{ organization(login: "northwind-labs") { repositories(first: 101) { nodes { name } } } }')
    assert too_many["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    assert session(OWNER_TOKEN).post(gh.graphql_url, json={"nope": 1}).json()["errors"]


REPO_QUERY = """
query($after: String) {
  organization(login: "northwind-labs") {
    repositories(first: 3, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        name isArchived isFork visibility
        defaultBranchRef { name branchProtectionRule { requiredApprovingReviewCount isAdminEnforced } }
        branchProtectionRules(first: 10) { nodes { pattern requiresCodeOwnerReviews } }
        rulesets(first: 10) { nodes { name enforcement source { __typename ... on Organization { login } } rules(first: 10) { nodes { type } } } }
        collaborators(first: 50, affiliation: OUTSIDE) { edges { permission node { login } } }
        deployKeys(first: 10) { nodes { title readOnly createdAt } }
        environments(first: 10) { nodes { name protectionRules(first: 5) { nodes { type timeout reviewers(first: 5) { nodes { __typename ... on Team { slug } ... on User { login } } } } } } }
      }
    }
    membersWithRole(first: 100) { edges { role hasTwoFactorEnabled node { login } } }
    samlIdentityProvider { externalIdentities(first: 10) { nodes { user { login } samlIdentity { nameId } } } }
  }
}
"""


def test_graphql_resolves_the_fixture_with_paging(gh: FakeGitHub) -> None:
    repos: dict[str, Any] = {}
    after = None
    while True:
        body = graphql(gh, OWNER_TOKEN, REPO_QUERY, {"after": after})
        assert "errors" not in body, body.get("errors")
        page = body["data"]["organization"]["repositories"]
        repos.update({r["name"]: r for r in page["nodes"]})
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert set(repos) == {r.name for r in default_org().repos}
    api = repos["api"]
    assert api["defaultBranchRef"]["branchProtectionRule"] == {"requiredApprovingReviewCount": 2, "isAdminEnforced": True}
    production = next(e for e in api["environments"]["nodes"] if e["name"] == "production")
    reviewers = production["protectionRules"]["nodes"][0]["reviewers"]["nodes"]
    assert {"__typename": "Team", "slug": "platform"} in reviewers
    assert repos["mobile-app"]["collaborators"]["edges"] == [{"permission": "ADMIN", "node": {"login": "carla-m"}}]
    assert {k["readOnly"] for k in repos["web"]["deployKeys"]["nodes"]} == {False}
    assert repos["legacy-site"]["isArchived"] and repos["docs-fork"]["isFork"] and repos["web"]["visibility"] == "PUBLIC"
    org = body["data"]["organization"]
    assert {e["node"]["login"] for e in org["membersWithRole"]["edges"] if e["role"] == "ADMIN"} == {"ana-silva"}
    assert {e["node"]["login"] for e in org["membersWithRole"]["edges"] if e["hasTwoFactorEnabled"] is False} == {
        "dvolkov",
        "build-bot-legacy",
    }
    names = {n["user"]["login"]: n["samlIdentity"]["nameId"] for n in org["samlIdentityProvider"]["externalIdentities"]["nodes"]}
    assert names["ana-silva"] == "ana@northwind.dev"


def test_graphql_non_owner_answers(gh: FakeGitHub) -> None:
    body = graphql(gh, MEMBER_TOKEN, REPO_QUERY)
    errors = {(e["type"], tuple(e["path"][-1:])) for e in body["errors"]}
    assert ("FORBIDDEN", ("samlIdentityProvider",)) in errors
    nodes = {r["name"]: r for r in body["data"]["organization"]["repositories"]["nodes"] if r}
    # bochen is admin on api (platform team), not on web: web's protection data is silently empty.
    assert nodes["api"]["branchProtectionRules"]["nodes"]
    assert nodes["web"]["deployKeys"]["nodes"] == []
    missing = graphql(gh, OWNER_TOKEN, '{ repository(owner: "northwind-labs", name: "nope") { name } }')
    assert missing["data"] == {"repository": None} and missing["errors"][0]["type"] == "NOT_FOUND"


def test_graphql_accepts_the_collectors_queries(gh: FakeGitHub) -> None:
    names = [r.name for r in default_org().repos]
    body = graphql(gh, OWNER_TOKEN, queries.repositories_query(len(names)), queries.repositories_variables(ORG, names))
    assert "errors" not in body, body.get("errors")
    saml = graphql(gh, OWNER_TOKEN, queries.SAML_IDENTITIES_QUERY, {"org": ORG, "cursor": None})
    assert "errors" not in saml, saml.get("errors")


def test_collector_scan_against_the_fake_is_read_only_and_conformant() -> None:
    """The collector as the CLI runs it: every response it fetched validates, nothing was written."""
    with FakeGitHub(validate=True) as fake:
        context = CollectContext(environ={"GITHUB_TOKEN": OWNER_TOKEN})
        result = collectors.load_collector("github")({"orgs": [ORG], "url": fake.url}, context).collect()
        assert [s.status for s in result.sources] == ["ok"]
        assert fake.writes() == [] and fake.graphql_mutations() == []
        assert fake.requests_by_endpoint()["POST /graphql"] >= 1
    # leaving the block asserted OpenAPI conformance of everything served


def test_githubs_schema_is_valid_under_the_installed_graphql_core() -> None:
    """graphql-core 3.3 rejects GitHub's SDL as published (deprecated ``Project.id`` implementing an
    undeprecated ``Node.id``); the fake must still build a valid schema, or every GraphQL query errors."""
    schema = load_schema()
    assert validate_schema(schema) == []
    # Only the conflicting deprecations were cleared: the rest of GitHub's deprecations stand.
    assert schema.type_map["Project"].fields["id"].deprecation_reason is None  # type: ignore[union-attr]
    assert schema.type_map["Project"].fields["body"].deprecation_reason  # type: ignore[union-attr]
    assert schema.type_map["Node"].fields["id"].deprecation_reason is None  # type: ignore[union-attr]


def test_github_schema_builder_names_a_violation_it_cannot_repair() -> None:
    broken = SCHEMA_PATH.read_text(encoding="utf-8") + "\ntype NotNode implements Node { name: String }\n"
    with pytest.raises(RuntimeError, match="schema error.*NotNode"):
        build_github_schema(broken)
