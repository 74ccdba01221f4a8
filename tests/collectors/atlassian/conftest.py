"""Fixtures for the Atlassian collector tests: the fake Organizations API and sites serving
Northwind's organization, and a helper that runs the collector against it with the secrets in
its environment. Every test ends by checking the fake saw no mutating request and served
nothing its OpenAPI description forbids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scanner.collectors.atlassian.collector import AtlassianCollector
from scanner.collectors.base import CollectContext, CollectResult
from tests.fakes.atlassian.client import NOW, environ_for, settings_for
from tests.fakes.atlassian.org import northwind
from tests.fakes.atlassian.server import FakeAtlassian


@pytest.fixture
def fake() -> Iterator[FakeAtlassian]:
    server = FakeAtlassian(northwind()).start()
    yield server
    server.stop()
    assert server.mutations == [], server.mutations
    assert server.schema_problems == [], server.schema_problems[:5]
    assert {r.method for r in server.requests} <= {"GET"}


@pytest.fixture
def run(fake: FakeAtlassian) -> Callable[..., CollectResult]:
    def go(environ: dict[str, str] | None = None, **extra: Any) -> CollectResult:
        env = environ_for(fake) if environ is None else environ
        collector = AtlassianCollector(settings_for(fake, **extra), CollectContext(clock=lambda: NOW, environ=env))
        return collector.collect()

    return go
