"""Resource types collected from azure."""

from __future__ import annotations

from scanner.inventory.types import ResourceType, attr  # noqa: F401

TYPES: tuple[ResourceType, ...] = ()
