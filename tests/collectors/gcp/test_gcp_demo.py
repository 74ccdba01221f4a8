"""The shipped GCP demo inventory is what the collector produces on the fake organizations."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.gcp import make_demo

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_demo_matches_the_generator() -> None:
    assert json.loads(make_demo.DEMO.read_text("utf-8")) == make_demo.build(), (
        "scanner/demo/gcp.json is stale: run python -m tests.fakes.gcp.make_demo"
    )


def test_every_gcp_policy_passes_and_fails_in_the_gcp_demo() -> None:
    inventory = Inventory.from_json(json.loads(make_demo.DEMO.read_text("utf-8")))
    policies = load_policies([ROOT / "policies" / "gcp"])
    seen: dict[str, set[str]] = defaultdict(set)
    for finding in evaluate(policies, inventory):
        seen[finding.policy].add(finding.status.value)
    assert len(policies) >= 20
    assert {p.id for p in policies if not {"PASS", "FAIL"} <= seen[p.id]} == set()
    assert {p.id for p in policies if "ERROR" in seen[p.id]} == set()
    paths = {r.attributes["read_path"] for r in inventory.resources if r.type == "gcp.organization"}
    assert paths == {"cloud_asset", "resource_manager"}, "the demo shows both read paths"
