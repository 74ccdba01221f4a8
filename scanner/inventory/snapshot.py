"""The Inventory container and its JSON snapshot: save, load, merge.

A snapshot is what an auditor keeps ("this is exactly what we saw on 1 Dec"): the resources,
per source how collection went, and who/what collected it. Collection needs credentials and
network; evaluating a snapshot needs neither. Snapshots are written with mode 0600 because an
inventory is sensitive, and never contain a secret value.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from scanner.inventory.model import Resource, SourceStatus

SCHEMA = "posture.snapshot/1"
T = TypeVar("T")


class SnapshotFormatError(ValueError):
    """A snapshot file cannot be read. The inventory package is a leaf; the CLI maps this."""


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Inventory:
    """Everything collected in one run (or merged from several snapshots)."""

    resources: tuple[Resource, ...] = ()
    sources: tuple[SourceStatus, ...] = ()
    collected_at: str = field(default_factory=utc_now_iso)
    tool_version: str = "unknown"
    # Collection units (``github:acme``, ``aws:123456789012``) this inventory holds, and, for a
    # shard, every unit of the plan it was cut from: merging shards checks none is missing or twice.
    units: tuple[str, ...] = ()
    planned_units: tuple[str, ...] = ()

    @property
    def collected_on(self) -> date:
        """The day (UTC) the inventory was collected: "today" for day counts such as days since exit,
        so re-evaluating an old snapshot reproduces what the auditor saw then."""
        try:
            return datetime.fromisoformat(self.collected_at.replace("Z", "+00:00")).date()
        except ValueError:
            return datetime.now(timezone.utc).date()

    def by_type(self) -> Mapping[str, list[Resource]]:
        index: dict[str, list[Resource]] = defaultdict(list)
        for resource in self.resources:
            index[resource.type].append(resource)
        return index

    def of_type(self, type_name: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_name]

    def replace_resources(self, resources: Iterable[Resource]) -> Inventory:
        return replace(self, resources=tuple(resources))

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "tool_version": self.tool_version,
            "collected_at": self.collected_at,
            "sources": [s.to_json() for s in self.sources],
            "resources": [r.to_json() for r in self.resources],
            **({"units": list(self.units)} if self.units else {}),
            **({"planned_units": list(self.planned_units)} if self.planned_units else {}),
        }

    @classmethod
    def from_json(cls, data: Any, origin: str = "snapshot") -> Inventory:
        if not isinstance(data, dict):
            raise SnapshotFormatError(f"{origin}: a snapshot is a JSON object, found {type(data).__name__}")
        schema = data.get("schema")
        if schema != SCHEMA:
            raise SnapshotFormatError(
                f"{origin}: schema {schema!r} is not supported (this posture reads {SCHEMA!r}); "
                "re-collect it with this version of posture"
            )
        resources_json = data.get("resources")
        sources_json = data.get("sources", [])
        if not isinstance(resources_json, list) or not isinstance(sources_json, list):
            raise SnapshotFormatError(f"{origin}: 'resources' and 'sources' must be lists")
        resources = _parse_items(resources_json, Resource.from_json, "resources", origin)
        sources = _parse_items(sources_json, SourceStatus.from_json, "sources", origin)
        collected_at = data.get("collected_at")
        tool_version = data.get("tool_version")
        return cls(
            tuple(resources),
            tuple(sources),
            collected_at if isinstance(collected_at, str) else utc_now_iso(),
            tool_version if isinstance(tool_version, str) else "unknown",
            _string_list(data.get("units", []), "units", origin),
            _string_list(data.get("planned_units", []), "planned_units", origin),
        )


def _string_list(value: Any, label: str, origin: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SnapshotFormatError(f"{origin}: '{label}' must be a list of unit names")
    return tuple(value)


def _parse_items(items: list[Any], parse: Callable[[Mapping[str, Any]], T], label: str, origin: str) -> list[T]:
    """Parse each object of a snapshot list, naming the first malformed one (``resources[3]``)."""
    parsed = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise TypeError("not an object")
            parsed.append(parse(item))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SnapshotFormatError(f"{origin}: {label}[{index}] is malformed ({_why(exc)})") from exc
    return parsed


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc) or type(exc).__name__


def save(inventory: Inventory, path: Path) -> None:
    """Write ``inventory`` to ``path`` with mode 0600 (created so, never widened afterwards)."""
    text = json.dumps(inventory.to_json(), indent=1, sort_keys=False)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load(path: Path) -> Inventory:
    """Read a snapshot file. Raises SnapshotFormatError with the file name and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SnapshotFormatError(f"{path}: no such snapshot file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotFormatError(f"{path}: cannot read snapshot ({exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotFormatError(
            f"{path}: not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); "
            "the file may be truncated, re-collect it"
        ) from exc
    except RecursionError as exc:
        raise SnapshotFormatError(f"{path}: JSON nested too deeply") from exc
    return Inventory.from_json(data, origin=str(path))


class ShardMergeError(SnapshotFormatError):
    """Shards that do not add up to their plan: a unit twice (which read wins?)."""


def merge(inventories: Sequence[Inventory], origins: Sequence[str] = ()) -> Inventory:
    """Merge shards (one per org/account, say) into one inventory. Later shards win on a
    duplicate resource id; sources are kept side by side.

    Shards carry their units and the plan they were cut from: a unit held by two shards is an
    error (naming both files), and a planned unit no shard holds becomes a failed source, so the
    run is incomplete (exit 3) rather than silently smaller.
    """
    seen: dict[str, str] = {}
    for index, inventory in enumerate(inventories):
        origin = origins[index] if index < len(origins) else f"snapshot {index + 1}"
        for unit in inventory.units:
            if unit in seen:
                raise ShardMergeError(f"unit {unit} is in both {seen[unit]} and {origin}; give each shard once")
            seen[unit] = origin
    planned = tuple(dict.fromkeys(u for i in inventories for u in i.planned_units))
    missing = [u for u in planned if u not in seen]
    if len(inventories) == 1 and not missing:
        return inventories[0]
    resources: dict[tuple[str, str], Resource] = {}
    sources: list[SourceStatus] = []
    for inventory in inventories:
        for resource in inventory.resources:
            resources[(resource.type, resource.id)] = resource
        sources.extend(inventory.sources)
    collected = min((i.collected_at for i in inventories), default=utc_now_iso())
    versions = sorted({i.tool_version for i in inventories})
    for unit in missing:
        platform = unit.partition(":")[0]
        sources.append(SourceStatus(
            name=unit, platform=platform, status="failed", error_kind="incomplete",
            errors=(f"unit {unit} is in the plan but in no snapshot given; collect its shard and evaluate again",),
            started_at=collected, finished_at=collected,
        ))
    return Inventory(tuple(resources.values()), tuple(sources), collected, ",".join(versions),
                     tuple(seen), planned)
