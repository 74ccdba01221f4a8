"""The GCP collector against the fake: both read paths, paging, throttling, and failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scanner.collectors.base import CollectContext, CollectResult
from scanner.collectors.gcp.collector import GcpCollector
from scanner.errors import ConfigError
from scanner.inventory.model import Resource, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES
from tests.fakes.people.accounts import collected_problems
from tests.fakes.gcp.client import NOW, settings_for
from tests.fakes.gcp.org import synthetic
from tests.fakes.gcp.server import FakeGcp


def by_id(result: CollectResult) -> dict[str, Resource]:
    return {r.id: r for r in result.resources}


def comparable(result: CollectResult) -> dict[str, dict[str, Any]]:
    out = {}
    for r in result.resources:
        attributes = {k: (v.reason if isinstance(v, Unknown) else v) for k, v in r.attributes.items() if k != "read_path"}
        out[r.id] = attributes
    return out


def test_cloud_asset_path_reads_the_org_in_a_few_requests(run, fake: FakeGcp) -> None:
    result = run()
    (source,) = result.sources
    assert source.status == "ok", source.errors
    assert source.name == "gcp:organizations/112233445566"
    assert any("Cloud Asset Inventory" in n for n in source.notes)
    assert sum(source.api_calls.values()) == len(fake.requests)
    assert not fake.calls("iam") and not fake.calls("storage"), "the asset path needs no per-project call"
    resources = by_id(result)
    org = resources["gcp:organizations/112233445566"]
    assert org.attributes["read_path"] == "cloud_asset"
    assert org.attributes["sa_key_creation_disabled"] is True
    assert org.attributes["data_access_logs_all_services"] is True
    deployer = resources["gcp:serviceAccounts/deployer@nw-ci-tools.iam.gserviceaccount.com"]
    assert deployer.attributes["user_managed_key_count"] == 1  # the system-managed key is not counted
    assert deployer.attributes["max_user_managed_key_age_days"] == 200
    assert deployer.attributes["privileged"] is True
    ben = resources["gcp:principal/user:ben@northwind.dev"]
    assert ben.attributes["holds_sa_admin_and_user"] is True
    assert ben.attributes["production_write"] == ["projects/nw-prod-api"]
    assert ben.attributes["nonproduction_write"] == ["projects/nw-dev-sandbox"]
    gmail = resources["gcp:projects/nw-prod-api#roles/viewer#user:dev.contractor@gmail.com"]
    assert gmail.attributes["is_personal_account"] is True and gmail.attributes["is_external"] is True
    for resource in result.resources:
        assert not collected_problems(resource, RESOURCE_TYPES[resource.type]), resource.id


def test_fallback_path_when_cloud_asset_is_denied_reads_the_same_inventory(run, fake: FakeGcp) -> None:
    asset = run()
    fake.requests.clear()
    fake.fail(r"^GET /cloudasset/", "PERMISSION_DENIED")
    walked = run()
    (source,) = walked.sources
    assert source.status == "ok", source.errors
    assert any("Resource Manager" in n and "cloudasset.assets.searchAllIamPolicies" in n for n in source.notes)
    assert by_id(walked)["gcp:organizations/112233445566"].attributes["read_path"] == "resource_manager"
    assert comparable(walked) == comparable(asset)
    assert len(fake.calls("iam")) > 0 and len(fake.calls("storage")) > 0


def test_service_disabled_cloud_asset_also_falls_back(run, fake: FakeGcp) -> None:
    fake.fail(r"^GET /cloudasset/", "SERVICE_DISABLED")
    (source,) = run().sources
    assert source.status == "ok"
    assert any("Cloud Asset API is disabled" in n for n in source.notes)


def test_paging_one_item_per_page_changes_nothing(run, fake: FakeGcp) -> None:
    first = comparable(run())
    fake.max_page = 1
    fake.requests.clear()
    assert comparable(run()) == first
    assert any("pageToken" in r.query for r in fake.calls("cloudasset"))


def test_429_is_retried_and_counted(run, fake: FakeGcp) -> None:
    fake.fail(r"searchAllIamPolicies", "RESOURCE_EXHAUSTED", times=2)
    result = run()
    (source,) = result.sources
    assert source.status == "ok"
    assert source.api_calls["cloudasset GET /v1/organizations/{id}:searchAllIamPolicies"] >= 3
    assert by_id(result)["gcp:principal/user:ben@northwind.dev"].attributes["holds_sa_admin_and_user"] is True


def test_disabled_org_policy_api_is_one_line_and_the_constraints_error(run, fake: FakeGcp) -> None:
    fake.fail(r"/orgpolicy/", "SERVICE_DISABLED")
    result = run()
    (source,) = result.sources
    assert source.status == "partial"
    assert source.errors == (source.errors[0],), "one line, not one per constraint"
    assert "Organization Policy API" in source.errors[0] and "orgpolicy.googleapis.com" in source.errors[0]
    org = by_id(result)["gcp:organizations/112233445566"].attributes
    assert isinstance(org["sa_key_creation_disabled"], Unknown)
    assert isinstance(org["public_access_prevention_enforced"], Unknown)
    assert org["essential_contact_categories"] == ["ALL"], "the other reads complete"


def test_project_deleted_mid_scan_names_the_project_and_the_rest_completes(run, fake: FakeGcp) -> None:
    fake.fail(r"^GET /cloudasset/", "PERMISSION_DENIED")
    fake.fail(r"projects/(nw-dev-sandbox|210000000003)[:/]|project=nw-dev-sandbox", "NOT_FOUND")
    result = run()
    (source,) = result.sources
    assert source.status == "partial"
    assert source.errors and all("nw-dev-sandbox" in e for e in source.errors)
    assert any("deleted during the scan" in e for e in source.errors)
    resources = by_id(result)
    assert "gcp:serviceAccounts/deployer@nw-ci-tools.iam.gserviceaccount.com" in resources
    assert resources["gcp:projects/nw-prod-api"].attributes["data_access_logs_all_services"] is True
    carla = resources["gcp:principal/user:carla@northwind.dev"].attributes
    # Carla's grants elsewhere read fine, but the deleted project's policy is missing: not a PASS.
    assert isinstance(carla["writes_in_production_and_nonproduction"], Unknown)
    assert "nw-dev-sandbox" in carla["writes_in_production_and_nonproduction"].reason


def test_an_organization_the_caller_cannot_see_fails_in_one_line(run, fake: FakeGcp) -> None:
    fake.fail(r"^GET /cloudresourcemanager/v3/organizations/", "PERMISSION_DENIED")
    result = run()
    (source,) = result.sources
    assert source.status == "failed" and source.error_kind == "permission"
    assert len(source.errors) == 1 and "\n" not in source.errors[0]
    assert "organizations/112233445566" in source.errors[0] and "roles/browser" in source.errors[0]
    assert result.resources == ()


def test_one_project_scope_failing_leaves_the_other_projects(fake: FakeGcp) -> None:
    fake.fail(r"projects/nw-dev-sandbox", "NOT_FOUND")
    settings = settings_for(fake, organization=None, projects=["nw-prod-api", "nw-dev-sandbox"])
    result = GcpCollector(settings, CollectContext(clock=lambda: NOW)).collect()
    statuses = {s.name: s for s in result.sources}
    assert statuses["gcp:projects/nw-prod-api"].status == "ok"
    assert statuses["gcp:projects/nw-dev-sandbox"].status == "failed"
    assert "nw-dev-sandbox" in statuses["gcp:projects/nw-dev-sandbox"].errors[0]
    assert "gcp:projects/nw-prod-api" in by_id(result)


def test_expired_token_is_an_auth_error_line(run, fake: FakeGcp) -> None:
    from tests.fakes.gcp.client import static_credential

    (source,) = run(credential=static_credential("ya29.an-expired-token-value")).sources
    assert source.status == "failed" and source.error_kind == "auth"
    assert len(source.errors) == 1 and "\n" not in source.errors[0]
    assert "sign in again" in source.errors[0] and "ya29" not in source.errors[0]


def test_no_token_or_secret_in_the_snapshot(run, fake: FakeGcp) -> None:
    fake.fail(r"/orgpolicy/", "PERMISSION_DENIED")
    result = run()
    text = json.dumps(Inventory(result.resources, result.sources).to_json())
    assert fake.token not in text and "ya29" not in text


def test_read_only_client_refuses_writes(fake: FakeGcp) -> None:
    from scanner.collectors.base import CallCounter
    from scanner.collectors.gcp.client import GcpRest, endpoints_from
    from tests.fakes.gcp.client import static_credential
    from google.auth.transport.requests import AuthorizedSession

    rest = GcpRest(AuthorizedSession(static_credential(fake.token)), endpoints_from({"endpoint_base": fake.url}), CallCounter())
    for method, path in (("POST", "v3/projects/nw-prod-api:setIamPolicy"), ("DELETE", "v3/projects/nw-prod-api"), ("PATCH", "v3/projects/nw-prod-api")):
        with pytest.raises(PermissionError):
            rest.call("cloudresourcemanager", method, path)
    assert fake.requests == [], "refused before it left the process"


def test_the_fake_fails_a_test_on_a_mutating_request(fake: FakeGcp) -> None:
    import requests

    response = requests.post(f"{fake.url}/cloudresourcemanager/v3/projects/nw-prod-api:setIamPolicy", json={}, headers={"Authorization": f"Bearer {fake.token}"}, timeout=5)
    assert response.status_code == 403
    assert fake.mutations == ["POST /cloudresourcemanager/v3/projects/nw-prod-api:setIamPolicy"]
    fake.mutations.clear()  # the fixture would fail this test otherwise: that is the point


def test_asset_path_request_count_does_not_grow_with_projects() -> None:
    fake = FakeGcp(synthetic(projects=60, service_accounts=200, bindings=400), max_page=500).start()
    try:
        result = GcpCollector(settings_for(fake, organization=fake.org.org_id), CollectContext(clock=lambda: NOW)).collect()
    finally:
        fake.stop()
    (source,) = result.sources
    assert source.status == "ok"
    assert sum(source.api_calls.values()) <= 12
    assert not fake.schema_problems and not fake.mutations


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"organization": "acme"}, "gcp.organization"),
        ({"projects": ["Bad_Project"]}, "gcp.projects"),
        ({}, "--gcp-organization"),
        ({"organization": "1", "impersonate": "someone@gmail.com"}, "gcp.impersonate"),
        ({"organization": "1", "endpoints": {"nope": "https://x"}}, "gcp.endpoints"),
        ({"organization": "1", "endpoint_base": "http://evil.example"}, "gcp.endpoint_base"),
    ],
)
def test_bad_settings_are_one_line_naming_the_field(settings: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        GcpCollector(settings, CollectContext())
    assert field in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("asset", [True, False])
def test_folder_scope_reads_only_that_folder(fake: FakeGcp, asset: bool) -> None:
    settings = settings_for(fake, organization=None, folders=["100200400"], cloud_asset=asset)
    result = GcpCollector(settings, CollectContext(clock=lambda: NOW)).collect()
    (source,) = result.sources
    assert source.name == "gcp:folders/100200400" and source.status == "ok", source.errors
    projects = {r.id for r in result.resources if r.type == "gcp.project"}
    assert projects == {"gcp:projects/nw-dev-sandbox", "gcp:projects/nw-ci-tools"}
    assert not [r for r in result.resources if r.type == "gcp.organization"]
    ci = by_id(result)["gcp:projects/nw-ci-tools"].attributes
    assert ci["environment"] == "non-production" and ci["folders"] == ["Development"]
    assert any(r.id == "gcp:folders/100200400#roles/editor#group:developers@northwind.dev" for r in result.resources)


@pytest.mark.parametrize("asset", [True, False])
def test_project_scope_matches_the_org_view_of_that_project(run, fake: FakeGcp, asset: bool) -> None:
    whole = by_id(run())
    settings = settings_for(fake, organization=None, projects=["nw-prod-data"], cloud_asset=asset)
    result = GcpCollector(settings, CollectContext(clock=lambda: NOW)).collect()
    (source,) = result.sources
    assert source.status == "ok", source.errors
    mine = by_id(result)
    bucket = "gcp:buckets/nw-training-datasets"
    assert mine[bucket].attributes["public_members"] == whole[bucket].attributes["public_members"]
    key = "gcp:serviceAccounts/reporting@nw-prod-data.iam.gserviceaccount.com"
    assert mine[key].attributes["user_managed_key_ages_days"] == [30]
    assert mine["gcp:projects/nw-prod-data"].attributes["labels"] == {"environment": "production", "team": "data"}
