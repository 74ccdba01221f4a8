"""The inventory: what the collectors saw, as plain typed records. A leaf package."""

from __future__ import annotations

from scanner.inventory.model import Resource, SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory

__all__ = ["Inventory", "Resource", "SourceStatus", "Unknown"]
