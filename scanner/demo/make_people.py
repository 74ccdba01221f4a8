"""Regenerate ``people.json``, the roster part of the demo, from ``examples/roster.csv``.

The demo roster is exactly what the roster collector reads from the shipped example, so the
example and the demo cannot drift apart (a test checks it). Run from the repository root:

    python -m scanner.demo.make_people
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from scanner.collectors.base import CollectContext
from scanner.collectors.roster import RosterCollector
from scanner.inventory.snapshot import Inventory

COLLECTED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def build(roster: Path = ROOT / "examples" / "roster.csv") -> Inventory:
    context = CollectContext(concurrency=1, clock=lambda: COLLECTED_AT)
    result = RosterCollector({"file": str(roster)}, context).collect()
    return Inventory(result.resources, result.sources, "2026-11-20T09:00:00Z", "demo")


def main() -> None:
    target = Path(__file__).with_name("people.json")
    target.write_text(json.dumps(build().to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
