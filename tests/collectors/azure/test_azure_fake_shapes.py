"""The fake serves only properties the published API descriptions declare, so it cannot drift
into fields real Azure never returns (trimmed property lists: tests/fakes/azure/spec/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.collectors.azure.collector import _MEMBER_FIELDS as MEMBER_SELECT
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import Estate, northwind, sandbox

SPEC = json.loads((Path(__file__).resolve().parents[2] / "fakes" / "azure" / "spec" / "properties.json").read_text())

GRAPH = {
    "GET /users": "users",
    "GET /reports/authenticationMethods/userRegistrationDetails": "registration",
    "GET /roleManagement/directory/roleAssignments": "directory_role_assignments",
    "GET /roleManagement/directory/roleDefinitions": "directory_role_definitions",
    "GET /identity/conditionalAccess/policies": "ca_policies",
    "GET /servicePrincipals": "service_principals",
    "GET /applications": "applications",
}
GRAPH_PIM = {
    "GET /roleManagement/directory/roleEligibilityScheduleInstances": "directory_eligibility",
    "GET /roleManagement/directory/roleAssignmentScheduleInstances": "directory_assignment_schedules",
}
ARM = {
    "roleAssignments": "role_assignments",
    "roleDefinitions": "role_definitions",
    "roleEligibilityScheduleInstances": "eligibility",
    "roleAssignmentScheduleInstances": "assignment_schedules",
    "classicAdministrators": "classic_admins",
    "diagnosticSettings": "diagnostic_settings",
    "securityContacts": "security_contacts",  # Microsoft.Security 2023-12-01-preview securityContacts.json
}


@pytest.mark.parametrize("estate", [northwind(), sandbox()], ids=["northwind", "sandbox"])
def test_fake_objects_use_only_declared_properties(estate: Estate) -> None:
    problems = []
    for operation, attribute in GRAPH.items():
        allowed = set(SPEC["graph"][operation]) | {"@odata.type"}
        for item in getattr(estate, attribute):
            problems += [f"{operation}: {key}" for key in item if key not in allowed]
    for operation, attribute in GRAPH_PIM.items():
        allowed = set(SPEC["graph"][operation])
        for item in getattr(estate, attribute):
            problems += [f"{operation}: {key}" for key in item if key not in allowed]
    allowed = set(SPEC["graph"]["GET /groups/{id}/transitiveMembers"])
    problems += [f"transitiveMembers: {key}" for members in estate.group_members.values() for m in members
                 for key in FakeAzure._select_member(m, {"$select": [MEMBER_SELECT]}) if key not in allowed]
    singleton = set(SPEC["graph"]["GET /policies/identitySecurityDefaultsEnforcementPolicy"]) | {"@odata.context"}
    problems += [f"security defaults: {key}" for key in estate.security_defaults if key not in singleton]
    for name, attribute in ARM.items():
        shape = SPEC["arm"][name]
        for items in getattr(estate, attribute).values():
            for item in items:
                problems += [f"{name}: {key}" for key in item if key not in shape["top"]]
                problems += [f"{name}.properties: {key}" for key in item.get("properties", {}) if key not in shape["properties"]]
    problems += [f"subscriptions: {key}" for s in estate.subscriptions for key in s if key not in SPEC["arm"]["subscriptions"]["top"]]
    assert problems == []
