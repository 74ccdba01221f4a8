"""Fixtures for the GitHub collector tests: a running fake GitHub and a one-call collector run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult, Progress
from tests.collectors.github.helpers import NOW
from tests.fakes.github import OWNER_TOKEN, FakeGitHub


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
