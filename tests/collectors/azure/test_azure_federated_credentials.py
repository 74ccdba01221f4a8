"""Issue 15: app registrations' federated identity credentials, read from Graph (against the fake)
and consumed by the code-to-cloud paths (scanner/paths.py)."""

from __future__ import annotations

from collections.abc import Callable

from scanner.collectors.base import CollectResult
from scanner.collectors.github.workflows import WorkflowFile, map_workflows
from scanner.demo import load_demo
from scanner.inventory.model import Resource, SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.paths import PATH_TYPE, compute_paths, derive_paths
from tests.fakes.azure.server import FakeAzure

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"

DEPLOY = """
name: deploy
on: {push: {branches: [main]}}
permissions: {contents: read}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    permissions: {id-token: write, contents: read}
    steps:
      - uses: azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5
        with: {client-id: app-1, tenant-id: t, subscription-id: s}
"""


def _applications(result: CollectResult) -> dict[str, Resource]:
    return {r.name: r for r in result.resources if r.type == "azure.application"}


def test_each_app_registrations_federated_credentials_are_read(run: Callable[..., CollectResult], fake: FakeAzure) -> None:
    result = run()
    apps = _applications(result)
    assert apps["github-deployer"].attributes["federated_credentials"] == [{
        "name": "github-api-production", "issuer": GITHUB_ISSUER,
        "subject": "repo:northwind-labs/api:environment:production", "audiences": ["api://AzureADTokenExchange"]}]
    assert apps["posture-scanner"].attributes["federated_credentials"] == []
    for app in apps.values():
        assert not problems_with(app, RESOURCE_TYPES["azure.application"])
    # One read-only GET per app, on the v1.0 path the description names.
    calls = [r for r in fake.requests if r.path.endswith("/federatedIdentityCredentials")]
    assert {r.method for r in calls} == {"GET"} and len(calls) == len(apps)
    assert all(r.path.startswith("/v1.0/applications/") for r in calls)
    assert fake.violations == []


def test_a_refused_read_leaves_every_apps_credentials_unknown(run: Callable[..., CollectResult], fake: FakeAzure) -> None:
    fake.fail(r"federatedIdentityCredentials", 403, code="Authorization_RequestDenied", message="Insufficient privileges")
    result = run()
    apps = _applications(result)
    assert apps, "the applications themselves were read"
    for app in apps.values():
        value = app.attributes["federated_credentials"]
        assert isinstance(value, Unknown) and value.reason.startswith("needs Graph Application.Read.All")
    [tenant_source] = [s for s in result.sources if "tenant" in s.name]
    assert tenant_source.status == "partial"
    assert any("Application.Read.All" in note for note in tenant_source.notes)


def test_the_demo_has_a_path_from_github_to_an_azure_admin_role() -> None:
    paths = [p for p in compute_paths(load_demo()) if p.attributes["cloud"] == "azure"]
    deployer = [p for p in paths if p.attributes["hops"][-1].startswith("azure github-deployer")]
    assert deployer, [p.attributes["hops"] for p in paths]
    assert all(p.attributes["target_admin"] is True for p in deployer)
    assert any("northwind-labs/api" in hop for hop in deployer[0].attributes["hops"])


def test_credentials_that_could_not_be_read_end_the_path_at_unknown_with_the_reason() -> None:
    workflows = map_workflows([WorkflowFile("acme/app", ".github/workflows/deploy.yml", DEPLOY, default_branch="main")])
    member = Resource("github.member", "github:acme/member/dev", "dev", "acme", {
        "login": "dev", "org": "acme", "role": "member", "active": True, "admin_repositories": [],
        "write_repositories": ["acme/app"], "person": None, "link_method": "none"})
    repository = Resource("github.repository", "github:acme/app", "acme/app", "acme", {
        "full_name": "acme/app", "archived": False, "default_branch": "main", "requires_pull_request": True,
        "required_approving_review_count": 1, "admins_can_bypass": False, "environments": []})
    app = Resource("azure.application", "azure:t/application/1", "deployer", "t", {
        "app_id": "app-1", "federated_credentials": Unknown("needs Graph Application.Read.All (federated identity credentials)")})
    sources = tuple(SourceStatus(name=p, platform=p, status="ok") for p in ("github", "azure", "aws", "gcp"))
    inv = derive_paths(Inventory((member, repository, app, *workflows), sources, "2026-11-20T09:00:00Z", "test"))
    [path] = [p for p in inv.of_type(PATH_TYPE) if p.attributes["cloud"] == "azure"]
    assert path.attributes["hops"][-1] == ("azure: unknown (Azure federated identity credentials were not read "
                                           "(needs Graph Application.Read.All (federated identity credentials)))")
    assert isinstance(path.attributes["target_admin"], Unknown)
