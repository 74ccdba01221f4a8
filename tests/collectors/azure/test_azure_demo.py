"""The shipped Azure demo inventory is what the collector produces on the fake estate."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.azure import make_demo

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_demo_matches_the_generator() -> None:
    assert json.loads(make_demo.DEMO.read_text("utf-8")) == make_demo.build(), (
        "scanner/demo/azure.json is stale: run python -m tests.fakes.azure.make_demo"
    )


def test_every_azure_policy_passes_and_fails_in_the_azure_demo() -> None:
    inventory = Inventory.from_json(json.loads(make_demo.DEMO.read_text("utf-8")))
    policies = load_policies([ROOT / "policies" / "azure"])
    seen: dict[str, set[str]] = defaultdict(set)
    for finding in evaluate(policies, inventory):
        seen[finding.policy].add(finding.status.value)
    assert {p.id for p in policies if not {"PASS", "FAIL"} <= seen[p.id]} == set()
    assert {s["name"] for s in make_demo.build()["sources"]} >= {
        "azure:tenant:7f0c9a8e-1b2d-4c3e-9f40-5a6b7c8d9e01",
        "azure:subscription:11111111-2222-3333-4444-555555555555",
        "azure:subscription:66666666-7777-8888-9999-000000000000",
    }
