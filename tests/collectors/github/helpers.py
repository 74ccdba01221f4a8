"""Helpers shared by the GitHub collector tests (imported explicitly; fixtures live in conftest)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from scanner.collectors.base import CollectResult, Progress
from scanner.inventory.model import Resource
from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
POLICIES = Path(__file__).resolve().parents[3] / "policies" / "github"


class RecordingProgress(Progress):
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.advanced = 0

    def log(self, source: str, message: str) -> None:
        self.messages.append(f"{source}: {message}")

    def advance(self, source: str, amount: int = 1) -> None:
        self.advanced += amount


def by_id(result: CollectResult) -> dict[str, Resource]:
    return {r.id: r for r in result.resources}


def statuses(result: CollectResult) -> dict[tuple[str, str], str]:
    """(policy id, resource name) -> PASS/FAIL/ERROR/SKIPPED with the shipped GitHub policies."""
    policies = load_policies([POLICIES])
    inventory = Inventory(result.resources, result.sources)
    return {(f.policy, f.resource.name): f.status.value for f in evaluate(policies, inventory)}
