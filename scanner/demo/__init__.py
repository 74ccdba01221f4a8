"""The bundled demo inventory: a fictional distributed team, "Northwind Labs".

One snapshot file per platform (``github.json``, ``aws.json``, ``azure.json``, ``gcp.json``, ``people.json``),
merged. ``posture scan --demo`` evaluates it; a meta-test requires every shipped policy to both
PASS and FAIL somewhere in it, so the demo shows what each policy catches.
"""

from __future__ import annotations

import json
from importlib import resources

from scanner.inventory.snapshot import Inventory, merge


def load_demo() -> Inventory:
    shards = []
    for entry in sorted(resources.files("scanner.demo").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            shards.append(Inventory.from_json(json.loads(entry.read_text("utf-8")), origin=f"demo/{entry.name}"))
    if not shards:
        return Inventory(tool_version="demo")
    return merge(shards)
