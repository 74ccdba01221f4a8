"""One definition of a privileged Azure role (issue 11 §2): people correlation, when a role
assignment carries no privilege flag, uses scanner.inventory.types.azure's list, the same the
collector uses, so a person's admin summary and the Azure policies agree."""

from __future__ import annotations

from datetime import date

import pytest

from scanner.correlate import correlate
from scanner.inventory.model import SourceStatus
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types.azure import PRIVILEGED_ROLES, is_privileged_role_name
from tests.fakes.people.accounts import entra_user, role_assignment, roster_entry, subscription

ROSTER = SourceStatus(name="roster", platform="roster", status="ok")


def _admin_accounts(role_name: str) -> list[str]:
    assignment = role_assignment("ra-1", "oid-ana", role_name)
    # No flag: correlation must decide from the role's name.
    attributes = {k: v for k, v in assignment.attributes.items() if k not in ("privileged", "is_privileged", "is_admin")}
    resources = (roster_entry("Ana Silva", "ana@acme.dev", entra_upn=["ana@acme.dev"]),
                 entra_user("ana@acme.dev", "oid-ana", is_admin=False), subscription("sub-1", "acme-prod"),
                 type(assignment)(assignment.type, assignment.id, assignment.name, assignment.scope, attributes))
    inventory = correlate(Inventory(resources, (ROSTER,), "2026-11-20T09:00:00Z"), date(2026, 11, 20))
    [person] = inventory.of_type("roster.person")
    return list(person.attributes["admin_accounts"])


@pytest.mark.parametrize("role_name", sorted(PRIVILEGED_ROLES.values()))
def test_every_privileged_role_counts_as_admin_in_the_person_summary(role_name: str) -> None:
    assert is_privileged_role_name(role_name.upper())
    assert len(_admin_accounts(role_name)) == 1, role_name


@pytest.mark.parametrize("role_name", ["Reader", "Monitoring Reader", "Security Reader"])
def test_read_roles_do_not(role_name: str) -> None:
    assert not is_privileged_role_name(role_name)
    assert _admin_accounts(role_name) == []
