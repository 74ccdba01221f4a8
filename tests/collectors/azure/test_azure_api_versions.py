"""Every ARM request names the api-version of the published spec the fake is shaped on, and
every Graph request is v1.0: a real endpoint (or an independent double) answers those shapes."""

from __future__ import annotations

from tests.fakes.azure.server import FakeAzure

# From the Azure REST API specifications (azure-rest-api-specs) the collector was built against.
PUBLISHED_VERSIONS = {
    "Microsoft.Authorization/roleAssignments": "2022-04-01",
    "Microsoft.Authorization/roleDefinitions": "2022-04-01",
    "Microsoft.Authorization/roleEligibilityScheduleInstances": "2020-10-01",
    "Microsoft.Authorization/roleAssignmentScheduleInstances": "2020-10-01",
    "Microsoft.Authorization/classicAdministrators": "2015-07-01",
    "Microsoft.Insights/diagnosticSettings": "2021-05-01-preview",
    # Microsoft.Security has no stable securityContacts version; 2023-12-01-preview is the newest.
    "Microsoft.Security/securityContacts": "2023-12-01-preview",
    "/subscriptions": "2022-12-01",
}


def test_arm_api_versions_and_graph_version(run, fake: FakeAzure) -> None:
    run()
    seen: dict[str, set[str]] = {}
    for request in fake.requests:
        if request.path.startswith("/v1.0/") or request.path.startswith("/beta/"):
            assert request.path.startswith("/v1.0/"), f"Graph beta is not a stable contract: {request.path}"
            continue
        operation = request.path.split("/providers/")[-1] if "/providers/" in request.path else request.path
        seen.setdefault(operation, set()).update(request.query.get("api-version", ["(none)"]))
    assert set(seen) == set(PUBLISHED_VERSIONS), seen
    for operation, versions in seen.items():
        assert versions == {PUBLISHED_VERSIONS[operation]}, (operation, versions)
