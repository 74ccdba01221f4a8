"""The fake's Intune bodies follow the Graph v1.0 CSDL (trimmed: tests/fakes/azure/spec/intune.json):
every property declared on the type (base types included), non-nullable ones present and not
null, EDM types and enum members respected, nothing undeclared."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.azure.tenant import Estate, northwind, sandbox

SPEC = json.loads((Path(__file__).resolve().parents[2] / "fakes" / "azure" / "spec" / "intune.json").read_text())
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def properties(type_name: str) -> dict[str, dict[str, Any]]:
    schema = SPEC["schemas"][type_name]
    inherited = properties(schema["baseType"]) if schema.get("baseType") else {}
    return {**inherited, **schema.get("properties", {})}


def problems(body: dict[str, Any], type_name: str) -> list[str]:
    found = []
    declared = properties(type_name)
    for name, prop in declared.items():
        if name not in body:
            found.append(f"{type_name}: missing {name}")
            continue
        value, kind = body[name], prop["type"]
        if value is None:
            if not prop.get("nullable"):
                found.append(f"{type_name}.{name}: null but not nullable")
            continue
        if kind.startswith("Collection("):
            ok = isinstance(value, list)
        elif kind == "Edm.String":
            ok = isinstance(value, str)
        elif kind == "Edm.Boolean":
            ok = isinstance(value, bool)
        elif kind in ("Edm.Int32", "Edm.Int64"):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "Edm.DateTimeOffset":
            ok = isinstance(value, str) and bool(_DATE.match(value))
        elif kind in SPEC["enums"]:
            ok = value in SPEC["enums"][kind]
        else:
            ok = isinstance(value, dict)
        if not ok:
            found.append(f"{type_name}.{name}: {value!r} is not a {kind}")
    found += [f"{type_name}: undeclared {name}" for name in body if name not in declared and not name.startswith("@odata.")]
    return found


@pytest.mark.parametrize("estate", [northwind(), sandbox()], ids=["northwind", "sandbox"])
def test_managed_devices_follow_the_csdl(estate: Estate) -> None:
    assert [p for d in estate.managed_devices for p in problems(d, "microsoft.graph.managedDevice")] == []


@pytest.mark.parametrize("estate", [northwind(), sandbox()], ids=["northwind", "sandbox"])
def test_compliance_policies_follow_the_csdl(estate: Estate) -> None:
    found = []
    for policy in estate.compliance_policies:
        kind = "microsoft.graph." + policy["@odata.type"].rsplit(".", 1)[-1]
        body = {k: v for k, v in policy.items() if k != "assignments"}  # a navigation property, served under $expand
        found += problems(body, kind)
        found += [p for a in policy["assignments"] for p in problems(a, "microsoft.graph.deviceCompliancePolicyAssignment")]
    assert found == []


def test_the_checker_catches_a_wrong_body() -> None:
    device = dict(northwind().managed_devices[0], complianceState="green", isEncrypted="yes", extra=1)
    del device["lastSyncDateTime"]
    assert sorted(problems(device, "microsoft.graph.managedDevice")) == [
        "microsoft.graph.managedDevice.complianceState: 'green' is not a microsoft.graph.complianceState",
        "microsoft.graph.managedDevice.isEncrypted: 'yes' is not a Edm.Boolean",
        "microsoft.graph.managedDevice: missing lastSyncDateTime",
        "microsoft.graph.managedDevice: undeclared extra",
    ]
