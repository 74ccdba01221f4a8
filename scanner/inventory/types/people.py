"""Resource types of the people view: roster persons, and what correlation adds to accounts."""

from __future__ import annotations

from scanner.inventory.types import Attribute, ResourceType, attr  # noqa: F401

TYPES: tuple[ResourceType, ...] = ()

# Account types that correlation links to a roster person; each gains DERIVED_ACCOUNT_ATTRIBUTES.
ACCOUNT_TYPES: tuple[str, ...] = ()
DERIVED_ACCOUNT_ATTRIBUTES: tuple[Attribute, ...] = ()
