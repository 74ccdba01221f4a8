"""`posture paths`: the code-to-cloud paths, filtered by person and role."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.demo import load_demo
from scanner.inventory.snapshot import save


def test_paths_from_a_contractor_in_the_demo(posture) -> None:
    result = posture("paths", "--demo", "--from", "carla@lisbondevs.pt")
    assert result.code == 0, result.err
    assert "carla-m -> northwind-labs/mobile-app -> gha-mobile-release  [UNGATED]" in result.out
    assert "-> person Carla Mendes (contractor)" in result.out
    assert "an admin can bypass the required review" in result.out
    assert "bochen" not in result.out


def test_paths_to_a_role_as_json(posture) -> None:
    result = posture("paths", "--demo", "--to", "gha-platform-admin", "--json")
    assert result.code == 0
    document = json.loads(result.out)
    assert document and {p["attributes"]["target_name"] for p in document} == {"gha-platform-admin"}
    assert all(p["attributes"]["gated"] is True for p in document)


def test_paths_from_a_snapshot_file(posture, tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.json"
    save(load_demo(), snapshot)
    result = posture("paths", snapshot, "--from", "nobody")
    assert result.code == 0 and result.out.strip() == "no paths from nobody"


def test_paths_needs_an_inventory(posture) -> None:
    result = posture("paths")
    assert result.code == 2 and "snapshot files" in result.err
