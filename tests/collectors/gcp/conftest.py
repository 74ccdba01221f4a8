"""Fixtures for the GCP collector tests: the fake Google APIs serving Northwind's organization,
and a helper that runs the collector against it with a static access token. Every test ends by
checking the fake saw no mutating request and served nothing its discovery schema forbids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scanner.collectors.base import CollectContext, CollectResult
from scanner.collectors.gcp.collector import GcpCollector
from tests.fakes.gcp.client import NOW, settings_for
from tests.fakes.gcp.org import northwind
from tests.fakes.gcp.server import FakeGcp


@pytest.fixture
def fake() -> Iterator[FakeGcp]:
    server = FakeGcp(northwind()).start()
    yield server
    server.stop()
    assert server.mutations == [], server.mutations
    assert server.schema_problems == [], server.schema_problems[:5]


@pytest.fixture
def run(fake: FakeGcp) -> Callable[..., CollectResult]:
    def go(concurrency: int = 4, **extra: Any) -> CollectResult:
        collector = GcpCollector(settings_for(fake, **extra), CollectContext(concurrency=concurrency, clock=lambda: NOW))
        return collector.collect()

    return go
