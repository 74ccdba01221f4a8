"""Fixtures for the Azure collector tests: a trustme CA, the fake ARM + Graph server, a
static-token credential, and a helper that runs the collector against the fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import trustme

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult
from tests.fakes.azure.client import NOW, settings_for
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import northwind


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_path(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("azure-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def fake(ca: trustme.CA, ca_path: str) -> Iterator[FakeAzure]:
    server = FakeAzure(northwind()).start(ca.issue_cert("127.0.0.1"), ca_path)
    yield server
    server.stop()


@pytest.fixture
def run(fake: FakeAzure) -> Callable[..., CollectResult]:
    """Run the registered azure collector against the fake, as the CLI would."""

    def go(concurrency: int = 4, **extra: Any) -> CollectResult:
        collector = load_collector("azure")(settings_for(fake, **extra), CollectContext(concurrency=concurrency, clock=lambda: NOW))
        return collector.collect()

    return go
