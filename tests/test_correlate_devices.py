"""People x devices (issue 14): Intune devices linked to roster people by their owner, counted per
person without ever counting as accounts, and the three device policies on synthetic data and in
the demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from scanner.correlate import correlate
from scanner.demo import load_demo
from scanner.findings import Status
from scanner.inventory.model import Resource, SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.people import people_rows, sheet_platforms
from scanner.pipeline import correlate_inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.people.accounts import entra_user, github_member, resource, role_assignment, roster_entry

TODAY = date(2026, 11, 20)
ROSTER = SourceStatus(name="roster", platform="roster", status="ok")
INTUNE = SourceStatus(name="intune:t", platform="intune", status="ok")
POLICIES = Path(__file__).resolve().parents[1] / "policies" / "people" / "devices.yaml"
DEVICE_POLICIES = ("people_leaver_devices_retired", "people_production_access_has_compliant_device",
                   "people_external_device_enrolled_before_production_access")


def device(n: int, owner: str | None, *, compliant: Any = True, management: str = "managed",
           enrolled: str = "2025-03-01T09:00:00Z") -> Resource:
    retired = management != "managed"
    return resource("intune.device", f"intune:t/device/d{n}", f"DEV-{n}", "t", {
        "device_id": f"d{n}", "device_name": f"DEV-{n}", "operating_system": "macOS", "platform": "macos",
        "compliance_state": "compliant" if compliant is True else "noncompliant", "is_compliant": compliant,
        "is_encrypted": True, "management_state": management, "retired_or_wiped": retired, "active": not retired,
        "enrolled_at": enrolled, "owner_type": "company", "management_agent": "mdm",
        "user_principal_name": owner, "email": owner, "handles": [owner] if owner else [],
        "jailbroken": False, "owner_account_enabled": True,
    })


def repository(name: str, *, production: bool) -> Resource:
    return resource("github.repository", f"github:acme/{name}", f"acme/{name}", "acme", {
        "full_name": f"acme/{name}", "production_environments": ["production"] if production else []})


def people(*resources: Resource, sources: tuple[SourceStatus, ...] = (ROSTER, INTUNE)) -> dict[str, dict[str, Any]]:
    inventory = correlate(Inventory(resources, sources, "2026-11-20T09:00:00Z"), TODAY)
    for r in inventory.resources:
        assert not problems_with(r, RESOURCE_TYPES[r.type]), problems_with(r, RESOURCE_TYPES[r.type])
    return {p.name: dict(p.attributes) for p in inventory.of_type("roster.person")}


def verdicts(inventory: Inventory, policy: str) -> dict[str, Status]:
    [chosen] = [p for p in load_policies([POLICIES]) if p.id == policy]
    return {f.resource.name: f.status for f in evaluate([chosen], inventory)}


ANA = roster_entry("Ana Silva", "ana@acme.dev", entra_upn=["ana.s@acme.onmicrosoft.com"], github=["ana-silva"],
                   start_date="2024-01-02")
CARLA = roster_entry("Carla Mendes", "carla@lisbondevs.pt", employment_type="contractor", partner="Lisbon Devs",
                     start_date="2025-09-01", github=["carla-m"], line=3)


def test_a_device_links_by_upn_handle_or_email_and_never_counts_as_an_account() -> None:
    by_upn = device(1, "ana.s@acme.onmicrosoft.com")
    by_email = device(2, "carla@lisbondevs.pt", compliant=False)
    nobody = device(3, "shared@acme.dev")
    admin = github_member("ana-silva", is_admin=True, mfa_enabled=True)
    found = people(ANA, CARLA, admin, by_upn, by_email, nobody)
    ana, carla = found["Ana Silva"], found["Carla Mendes"]
    assert ana["devices"] == [by_upn.id] and ana["device_names"] == ["intune:DEV-1"]
    assert carla["devices"] == [by_email.id]
    # Devices are not accounts: no MFA, admin or activity comes from them.
    assert ana["accounts"] == [admin.id] and ana["active_accounts"] == 1 and ana["platforms"] == ["github"]
    assert carla["accounts"] == [] and carla["active_accounts"] == 0 and carla["mfa_everywhere"] is True
    assert (ana["compliant_devices"], carla["compliant_devices"]) == (1, 0)


def test_the_people_sheet_has_no_device_column_and_no_unlinked_device_row() -> None:
    inventory = Inventory((ANA, device(1, "ana.s@acme.onmicrosoft.com"), device(3, "shared@acme.dev")),
                          (ROSTER, INTUNE), "2026-11-20T09:00:00Z")
    assert "intune" not in [name for name, _ in sheet_platforms()]
    rows = people_rows(inventory, TODAY)
    assert [row.name for row in rows] == ["Ana Silva"]  # the shared device is no "(unlinked)" account


@pytest.mark.parametrize("sources, reason", [
    ((ROSTER,), "no device source (intune) was scanned"),
    ((ROSTER, SourceStatus(name="intune:t", platform="intune", status="failed")), "could not be read"),
])
def test_without_a_device_source_the_counts_are_unknown_and_the_check_errors(
    sources: tuple[SourceStatus, ...], reason: str
) -> None:
    admin = github_member("ana-silva", is_admin=True)
    found = people(ANA, admin, sources=sources)
    value = found["Ana Silva"]["compliant_devices"]
    assert isinstance(value, Unknown) and reason in value.reason
    inventory = correlate(Inventory((ANA, admin), sources, "2026-11-20T09:00:00Z"), TODAY)
    assert verdicts(inventory, "people_production_access_has_compliant_device") == {"Ana Silva": Status.ERROR}


def test_an_unknown_compliance_state_is_not_counted_as_compliant() -> None:
    found = people(ANA, github_member("ana-silva", is_admin=True),
                   device(1, "ana.s@acme.onmicrosoft.com", compliant=Unknown("Intune reports unknown")))
    assert isinstance(found["Ana Silva"]["compliant_devices"], Unknown)


@pytest.mark.parametrize("access, expected", [
    (lambda: [github_member("carla-m", admin_repositories=["acme/mobile"], write_repositories=["acme/mobile"])], True),
    (lambda: [github_member("carla-m", write_repositories=["acme/api"])], True),  # a production repository
    (lambda: [github_member("carla-m", write_repositories=["acme/docs"])], False),
    (lambda: [entra_user("carla@lisbondevs.pt", "oid-carla"),
              role_assignment("ra-1", "oid-carla", "Contributor", write_role=True, environments=["production"])], True),
    (lambda: [entra_user("carla@lisbondevs.pt", "oid-carla"),
              role_assignment("ra-1", "oid-carla", "Reader", privileged=False, write_role=False,
                              environments=["production"])], False),
])
def test_production_access(access: Any, expected: bool) -> None:
    found = people(CARLA, repository("api", production=True), repository("docs", production=False), *access())
    assert found["Carla Mendes"]["production_access"] is expected


@pytest.mark.parametrize("enrolled, granted, before", [
    ("2025-08-25T10:00:00Z", None, True),  # GitHub access: dated by the roster start (2025-09-01)
    ("2025-09-01T16:00:00Z", None, True),  # the same day counts
    ("2025-09-02T08:00:00Z", None, False),
    ("2025-10-01T08:00:00Z", "2025-10-02T09:00:00Z", True),  # an Azure grant dates the access
    ("2025-10-03T08:00:00Z", "2025-10-02T09:00:00Z", False),
])
def test_a_contractors_device_enrolled_before_production_access(enrolled: str, granted: str | None, before: bool) -> None:
    access: list[Resource] = [github_member("carla-m", admin_repositories=["acme/mobile"], write_repositories=["acme/mobile"])]
    if granted:
        access = [entra_user("carla@lisbondevs.pt", "oid-carla"),
                  role_assignment("ra-1", "oid-carla", "Owner", write_role=True, environments=["production"], created_at=granted)]
    inventory = correlate(Inventory((CARLA, *access, device(1, "carla@lisbondevs.pt", enrolled=enrolled)),
                                    (ROSTER, INTUNE), "2026-11-20T09:00:00Z"), TODAY)
    [carla] = inventory.of_type("roster.person")
    assert carla.attributes["production_access_granted_at"] == (granted or "2025-09-01")
    assert carla.attributes["device_enrolled_before_production_access"] is before
    expected = Status.PASS if before else Status.FAIL
    assert verdicts(inventory, "people_external_device_enrolled_before_production_access") == {"Carla Mendes": expected}


def test_a_contractor_without_any_device_fails_and_an_employee_is_not_checked() -> None:
    inventory = correlate(Inventory((CARLA, ANA, github_member("carla-m", admin_repositories=["acme/m"]),
                                     github_member("ana-silva", is_admin=True)), (ROSTER, INTUNE),
                                    "2026-11-20T09:00:00Z"), TODAY)
    assert verdicts(inventory, "people_external_device_enrolled_before_production_access") == {
        "Carla Mendes": Status.FAIL, "Ana Silva": Status.SKIPPED}


def test_a_leavers_device_is_retired_or_wiped() -> None:
    leaver = roster_entry("Dmitri Volkov", "dmitri@acme.dev", status="left", end_date="2026-11-10", line=4)
    kept, retired = device(1, "dmitri@acme.dev"), device(2, "dmitri@acme.dev", management="retireIssued")
    staying = device(3, "ana@acme.dev")
    inventory = correlate(Inventory((leaver, ANA, kept, retired, staying), (ROSTER, INTUNE),
                                    "2026-11-20T09:00:00Z"), TODAY)
    assert by_name(inventory)["DEV-1"]["days_since_exit"] == 10
    assert verdicts(inventory, "people_leaver_devices_retired") == {
        "DEV-1": Status.FAIL, "DEV-2": Status.PASS, "DEV-3": Status.PASS}


def test_an_unreadable_roster_makes_the_leaver_device_check_error() -> None:
    failed = SourceStatus(name="roster", platform="roster", status="failed")
    inventory = correlate(Inventory((device(1, "dmitri@acme.dev"),), (failed, INTUNE), "2026-11-20T09:00:00Z"), TODAY)
    assert verdicts(inventory, "people_leaver_devices_retired") == {"DEV-1": Status.ERROR}


def by_name(inventory: Inventory) -> dict[str, dict[str, Any]]:
    return {r.name: dict(r.attributes) for r in inventory.resources}


@pytest.fixture(scope="module")
def demo() -> Inventory:
    return correlate_inventory(load_demo())


def test_the_demo_shows_each_device_policy_pass_and_fail(demo: Inventory) -> None:
    leaver = verdicts(demo, "people_leaver_devices_retired")
    assert (leaver["Tomas's iPhone"], leaver["NW-LT-TOMAS"], leaver["Dmitri's iPhone"]) == (Status.FAIL, Status.PASS, Status.FAIL)
    compliant = verdicts(demo, "people_production_access_has_compliant_device")
    assert (compliant["Ana Silva"], compliant["Farid Haddad"], compliant["Carla Mendes"]) == (Status.PASS, Status.FAIL, Status.FAIL)
    onboarding = verdicts(demo, "people_external_device_enrolled_before_production_access")
    assert (onboarding["Eve Okafor"], onboarding["Carla Mendes"]) == (Status.PASS, Status.FAIL)
    assert onboarding["Ana Silva"] is Status.SKIPPED  # an employee
