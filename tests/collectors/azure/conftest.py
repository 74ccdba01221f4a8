"""Fixtures for the Azure collector tests: a trustme CA, the fake ARM + Graph server, a
static-token credential, and a helper that runs the collector against the fake."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import trustme

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import northwind

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


class StaticToken:
    """azure-core AccessToken shape."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.expires_on = int(time.time()) + 3600


class StaticTokenCredential:
    """A TokenCredential that always returns the same token, and records what it was asked."""

    def __init__(self, token: str) -> None:
        self._token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> StaticToken:
        self.scopes.append(scopes)
        return StaticToken(self._token)


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


def settings_for(fake: FakeAzure, **extra: Any) -> dict[str, Any]:
    return {
        "tenant": None,
        "subscriptions": [],
        "cloud": "public",
        "arm_url": fake.url,
        "graph_url": fake.url,
        "ca_bundle": fake.ca_path,
        "credential": StaticTokenCredential(fake.token),
        "retry_backoff": 0.01,
        "max_retries": 2,
        **extra,
    }


@pytest.fixture
def run(fake: FakeAzure) -> Callable[..., CollectResult]:
    """Run the registered azure collector against the fake, as the CLI would."""

    def go(concurrency: int = 4, **extra: Any) -> CollectResult:
        collector = load_collector("azure")(settings_for(fake, **extra), CollectContext(concurrency=concurrency, clock=lambda: NOW))
        return collector.collect()

    return go
