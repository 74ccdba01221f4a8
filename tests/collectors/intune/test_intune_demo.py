"""The shipped Intune demo inventory is what the collector produces on the fake tenants, and
every Intune policy both PASSes and FAILs in it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.azure import make_intune_demo

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_demo_matches_the_generator() -> None:
    assert json.loads(make_intune_demo.DEMO.read_text("utf-8")) == make_intune_demo.build(), (
        "scanner/demo/intune.json is stale: run python -m tests.fakes.azure.make_intune_demo"
    )


def test_every_intune_policy_passes_and_fails_in_the_demo() -> None:
    inventory = Inventory.from_json(json.loads(make_intune_demo.DEMO.read_text("utf-8")))
    policies = load_policies([ROOT / "policies" / "intune"])
    seen: dict[str, set[str]] = defaultdict(set)
    for finding in evaluate(policies, inventory):
        seen[finding.policy].add(finding.status.value)
    assert policies and {p.id for p in policies if not {"PASS", "FAIL"} <= seen[p.id]} == set()
