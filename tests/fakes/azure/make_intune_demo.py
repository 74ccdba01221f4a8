"""Regenerate ``scanner/demo/intune.json``: the real Intune collector run against the fake Graph,
once for Northwind's main tenant and once for its sandbox tenant, merged.

    python -m tests.fakes.azure.make_intune_demo

``tests/collectors/intune/test_intune_demo.py`` checks the committed file still matches.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import trustme

from scanner.collectors.base import CollectContext
from scanner.collectors.intune.collector import IntuneCollector
from scanner.inventory.snapshot import Inventory
from tests.fakes.azure.client import NOW, StaticTokenCredential
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import northwind, sandbox

DEMO = Path(__file__).resolve().parents[3] / "scanner" / "demo" / "intune.json"


def settings_for(fake: FakeAzure, **extra: Any) -> dict[str, Any]:
    return {
        "graph_url": fake.url, "ca_bundle": fake.ca_path, "credential": StaticTokenCredential(fake.token),
        "retry_backoff": 0.01, "max_retries": 2, **extra,
    }


def build() -> dict[str, Any]:
    ca = trustme.CA()
    resources, sources = [], []
    with tempfile.TemporaryDirectory() as tmp:
        ca_path = str(Path(tmp) / "ca.pem")
        ca.cert_pem.write_to_path(ca_path)
        for estate in (northwind(), sandbox()):
            fake = FakeAzure(estate).start(ca.issue_cert("127.0.0.1"), ca_path)
            try:
                result = IntuneCollector(settings_for(fake), CollectContext(clock=lambda: NOW)).collect()
            finally:
                fake.stop()
            resources.extend(result.resources)
            sources.extend(result.sources)
    inventory = Inventory(tuple(resources), tuple(sources), collected_at="2026-11-20T09:00:00Z", tool_version="demo")
    return inventory.to_json()


def render() -> str:
    return json.dumps(build(), indent=1) + "\n"


if __name__ == "__main__":
    DEMO.write_text(render(), encoding="utf-8")
    print(f"wrote {DEMO}")
