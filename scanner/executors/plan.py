"""The collection plan: a configuration's units, their credentials, and a stable 1/N of them.

Shards are chosen by a hash of each unit's key, not by position, so adding an organization to
the configuration moves only that organization's unit, never reshuffles the others between CI
matrix jobs that may be collecting at the same moment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.collectors.descriptor import Platform, Unit
from scanner.errors import ConfigError


@dataclass(frozen=True)
class Plan:
    """Every unit of one configuration, in a stable order."""

    units: tuple[Unit, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(u.key for u in self.units)

    def to_json(self) -> list[dict[str, Any]]:
        return [{"unit": u.key, "platform": u.platform, "credential": u.credential} for u in self.units]


def default_units(platform: Platform, settings: Mapping[str, Any]) -> list[Unit]:
    """A platform that declares no split is one unit."""
    return [Unit(platform.name, platform.name, platform.name, settings)]


def plan_units(sources: Mapping[str, Mapping[str, Any]], platforms: Mapping[str, Platform]) -> Plan:
    """The units of every enabled source, by platform then unit key; keys must be unique."""
    units: list[Unit] = []
    for name, settings in sources.items():
        platform = platforms[name]
        split = platform.units(settings) if platform.units is not None else default_units(platform, settings)
        units.extend(sorted(split, key=lambda u: u.key))
    keys = [u.key for u in units]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ConfigError(f"the configuration names unit {duplicates[0]} twice; list each organization/account once")
    return Plan(tuple(units))


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1-based), e.g. ``--shard 2/4``."""
    k, sep, n = text.partition("/")
    try:
        index, count = int(k), int(n)
    except ValueError:
        index = count = 0
    if not sep or count < 1 or not 1 <= index <= count:
        raise ConfigError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. --shard 2/4")
    return index, count


def shard_of(key: str, count: int) -> int:
    """The 1-based shard a unit key falls in, stable across runs, machines and Python versions."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(units: Iterable[Unit], index: int, count: int) -> list[Unit]:
    return [u for u in units if shard_of(u.key, count) == index]


def narrowed_sources(units: Sequence[Unit]) -> dict[str, list[Unit]]:
    """Units grouped by platform, in plan order."""
    grouped: dict[str, list[Unit]] = {}
    for unit in units:
        grouped.setdefault(unit.platform, []).append(unit)
    return grouped
