"""Fixtures for the GitHub collector tests: a running fake GitHub and a one-call collector run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult, Progress
from scanner.inventory.model import Resource
from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.github import OWNER_TOKEN, FakeGitHub

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


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    """The default world (northwind-labs + northwind-oss), every REST answer checked against OpenAPI."""
    with FakeGitHub(validate=True) as server:
        yield server


Runner = Callable[..., CollectResult]


@pytest.fixture
def run_collector() -> Runner:
    """``run(fake, orgs=[...], token=..., **settings)``: the registered collector, as the CLI calls it."""

    def run(
        server: FakeGitHub,
        orgs: list[str] | None = None,
        token: str | None = OWNER_TOKEN,
        *,
        progress: Progress | None = None,
        cache_dir: Path | None = None,
        concurrency: int = 4,
        **settings: Any,
    ) -> CollectResult:
        environ = {"GITHUB_TOKEN": token} if token else {}
        context = CollectContext(
            concurrency=concurrency,
            progress=progress or Progress(),
            clock=lambda: NOW,
            cache_dir=cache_dir,
            environ=environ,
        )
        config = {"orgs": orgs or ["northwind-labs"], "url": server.url, **settings}
        return load_collector("github")(config, context).collect()

    return run


def by_id(result: CollectResult) -> dict[str, Resource]:
    return {r.id: r for r in result.resources}


def statuses(result: CollectResult) -> dict[tuple[str, str], str]:
    """(policy id, resource name) -> PASS/FAIL/ERROR/SKIPPED with the shipped GitHub policies."""
    policies = load_policies([POLICIES])
    inventory = Inventory(result.resources, result.sources)
    return {(f.policy, f.resource.name): f.status.value for f in evaluate(policies, inventory)}
