"""Paths from people to cloud roles (scanner/paths.py) and their policies."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.collectors.github.workflows import WorkflowFile, map_workflows
from scanner.demo import load_demo
from scanner.findings import Status
from scanner.inventory.model import Resource, SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.paths import PATH_TYPE, compute_paths, derive_paths
from scanner.pipeline import correlate_inventory, evaluate_inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import baseline_dir, load_policies

ROLE_ARN = "arn:aws:iam::111122223333:role/deployer"


@pytest.fixture(scope="module")
def path_policies():
    return [p for p in load_policies([baseline_dir()]) if p.resource == PATH_TYPE]


def member(login: str, *, role: str = "member", admin: list[str] | None = None, write: list[str] | None = None,
           employment: str | None = "employee") -> Resource:
    person = {"id": f"roster:person/{login}", "name": login.title(), "email": f"{login}@acme.dev",
              "status": "active", "employment_type": employment} if employment else None
    return Resource("github.member", f"github:acme/member/{login}", login, "acme", {
        "login": login, "org": "acme", "role": role, "active": True, "admin_repositories": admin or [],
        "write_repositories": sorted(set((write or []) + (admin or []))), "person": person,
        "link_method": "handle" if person else "none"})


def repository(name: str = "app", *, environments: list[dict[str, Any]] | None = None, review: int = 1,
               bypass: bool = False) -> Resource:
    return Resource("github.repository", f"github:acme/{name}", f"acme/{name}", "acme", {
        "full_name": f"acme/{name}", "archived": False, "default_branch": "main", "requires_pull_request": review > 0,
        "required_approving_review_count": review, "admins_can_bypass": bypass, "environments": environments or []})


def role(subjects: list[str], *, admin: bool = True, environment: str = "production") -> Resource:
    return Resource("aws.iam_role", ROLE_ARN, "deployer", "111122223333", {
        "github_oidc_trust": True, "github_oidc_subjects": subjects, "admin_equivalent": admin,
        "attached_policies": [], "inline_policies": [], "environment": environment})


def inventory(*resources: Resource, platforms: tuple[str, ...] = ("github", "aws")) -> Inventory:
    sources = tuple(SourceStatus(name=p, platform=p, status="ok") for p in platforms)
    return Inventory(tuple(resources), sources, "2026-11-20T09:00:00Z", "test")


def only_path(inv: Inventory) -> dict[str, Any]:
    [path] = compute_paths(inv)
    assert not problems_with(path, RESOURCE_TYPES[PATH_TYPE]), problems_with(path, RESOURCE_TYPES[PATH_TYPE])
    return dict(path.attributes)


def test_a_trust_on_any_ref_is_reached_without_a_gate() -> None:
    path = only_path(inventory(member("dev", write=["acme/app"]), repository(), role(["repo:acme/app:*"])))
    assert path["gated"] is False and path["route"] in ("any-branch", "pull_request", "tag", "environment:posture-probe-7f3a")
    assert path["target_admin"] is True and path["permission"] == "write"


def test_an_environment_with_reviewers_gates_and_one_without_does_not() -> None:
    trust = role(["repo:acme/app:environment:production"])
    gated = only_path(inventory(member("dev", write=["acme/app"]), trust,
                                repository(environments=[{"name": "production", "required_reviewers": 2}])))
    assert gated["gated"] is True and gated["gated_by_environment"] is True
    assert gated["gate"] == "environment production (2 required reviewers)"
    open_env = only_path(inventory(member("dev", write=["acme/app"]), trust,
                                   repository(environments=[{"name": "production", "required_reviewers": 0}])))
    assert open_env["gated"] is False


def test_a_reviewed_default_branch_gates_writers_but_not_admins_who_bypass() -> None:
    trust = role(["repo:acme/app:ref:refs/heads/main"])
    writer = only_path(inventory(member("dev", write=["acme/app"]), repository(bypass=True), trust))
    assert writer["gated"] is True and writer["route"] == "branch:main"
    admin = only_path(inventory(member("lead", admin=["acme/app"]), repository(bypass=True), trust))
    assert admin["gated"] is False
    enforced = only_path(inventory(member("lead", admin=["acme/app"]), repository(bypass=False), trust))
    assert enforced["gated"] is True
    unreviewed = only_path(inventory(member("dev", write=["acme/app"]), repository(review=0), trust))
    assert unreviewed["gated"] is False


def test_a_trust_for_another_repository_is_no_path() -> None:
    assert compute_paths(inventory(member("dev", write=["acme/app"]), repository(), role(["repo:acme/other:*"]))) == []
    # IAM StringLike: "?" is one character, and the match is anchored.
    assert compute_paths(inventory(member("dev", write=["acme/app"]), repository(),
                                   role(["repo:acme/ap?:ref:refs/heads/main"])))
    assert not compute_paths(inventory(member("dev", write=["acme/app"]), repository(),
                                       role(["repo:acme/app:ref:refs/heads/mai"])))


def test_owners_reach_every_repository_of_their_org() -> None:
    path = only_path(inventory(member("boss", role="owner"), repository(), role(["repo:acme/app:*"])))
    assert path["access_via"] == "organization owner" and path["permission"] == "admin"


def test_the_verdicts(path_policies) -> None:
    contractor = member("carla", admin=["acme/app"], employment="contractor")
    employee = member("ana", write=["acme/app"])
    inv = derive_paths(inventory(contractor, employee, repository(bypass=True), role(["repo:acme/app:ref:refs/heads/main"])))
    findings = {(f.policy, f.resource.name.split(" ")[0]): f for f in evaluate(path_policies, inv)}
    assert findings[("paths_no_external_to_production", "carla")].status is Status.FAIL
    assert findings[("paths_no_external_to_production", "ana")].status is Status.SKIPPED
    assert findings[("paths_cloud_admin_gated", "carla")].status is Status.FAIL  # an admin bypasses the review
    assert findings[("paths_cloud_admin_gated", "ana")].status is Status.PASS
    # Gated by branch review only: no environment reviewers, nobody listed as an approver.
    assert findings[("paths_production_admin_only_approvers", "ana")].status is Status.FAIL
    message = findings[("paths_no_external_to_production", "carla")].message
    assert "person Carla (contractor)" in message and "repository acme/app" in message and "aws deployer" in message


def test_listed_approvers_pass(path_policies) -> None:
    policies = [p for p in load_policies([baseline_dir()], param_overrides={
        "paths_production_admin_only_approvers": {"approvers": ["ana@acme.dev"]}}) if p.resource == PATH_TYPE]
    inv = derive_paths(inventory(member("ana", write=["acme/app"]), repository(), role(["repo:acme/app:*"])))
    [finding] = [f for f in evaluate(policies, inv) if f.policy == "paths_production_admin_only_approvers"]
    assert finding.status is Status.PASS


DEPLOY = """
on: {push: {branches: [main]}}
permissions: {contents: read}
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions: {id-token: write}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with: {role-to-assume: arn:aws:iam::111122223333:role/deployer}
"""


def test_an_unscanned_cloud_ends_the_path_at_not_scanned_and_its_checks_error(path_policies) -> None:
    workflows = map_workflows([WorkflowFile("acme/app", ".github/workflows/deploy.yml", DEPLOY, default_branch="main")])
    inv = derive_paths(inventory(member("carla", admin=["acme/app"], employment="contractor"), repository(), *workflows,
                                 platforms=("github",)))
    [path] = [r for r in inv.resources if r.type == PATH_TYPE]
    assert path.attributes["cloud_scanned"] is False and path.attributes["hops"][-1] == "aws: not scanned"
    assert path.attributes["workflows"] == [".github/workflows/deploy.yml"]
    assert path.attributes["target_admin"] == Unknown("aws was not scanned")
    statuses = {f.policy: f.status for f in evaluate(path_policies, inv)}
    assert statuses == {p.id: Status.ERROR for p in path_policies}


def test_azure_federated_credentials_match_exactly_and_the_role_assignments_decide() -> None:
    app = Resource("azure.application", "azure:t/application/1", "deployer", "t", {
        "app_id": "app-1", "federated_credentials": [{"issuer": "https://token.actions.githubusercontent.com",
                                                      "subject": "repo:acme/app:environment:production"}]})
    principal = Resource("azure.service_principal", "azure:t/service_principal/sp-1", "deployer", "t",
                         {"app_id": "app-1", "object_id": "sp-1"})
    subscription = Resource("azure.subscription", "/subscriptions/s-1", "prod", "t",
                            {"subscription_id": "s-1", "tags": {"Environment": "production"}})
    owner = Resource("azure.role_assignment", "azure:ra/1", "Owner", "s-1", {
        "principal_id": "sp-1", "role_name": "Owner", "role_type": "BuiltInRole", "privileged": True,
        "subscription_id": "s-1", "assignment_type": "permanent"})
    inv = inventory(member("dev", write=["acme/app"]), repository(environments=[{"name": "production", "required_reviewers": 1}]),
                    app, principal, subscription, owner, platforms=("github", "azure"))
    [path] = [p for p in compute_paths(inv) if p.attributes["cloud"] == "azure"]
    assert path.attributes["gated"] is True and path.attributes["target_admin"] is True
    assert path.attributes["target_environment"] == "production" and path.attributes["route"] == "environment:production"
    # Exact subjects: another environment of the same repository is no path.
    other = Resource("azure.application", "azure:t/application/1", "deployer", "t", {
        "app_id": "app-1", "federated_credentials": [{"issuer": "https://token.actions.githubusercontent.com",
                                                      "subject": "repo:acme/app:environment:prod*"}]})
    inv = inventory(member("dev", write=["acme/app"]), repository(), other, platforms=("github", "azure"))
    assert not [p for p in compute_paths(inv) if p.attributes["cloud"] == "azure"]


def test_azure_without_federated_credentials_read_is_unknown(path_policies) -> None:
    text = DEPLOY.replace("aws-actions/configure-aws-credentials@v4", "azure/login@v2").replace(
        "role-to-assume: arn:aws:iam::111122223333:role/deployer", "client-id: app-1")
    workflows = map_workflows([WorkflowFile("acme/app", ".github/workflows/deploy.yml", text, default_branch="main")])
    app = Resource("azure.application", "azure:t/application/1", "deployer", "t", {"app_id": "app-1"})
    inv = derive_paths(inventory(member("dev", write=["acme/app"]), repository(), app, *workflows,
                                 platforms=("github", "azure", "aws")))
    [path] = inv.of_type(PATH_TYPE)
    assert path.attributes["hops"][-1] == "azure: unknown (Azure federated identity credentials were not read)"
    assert path.attributes["target_admin"] == Unknown("Azure federated identity credentials were not read")


@pytest.mark.parametrize("condition, routes", [
    ("assertion.repository == 'acme/app' && assertion.ref == 'refs/heads/main'", {"branch:main"}),
    ("assertion.repository == 'acme/other'", set()),
    ("assertion.repository_owner == 'acme'", {"any-branch", "pull_request", "tag", "branch:main"}),
    ("assertion.repository == 'acme/app' && assertion.environment == 'production'", {"environment:production"}),
])
def test_gcp_provider_conditions(condition: str, routes: set[str]) -> None:
    provider = Resource("gcp.wif_provider", "gcp:projects/1/providers/gh", "gh", "p", {
        "is_github": True, "disabled": False, "attribute_condition": condition, "environment": "production"})
    repo = repository(environments=[{"name": "production", "required_reviewers": 1}])
    inv = inventory(member("dev", write=["acme/app"]), repo, provider, platforms=("github", "gcp"))
    found = [p for p in compute_paths(inv) if p.attributes["cloud"] == "gcp"]
    if not routes:
        assert not found
        return
    [path] = found
    # The route reported is the weakest one the condition accepts.
    assert path.attributes["route"] in routes
    assert path.attributes["gated"] is (routes == {"branch:main"} or routes == {"environment:production"})
    assert isinstance(path.attributes["target_admin"], Unknown)  # impersonation is not collected


def test_an_unlinked_account_cannot_be_judged_external() -> None:
    path = only_path(inventory(member("bot", write=["acme/app"], employment=None), repository(), role(["repo:acme/app:*"])))
    assert isinstance(path["is_external"], Unknown) and path["person_id"] is None


def test_deriving_twice_gives_the_same_paths() -> None:
    inv = inventory(member("dev", write=["acme/app"]), repository(), role(["repo:acme/app:*"]))
    once = derive_paths(inv)
    assert derive_paths(once).resources == once.resources


def test_the_demo_shows_a_contractor_reaching_production_admin_and_a_fully_gated_path() -> None:
    baseline = load_policies([baseline_dir()])
    evaluation = evaluate_inventory(load_demo(), baseline)
    paths = {r.name: r.attributes for r in evaluation.inventory.resources if r.type == PATH_TYPE}
    contractor = paths["carla-m -> northwind-labs/mobile-app -> gha-mobile-release"]
    assert contractor["employment_type"] == "contractor" and contractor["target_admin"] is True
    assert contractor["target_environment"] == "production" and contractor["gated"] is False
    gated = paths["bochen -> northwind-labs/api -> gha-platform-admin"]
    assert gated["gated"] is True and gated["gate"] == "environment production (2 required reviewers)"
    assert gated["workflows"] == [".github/workflows/deploy.yml"]
    verdicts = {(f.policy, f.resource.name): f.status for f in evaluation.report.findings}
    assert verdicts[("paths_no_external_to_production", "carla-m -> northwind-labs/mobile-app -> gha-mobile-release")] is Status.FAIL
    assert verdicts[("paths_cloud_admin_gated", "bochen -> northwind-labs/api -> gha-platform-admin")] is Status.PASS
    assert correlate_inventory(load_demo()).of_type(PATH_TYPE)
