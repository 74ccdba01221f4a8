"""Regenerate ``scanner/demo/atlassian.json``: the real collector run against the fake, once for
Northwind's organization (authentication policies declared, SSO licensed) and once for
Tidewater's (two-step verification only, too many admins, an external admin), merged.

    python -m tests.fakes.atlassian.make_demo

``tests/collectors/atlassian/test_atlassian_demo.py`` checks the committed file still matches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.collectors.atlassian.collector import AtlassianCollector
from scanner.collectors.base import CollectContext
from scanner.inventory.snapshot import Inventory
from tests.fakes.atlassian.client import NOW, environ_for, settings_for
from tests.fakes.atlassian.org import northwind, tidewater
from tests.fakes.atlassian.server import FakeAtlassian

DEMO = Path(__file__).resolve().parents[3] / "scanner" / "demo" / "atlassian.json"


def build() -> dict[str, Any]:
    resources, sources = [], []
    for org in (northwind(), tidewater()):
        fake = FakeAtlassian(org).start()
        try:
            result = AtlassianCollector(settings_for(fake), CollectContext(clock=lambda: NOW, environ=environ_for(fake))).collect()
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
