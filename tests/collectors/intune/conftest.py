"""Fixtures for the Intune collector tests: a trustme CA, the fake Graph (the Azure fake, which
serves deviceManagement too) and a runner for the collector against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import trustme

from scanner.collectors.base import CollectContext, CollectResult
from scanner.collectors.intune.platform import PLATFORM
from tests.fakes.azure.client import NOW
from tests.fakes.azure.make_intune_demo import settings_for
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import Estate, northwind


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_path(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("intune-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def serve(ca: trustme.CA, ca_path: str) -> Iterator[Callable[..., tuple[FakeAzure, Callable[..., CollectResult]]]]:
    """Start the fake on an estate (Northwind by default); returns it and a runner that goes
    through the platform descriptor, as the pipeline does."""
    started: list[FakeAzure] = []

    def start(estate: Estate | None = None) -> tuple[FakeAzure, Callable[..., CollectResult]]:
        fake = FakeAzure(estate or northwind()).start(ca.issue_cert("127.0.0.1"), ca_path)
        started.append(fake)

        def run(**extra: Any) -> CollectResult:
            return PLATFORM.make_collector(settings_for(fake, **extra), CollectContext(concurrency=2, clock=lambda: NOW)).collect()

        return fake, run

    yield start
    for fake in started:
        fake.stop()
