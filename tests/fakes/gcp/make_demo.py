"""Regenerate ``scanner/demo/gcp.json``: the real collector run against the fake, once for
Northwind's organization (Cloud Asset path) and once for Tidewater's (Cloud Asset not granted:
the Resource Manager path), merged.

    python -m tests.fakes.gcp.make_demo

``tests/collectors/gcp/test_gcp_demo.py`` checks the committed file still matches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.collectors.base import CollectContext
from scanner.collectors.gcp.collector import GcpCollector
from scanner.inventory.snapshot import Inventory
from tests.fakes.gcp.client import NOW, settings_for
from tests.fakes.gcp.org import northwind, tidewater
from tests.fakes.gcp.server import FakeGcp

DEMO = Path(__file__).resolve().parents[3] / "scanner" / "demo" / "gcp.json"


def build() -> dict[str, Any]:
    resources, sources = [], []
    for org, asset_granted in ((northwind(), True), (tidewater(), False)):
        fake = FakeGcp(org).start()
        if not asset_granted:
            fake.fail(r"^GET /cloudasset/", "PERMISSION_DENIED")
        try:
            result = GcpCollector(settings_for(fake), CollectContext(clock=lambda: NOW)).collect()
        finally:
            fake.stop()
        assert not fake.mutations and not fake.schema_problems, (fake.mutations, fake.schema_problems)
        resources.extend(result.resources)
        sources.extend(result.sources)
    inventory = Inventory(tuple(resources), tuple(sources), collected_at="2026-11-20T09:00:00Z", tool_version="demo")
    return inventory.to_json()


def render() -> str:
    return json.dumps(build(), indent=1) + "\n"


if __name__ == "__main__":
    DEMO.write_text(render(), encoding="utf-8")
    print(f"wrote {DEMO}")
