"""The collector's former known gaps, each against the fake: Conditional Access exclusions,
PIM-eligible directory roles, and groups holding Azure RBAC roles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult
from scanner.findings import Status
from scanner.inventory.model import Unknown
from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import apply_param_overrides, load_policies
from tests.fakes.azure.client import NOW, settings_for
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import (
    NORTHWIND_TENANT,
    NW_DEV,
    Estate,
    directory_schedule,
    member,
    northwind,
    user,
)

POLICIES = Path(__file__).resolve().parents[3] / "policies" / "azure"
CONTRACTORS = "d4000009-0000-4000-8000-000000000009"
SYNC_ROLE = "d29b2b05-8046-44ba-8758-1e26182fcf32"  # Directory Synchronization Accounts


@pytest.fixture(scope="module")
def policies():
    return load_policies([POLICIES])


@pytest.fixture
def serve(ca: trustme.CA, ca_path: str) -> Iterator[Callable[..., tuple[FakeAzure, Callable[..., CollectResult]]]]:
    """Start the fake on a (modified) estate; returns the fake and a runner."""
    started: list[FakeAzure] = []

    def start(estate: Estate) -> tuple[FakeAzure, Callable[..., CollectResult]]:
        fake = FakeAzure(estate).start(ca.issue_cert("127.0.0.1"), ca_path)
        started.append(fake)

        def run(**extra: Any) -> CollectResult:
            return load_collector("azure")(settings_for(fake, **extra), CollectContext(concurrency=3, clock=lambda: NOW)).collect()

        return fake, run

    yield start
    for fake in started:
        fake.stop()


def tenant_of(result: CollectResult) -> dict[str, Any]:
    return next(dict(r.attributes) for r in result.resources if r.type == "azure.tenant")


def finding(result: CollectResult, policies, policy: str, name: str):
    chosen = [p for p in policies if p.id == policy]
    found = [f for f in evaluate(chosen, Inventory(result.resources, result.sources)) if f.resource.name == name]
    assert len(found) == 1, found
    return found[0]


def source(result: CollectResult, suffix: str):
    return next(s for s in result.sources if s.name.endswith(suffix))


def _estate_with_exempt_group() -> Estate:
    """Northwind, whose MFA policy also excludes a 'contractors' group (3 people, one nested
    group deep) and the Directory Synchronization Accounts role (held by the sync account)."""
    estate = northwind()
    carla = user(20, "carla_lisbondevs.pt#EXT#@northwind.onmicrosoft.com", "Carla Mendes", mail="carla@lisbondevs.pt", guest=True,
                 last="2026-11-12T10:00:00Z")
    sync = user(21, "sync_nw01@northwind.onmicrosoft.com", "On-Premises Directory Synchronization Service Account",
                last="2026-11-20T08:00:00Z")
    estate.users += [carla, sync]
    nested = {"@odata.type": "#microsoft.graph.group", "id": "d400000a-0000-4000-8000-00000000000a", "displayName": "lisbon-devs"}
    contractors = {"@odata.type": "#microsoft.graph.group", "id": CONTRACTORS, "displayName": "ca-exempt-contractors"}
    estate.groups += [contractors, nested]
    dmitri = next(u for u in estate.users if u["userPrincipalName"] == "dmitri@northwind.dev")
    tomas = next(u for u in estate.users if u["userPrincipalName"] == "tomas@northwind.dev")
    estate.group_members[CONTRACTORS] = [member(dmitri), nested]
    estate.group_members[nested["id"]] = [member(carla), member(tomas)]
    estate.directory_role_assignments.append(
        {"id": "lAPpYvVpN0KRkAEhdxReE0021-1", "principalId": sync["id"], "directoryScopeId": "/", "roleDefinitionId": SYNC_ROLE}
    )
    estate.directory_role_definitions.append({"id": SYNC_ROLE, "displayName": "Directory Synchronization Accounts", "isBuiltIn": True})
    users = estate.ca_policies[0]["conditions"]["users"]
    users["excludeGroups"] = [CONTRACTORS]
    users["excludeRoles"] = [SYNC_ROLE]
    return estate


# --- 1. Conditional Access exclusions ------------------------------------------------------------


def test_break_glass_exclusions_within_the_allowance_pass(serve, policies) -> None:
    _, run = serve(northwind())
    result = run()
    tenant = tenant_of(result)
    assert tenant["mfa_policy_exclusions"] == ["breakglass2@northwind.onmicrosoft.com (user)", "breakglass@northwind.onmicrosoft.com (user)"]
    assert tenant["mfa_excluded_account_count"] == 2
    assert finding(result, policies, "azure_tenant_mfa_all_users", "Northwind Labs").status is Status.PASS


def test_exclusions_beyond_the_allowance_fail_and_name_who_is_excluded(serve, policies) -> None:
    fake, run = serve(_estate_with_exempt_group())
    result = run()
    tenant = tenant_of(result)
    assert tenant["mfa_enforced_all_users"] is True  # the policy exists and is on ...
    assert tenant["mfa_policy_exclusions"] == [
        "Directory Synchronization Accounts (role)",
        "breakglass2@northwind.onmicrosoft.com (user)",
        "breakglass@northwind.onmicrosoft.com (user)",
        "ca-exempt-contractors (group)",
    ]
    # ... but these accounts sign in without MFA: nested group members and the role holder included.
    assert tenant["mfa_excluded_accounts"] == [
        "breakglass2@northwind.onmicrosoft.com",
        "breakglass@northwind.onmicrosoft.com",
        "carla@lisbondevs.pt",
        "dmitri@northwind.dev",
        "sync_nw01@northwind.onmicrosoft.com",
        "tomas@northwind.dev",
    ]
    found = finding(result, policies, "azure_tenant_mfa_all_users", "Northwind Labs")
    assert found.status is Status.FAIL
    assert "carla@lisbondevs.pt" in found.message and "ca-exempt-contractors (group)" in found.message
    assert "allowance 2" in found.message
    assert any(r.path == f"/v1.0/groups/{CONTRACTORS}/transitiveMembers" for r in fake.requests)
    assert {r.method for r in fake.requests} == {"GET"}


def test_the_allowance_is_a_parameter_the_user_can_raise(serve, policies) -> None:
    _, run = serve(_estate_with_exempt_group())
    result = run()
    (policy,) = [p for p in policies if p.id == "azure_tenant_mfa_all_users"]
    assert policy.params == {"max_excluded_principals": 2}
    relaxed = apply_param_overrides([policy], {"azure_tenant_mfa_all_users": {"max_excluded_principals": 6}})
    findings = evaluate(relaxed, Inventory(result.resources, result.sources))
    assert [f.status for f in findings] == [Status.PASS]


def test_an_account_covered_by_another_mfa_policy_is_not_excluded(serve, policies) -> None:
    estate = northwind()
    breakglass = next(u for u in estate.users if u["userPrincipalName"] == "breakglass@northwind.onmicrosoft.com")
    second = dict(estate.ca_policies[0], id="1b2c3d4e-0009-4000-8000-000000000009", displayName="MFA for all users (second ring)")
    second["conditions"] = {**second["conditions"], "users": {**second["conditions"]["users"], "excludeUsers": [breakglass["id"]]}}
    estate.ca_policies.append(second)
    _, run = serve(estate)
    tenant = tenant_of(run())
    assert tenant["mfa_excluded_accounts"] == ["breakglass@northwind.onmicrosoft.com"]  # breakglass2 is covered by the second


def test_unreadable_group_members_make_the_exclusions_unknown_not_a_pass(serve, policies) -> None:
    fake, run = serve(_estate_with_exempt_group())
    fake.fail(rf"GET /v1\.0/groups/{CONTRACTORS}/transitiveMembers", 403, code="Authorization_RequestDenied")
    result = run()
    tenant = tenant_of(result)
    assert tenant["mfa_excluded_accounts"] == Unknown("needs Graph GroupMember.Read.All (or Directory.Read.All)")
    assert finding(result, policies, "azure_tenant_mfa_all_users", "Northwind Labs").status is Status.ERROR
    src = source(result, NORTHWIND_TENANT)
    assert src.status == "partial" and any("GroupMember.Read.All" in n for n in src.notes)


def test_exclusions_of_legacy_auth_and_device_policies_are_exposed(serve) -> None:
    estate = northwind()
    estate.ca_policies[1]["state"] = "enabled"  # the legacy-auth block, excluding one break-glass account
    _, run = serve(estate)
    tenant = tenant_of(run())
    assert tenant["legacy_auth_blocked"] is True
    assert tenant["legacy_auth_policy_exclusions"] == ["breakglass@northwind.onmicrosoft.com (user)"]
    assert tenant["managed_device_policy_exclusions"] == []


# --- 2. PIM-eligible directory roles -------------------------------------------------------------


def test_eligible_and_standing_global_admins(serve, policies) -> None:
    fake, run = serve(northwind())
    result = run()
    tenant = tenant_of(result)
    assert tenant["directory_pim_available"] is True
    assert tenant["global_admin_count"] == 3
    assert tenant["permanent_global_admins"] == ["ana@northwind.dev", "breakglass2@northwind.onmicrosoft.com", "breakglass@northwind.onmicrosoft.com"]
    assert tenant["eligible_global_admins"] == ["farid@northwind.dev"]
    users = {r.name: r.attributes for r in result.resources if r.type == "azure.user"}
    assert users["farid@northwind.dev"]["eligible_directory_roles"] == ["Global Administrator"]
    assert users["farid@northwind.dev"]["directory_roles"] == [] and users["farid@northwind.dev"]["is_admin"] is False
    assert users["ana@northwind.dev"]["eligible_directory_roles"] == []
    found = finding(result, policies, "azure_tenant_global_admins_just_in_time", "Northwind Labs")
    assert found.status is Status.FAIL and "3 standing Global Administrators" in found.message and "farid@northwind.dev" in found.message
    assert any(r.path == "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances" for r in fake.requests)


def test_an_activated_global_admin_is_not_standing(serve, policies) -> None:
    estate = northwind()
    ana = estate.directory_role_assignments[0]
    estate.directory_assignment_schedules[0] = directory_schedule(ana, "Activated", "2026-11-20T15:30:00Z")
    _, run = serve(estate)
    result = run()
    tenant = tenant_of(result)
    assert tenant["global_admin_count"] == 3 and tenant["permanent_global_admin_count"] == 2
    assert finding(result, policies, "azure_tenant_global_admins_just_in_time", "Northwind Labs").status is Status.PASS


def test_without_entra_p2_eligibility_is_unknown_with_that_reason(serve, policies) -> None:
    estate = northwind()
    estate.directory_no_pim = True
    _, run = serve(estate)
    result = run()
    tenant = tenant_of(result)
    assert tenant["directory_pim_available"] is False
    assert tenant["permanent_global_admin_count"] == 3  # no PIM: every active assignment is standing
    assert "Entra ID P2" in tenant["eligible_global_admins"].reason
    farid = next(r.attributes for r in result.resources if r.name == "farid@northwind.dev")
    assert farid["eligible_directory_roles"] == Unknown("needs Microsoft Entra ID P2 (Privileged Identity Management)")
    assert finding(result, policies, "azure_tenant_global_admins_just_in_time", "Northwind Labs").status is Status.SKIPPED
    src = source(result, NORTHWIND_TENANT)
    assert src.status == "ok" and any("Entra ID P2" in n for n in src.notes)


def test_without_role_management_permission_eligibility_is_unknown_and_noted(serve, policies) -> None:
    fake, run = serve(northwind())
    fake.fail(r"GET /v1\.0/roleManagement/directory/roleEligibilityScheduleInstances", 403, code="Authorization_RequestDenied")
    result = run()
    tenant = tenant_of(result)
    assert tenant["directory_pim_available"] == Unknown("needs Graph RoleManagement.Read.Directory")
    assert finding(result, policies, "azure_tenant_global_admins_just_in_time", "Northwind Labs").status is Status.ERROR
    assert finding(result, policies, "azure_tenant_global_admin_count", "Northwind Labs").status is Status.PASS  # active still read
    src = source(result, NORTHWIND_TENANT)
    assert src.status == "partial" and any("RoleManagement.Read.Directory" in n for n in src.notes)


# --- 3. Groups holding Azure RBAC roles ----------------------------------------------------------


def test_a_guest_holding_owner_through_a_nested_group_is_caught(serve, policies) -> None:
    fake, run = serve(northwind())
    result = run()
    group = next(r for r in result.resources if r.name == "Owner for nw-platform-admins")
    attrs = group.attributes
    assert attrs["principal_is_guest"] is False and attrs["principal_is_external"] is False  # the group itself is not
    assert attrs["group_members"] == ["eve@acme-outsourcing.io", "farid@northwind.dev"]
    assert attrs["group_member_ids"] == ["a1000005-0000-4000-8000-000000000005", "a1000006-0000-4000-8000-000000000006"]
    assert attrs["group_members_include_guest"] is True and attrs["group_external_members"] == ["eve@acme-outsourcing.io"]
    found = finding(result, policies, "azure_role_assignment_no_guest_privileged", "Owner for nw-platform-admins")
    assert found.status is Status.FAIL and "eve@acme-outsourcing.io" in found.message
    dev = next(r.attributes for r in result.resources if r.type == "azure.subscription" and r.name == "nw-dev")
    assert dev["owner_count"] == 3
    assert "eve@acme-outsourcing.io (via nw-platform-admins)" in dev["owners"]
    # Paged (2 per page in the fake) and only GETs.
    calls = source(result, NORTHWIND_TENANT).api_calls
    assert calls["graph GET /v1.0/groups/{id}/transitiveMembers"] == 3
    assert {r.method for r in fake.requests} == {"GET"}


def test_a_direct_user_assignment_has_no_group_members(serve) -> None:
    _, run = serve(northwind())
    eve = next(r.attributes for r in run().resources if r.name == "Owner for eve@acme-outsourcing.io")
    assert eve["group_member_ids"] == [] and eve["group_members_include_guest"] is False
    assert eve["held_by_guest_or_external"] is True


def test_unreadable_group_members_are_error_never_pass(serve, policies) -> None:
    fake, run = serve(northwind())
    fake.fail(r"GET /v1\.0/groups/[^/]+/transitiveMembers", 403, code="Authorization_RequestDenied")
    result = run()
    found = finding(result, policies, "azure_role_assignment_no_guest_privileged", "Owner for nw-platform-admins")
    assert found.status is Status.ERROR
    dev = next(r.attributes for r in result.resources if r.type == "azure.subscription" and r.name == "nw-dev")
    assert isinstance(dev["owner_count"], Unknown)
    assert finding(result, policies, "azure_subscription_max_owners", "nw-prod").status is Status.FAIL  # no group Owner there
    assert source(result, NW_DEV).status == "ok"  # the ARM side was read in full
