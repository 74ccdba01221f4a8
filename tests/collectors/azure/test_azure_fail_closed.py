"""Issue 11 §2, Azure: verdicts that came out PASS or SKIPPED where the control is unmet.

Each test runs the real collector against the fake on an estate that shows one hole, and
evaluates the shipped policies; before the fix each verdict was PASS or SKIPPED."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from scanner.collectors import load_collector
from scanner.collectors.azure import roles
from scanner.collectors.base import CollectContext, CollectResult
from scanner.findings import Status
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import azure as azure_types
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.azure.client import NOW, settings_for
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import (
    GLOBAL_ADMIN,
    NW_DEV,
    NW_PROD,
    OWNER,
    RBAC_ADMIN,
    CONTRIBUTOR,
    Estate,
    directory_assignment,
    group,
    member,
    northwind,
    registration,
    role_assignment,
    user,
)

POLICIES = Path(__file__).resolve().parents[3] / "policies" / "azure"
EXEMPT = "d4000010-0000-4000-8000-000000000010"


@pytest.fixture(scope="module")
def policies():
    return load_policies([POLICIES])


@pytest.fixture
def collect(ca: trustme.CA, ca_path: str) -> Iterator[Callable[[Estate], CollectResult]]:
    started: list[FakeAzure] = []

    def go(estate: Estate) -> CollectResult:
        fake = FakeAzure(estate).start(ca.issue_cert("127.0.0.1"), ca_path)
        started.append(fake)
        result = load_collector("azure")(settings_for(fake), CollectContext(concurrency=3, clock=lambda: NOW)).collect()
        assert {r.method for r in fake.requests} == {"GET"}  # read-only
        return result

    yield go
    for fake in started:
        fake.stop()


def verdicts(result: CollectResult, policies, policy: str) -> dict[str, Status]:
    chosen = [p for p in policies if p.id == policy]
    return {f.resource.name: f.status for f in evaluate(chosen, Inventory(result.resources, result.sources))}


def tenant_of(result: CollectResult) -> dict[str, Any]:
    return next(dict(r.attributes) for r in result.resources if r.type == "azure.tenant")


def by_id(estate: Estate, upn: str) -> dict[str, Any]:
    return next(u for u in estate.users if u["userPrincipalName"] == upn)


# --- admin MFA honours Conditional Access exclusions -------------------------------------------


def _admin_in_exempt_group() -> Estate:
    """Northwind, plus a Global Administrator with no MFA registered, in a group the MFA policy excludes."""
    estate = northwind()
    ops = user(30, "ops-admin@northwind.dev", "Ops admin", mail="ops-admin@northwind.dev", last="2026-11-19T09:00:00Z")
    estate.users.append(ops)
    estate.registration.append(registration(ops, mfa=False, admin=True))
    estate.directory_role_assignments.append(directory_assignment(ops["id"], GLOBAL_ADMIN, 30))
    exempt = group(EXEMPT, "mfa-exempt-vpn-users")
    estate.groups.append(exempt)
    estate.group_members[EXEMPT] = [member(ops)]
    estate.ca_policies[0]["conditions"]["users"]["excludeGroups"] = [EXEMPT]
    return estate


def test_a_global_admin_in_an_excluded_group_without_mfa_fails_the_admin_mfa_check(collect, policies) -> None:
    result = collect(_admin_in_exempt_group())
    tenant = tenant_of(result)
    assert tenant["mfa_enforced_admins"] is True  # a policy exists and is on ...
    assert tenant["admins_outside_mfa_policy"] == [
        "breakglass2@northwind.onmicrosoft.com", "breakglass@northwind.onmicrosoft.com", "ops-admin@northwind.dev"]
    assert tenant["admins_outside_mfa_policy_without_mfa"] == ["ops-admin@northwind.dev"]
    assert verdicts(result, policies, "azure_tenant_mfa_admins") == {"Northwind Labs": Status.FAIL}


def test_admins_covered_by_a_role_policy_are_not_outside_it(collect, policies) -> None:
    """The same admin, excluded from the all-users policy but taken in by a policy on the
    Global Administrator role, is covered: the check passes."""
    estate = _admin_in_exempt_group()
    from tests.fakes.azure.tenant import ca_policy

    estate.ca_policies.append(ca_policy("1b2c3d4e-0003-4000-8000-000000000003", "MFA for Global Administrators", "enabled",
                                        roles=[GLOBAL_ADMIN], controls=["mfa"],
                                        exclude_users=[by_id(estate, "breakglass@northwind.onmicrosoft.com")["id"]]))
    result = collect(estate)
    assert tenant_of(result)["admins_outside_mfa_policy"] == ["breakglass@northwind.onmicrosoft.com"]
    assert verdicts(result, policies, "azure_tenant_mfa_admins") == {"Northwind Labs": Status.PASS}


def test_an_admin_holding_the_role_through_an_excluded_group_is_found(collect, policies) -> None:
    """A role-assignable group holds User Administrator and is itself excluded from MFA."""
    estate = northwind()
    helpdesk = user(31, "helpdesk@northwind.dev", "Helpdesk", mail="helpdesk@northwind.dev", last="2026-11-19T09:00:00Z")
    estate.users.append(helpdesk)
    role_group = group("d4000011-0000-4000-8000-000000000011", "role-user-admins")
    estate.groups.append(role_group)
    estate.group_members[role_group["id"]] = [member(helpdesk)]
    estate.directory_role_assignments.append(directory_assignment(role_group["id"], "fe930be7-5e62-47db-91af-98c3a49a38b1", 31))
    estate.ca_policies[0]["conditions"]["users"]["excludeGroups"] = [role_group["id"]]
    result = collect(estate)
    assert tenant_of(result)["admins_outside_mfa_policy_without_mfa"] == ["helpdesk@northwind.dev"]
    assert verdicts(result, policies, "azure_tenant_mfa_admins") == {"Northwind Labs": Status.FAIL}


# --- break-glass means excluded *and* able to do MFA ------------------------------------------


def test_an_excluded_global_admin_without_mfa_is_not_break_glass(collect, policies) -> None:
    estate = northwind()
    breakglass2 = by_id(estate, "breakglass2@northwind.onmicrosoft.com")
    estate.registration = [r for r in estate.registration if r["id"] != breakglass2["id"]] + [registration(breakglass2, mfa=False, admin=True)]
    result = collect(estate)
    tenant = tenant_of(result)
    assert tenant["mfa_excluded_account_count"] == 2  # within the allowance of two ...
    assert tenant["mfa_excluded_admins_without_mfa"] == ["breakglass2@northwind.onmicrosoft.com"]  # ... but one is a hole
    assert verdicts(result, policies, "azure_tenant_mfa_all_users") == {"Northwind Labs": Status.FAIL}
    assert verdicts(result, policies, "azure_tenant_mfa_admins") == {"Northwind Labs": Status.FAIL}


def test_break_glass_accounts_with_mfa_registered_still_pass(collect, policies) -> None:
    result = collect(northwind())
    assert tenant_of(result)["mfa_excluded_admins_without_mfa"] == []
    assert verdicts(result, policies, "azure_tenant_mfa_all_users") == {"Northwind Labs": Status.PASS}
    assert verdicts(result, policies, "azure_tenant_mfa_admins") == {"Northwind Labs": Status.PASS}


# --- guests with privileged roles below and above the subscription ---------------------------------


def test_guests_privileged_at_resource_group_or_management_group_scope_fail(collect, policies) -> None:
    estate = northwind()
    eve = by_id(estate, "eve_acme-outsourcing.io#EXT#@northwind.onmicrosoft.com")
    mg = "/providers/Microsoft.Management/managementGroups/northwind"
    rg_owner = role_assignment(NW_DEV, 40, eve["id"], "User", OWNER, f"/subscriptions/{NW_DEV}/resourceGroups/rg-acme")
    mg_contrib = role_assignment(NW_PROD, 41, eve["id"], "User", CONTRIBUTOR, mg)
    estate.role_assignments[NW_DEV].append(rg_owner)
    estate.role_assignments[NW_PROD].append(mg_contrib)
    result = collect(estate)
    assignments = {r.id: r for r in result.resources if r.type == "azure.role_assignment"}
    assert assignments[rg_owner["id"]].attributes["scope_level"] == "resource_group"
    assert assignments[mg_contrib["id"]].attributes["scope_level"] == "management_group"
    chosen = [p for p in policies if p.id == "azure_role_assignment_no_guest_privileged"]
    found = {f.resource.id: f.status for f in evaluate(chosen, Inventory(result.resources, result.sources))}
    assert found[rg_owner["id"]] is Status.FAIL
    assert found[mg_contrib["id"]] is Status.FAIL
    # A Reader (not privileged) is out of scope, a member's Owner passes.
    reader = next(r for r in assignments.values() if r.attributes["role_name"] == "Reader")
    assert found[reader.id] is Status.SKIPPED
    ana_owner = next(r for r in assignments.values() if r.attributes["principal_name"] == "ana@northwind.dev" and r.attributes["role_name"] == "Owner")
    assert found[ana_owner.id] is Status.PASS


# --- User Access Administrator and RBAC Administrator are checked ---------------------------------


def test_access_administrators_are_counted_and_standing_ones_fail(collect, policies) -> None:
    result = collect(northwind())
    subs = {r.name: dict(r.attributes) for r in result.resources if r.type == "azure.subscription"}
    assert subs["nw-prod"]["user_access_admins"] == ["dmitri@northwind.dev", "github-deployer"]
    assert subs["nw-prod"]["rbac_admins"] == ["ana@northwind.dev"]  # PIM-eligible counts
    assert subs["nw-prod"]["access_admin_count"] == 3
    assert subs["nw-dev"]["access_admin_count"] == 0
    assert verdicts(result, policies, "azure_subscription_max_access_admins") == {"nw-prod": Status.FAIL, "nw-dev": Status.PASS}
    standing = verdicts(result, policies, "azure_role_assignment_no_permanent_access_admin")
    assert standing["User Access Administrator for dmitri@northwind.dev"] is Status.FAIL
    assert standing["Role Based Access Control Administrator for ana@northwind.dev"] is Status.PASS
    assert standing["User Access Administrator for github-deployer"] is Status.SKIPPED  # an app: no PIM for it


def test_rbac_administrator_is_privileged_from_the_one_definition() -> None:
    assert roles.ARM_PRIVILEGED_ROLES == frozenset(azure_types.PRIVILEGED_ROLES)
    assert RBAC_ADMIN in azure_types.PRIVILEGED_ROLES and roles.READER not in azure_types.PRIVILEGED_ROLES
    assert azure_types.is_privileged_role_name("Role Based Access Control Administrator")
    assert azure_types.is_privileged_role_name("contributor") and not azure_types.is_privileged_role_name("Reader")


def test_an_mfa_policy_on_one_unrelated_app_does_not_cover_admins(collect, policies) -> None:
    """The only MFA policy covers a single SaaS app: admins sign in to the portals without MFA."""
    estate = northwind()
    estate.ca_policies[0]["conditions"]["applications"]["includeApplications"] = ["00000003-0000-0ff1-ce00-000000000000"]  # SharePoint Online
    result = collect(estate)
    outside = tenant_of(result)["admins_outside_mfa_policy"]
    assert "ana@northwind.dev" in outside and "lab-admin@northwind.onmicrosoft.com" in outside
    # Farid is only PIM-eligible for Global Administrator: he counts too.
    assert tenant_of(result)["admins_outside_mfa_policy_without_mfa"] == ["farid@northwind.dev", "lab-admin@northwind.onmicrosoft.com"]
    assert verdicts(result, policies, "azure_tenant_mfa_admins") == {"Northwind Labs": Status.FAIL}
