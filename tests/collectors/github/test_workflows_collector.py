"""The collector reads workflow files inside its batched GraphQL queries, against the fake GitHub."""

from __future__ import annotations

from collections import Counter

from scanner.collectors.github import workflows
from scanner.inventory.model import Unknown
from tests.collectors.github.helpers import by_id
from tests.fakes.github import graphql_api

CONTENTS = "GET /repos/{owner}/{repo}/contents/{path}"


def test_workflows_come_with_the_batch_query_and_no_request_more(fake, run_collector) -> None:
    result = run_collector(fake)
    found = {r.name: r for r in result.resources if r.type == "github.workflow"}
    assert set(found) == {
        "northwind-labs/api:.github/workflows/ci.yml", "northwind-labs/api:.github/workflows/deploy.yml",
        "northwind-labs/web:.github/workflows/preview.yml", "northwind-labs/web:.github/workflows/release.yml",
        "northwind-labs/mobile-app:.github/workflows/release.yml",  # README.md beside it is not a workflow
        "northwind-labs/infra:.github/workflows/terraform.yml", "northwind-labs/infra:.github/workflows/nightly.yml",
    }
    deploy = found["northwind-labs/api:.github/workflows/deploy.yml"].attributes
    assert deploy["environments"] == ["production"] and deploy["id_token_jobs"] == ["deploy"]
    assert found["northwind-labs/web:.github/workflows/preview.yml"].attributes["repository_visibility"] == "public"
    requests = Counter(r.key for r in fake.requests)
    assert requests[CONTENTS] == 0
    assert not fake.writes() and not fake.graphql_mutations()


def test_truncated_blobs_are_read_whole_through_the_contents_api(fake, run_collector, monkeypatch) -> None:
    monkeypatch.setattr(graphql_api, "BLOB_TEXT_LIMIT", 400)  # every workflow over 400 bytes comes back cut
    result = run_collector(fake)
    found = {r.name: r for r in result.resources if r.type == "github.workflow"}
    requests = Counter(r.key for r in fake.requests)
    long_files = [n for n, r in found.items() if len(_text_of(fake, n)) > 400]
    assert long_files and requests[CONTENTS] == len(long_files)
    preview = found["northwind-labs/web:.github/workflows/preview.yml"].attributes
    assert preview["parse_error"] is None and preview["untrusted_checkouts"] == ["preview/1"]
    assert [s.status for s in result.sources] == ["ok"]


def _text_of(fake, name: str) -> str:
    repository, path = name.split(":", 1)
    org = next(o for o in fake.world.orgs if o.login == repository.split("/")[0])
    repo = next(r for r in org.repos if r.name == repository.split("/")[1])
    return repo.files[path]


def test_a_directory_graphql_could_not_read_is_one_unknown_placeholder() -> None:
    rest = {"full_name": "acme/app", "name": "app", "visibility": "public", "archived": False}
    result = workflows.files_from_block(rest, {"workflowFiles": None}, {"workflowFiles": Unknown("needs repo scope")})
    assert result == Unknown("needs repo scope")
    placeholder = workflows.unreadable_repository("acme/app", "needs repo scope", "public")
    assert placeholder.attributes["template_injections"] == Unknown("needs repo scope")
    assert workflows.files_from_block(rest, {"workflowFiles": None}, {}) == ([], [])


def test_workflow_resources_are_keyed_by_repository_and_path(fake, run_collector) -> None:
    resources = by_id(run_collector(fake))
    assert "github:northwind-labs/infra/workflow/.github/workflows/nightly.yml" in resources
    nightly = resources["github:northwind-labs/infra/workflow/.github/workflows/nightly.yml"].attributes
    assert isinstance(nightly["parse_error"], str) and isinstance(nightly["jobs"], Unknown)
