"""The shipped Atlassian demo inventory is what the collector produces on the fake organizations."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.atlassian import make_demo

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_demo_matches_the_generator() -> None:
    assert json.loads(make_demo.DEMO.read_text("utf-8")) == make_demo.build(), (
        "scanner/demo/atlassian.json is stale: run python -m tests.fakes.atlassian.make_demo"
    )


def test_every_atlassian_policy_passes_and_fails_in_the_demo() -> None:
    inventory = Inventory.from_json(json.loads(make_demo.DEMO.read_text("utf-8")))
    policies = load_policies([ROOT / "policies" / "atlassian"])
    seen: dict[str, set[str]] = defaultdict(set)
    for finding in evaluate(policies, inventory):
        seen[finding.policy].add(finding.status.value)
    assert len(policies) == 7
    assert {p.id for p in policies if not {"PASS", "FAIL"} <= seen[p.id]} == set()
    assert {p.id for p in policies if "ERROR" in seen[p.id]} == set()
