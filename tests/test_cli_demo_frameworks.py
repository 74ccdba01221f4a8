"""`posture frameworks list`, the demo's own label and history, GitHub sources named like the others."""

from __future__ import annotations

import json
from pathlib import Path


def test_frameworks_list_names_every_framework_report_takes(posture) -> None:  # type: ignore[no-untyped-def]
    result = posture("frameworks", "list", "--json")
    assert result.code == 0
    rows = {row["name"]: row for row in json.loads(result.out)}
    assert {"guide", "cis-github", "cis-aws", "cis-azure", "cis-gcp"} <= set(rows)
    assert all(row["policies"] > 0 for row in rows.values())
    for name in rows:  # each one is a framework `report` accepts
        assert posture("report", "--demo", "--framework", name, "--json").code == 0


def test_the_demo_says_so_and_stays_out_of_the_real_history(posture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = posture("scan", "--demo")
    assert "demo data" in result.err
    assert posture("history", "--json").out.strip() == "[]"  # nothing recorded in the default store
    store = tmp_path / "demo-history.sqlite"
    posture("scan", "--demo", "-q", "--history", str(store))  # an explicit store is the user's choice
    assert len(json.loads(posture("history", "--history", str(store), "--json").out)) == 1


def test_github_sources_are_named_like_the_others(posture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "f.json"
    posture("scan", "--demo", "-q", "--format", f"json:{out}")
    names = [s["name"] for s in json.loads(out.read_text())["run"]["sources"]]
    assert names and all(":" in name for name in names), names
    assert "github:northwind-labs" in names
