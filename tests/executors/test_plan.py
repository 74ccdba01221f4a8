"""Plans, shards and the merge of shard snapshots: stable 1/N, nothing missing or twice, unnoticed."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.collectors.descriptor import Option, Platform, Unit
from scanner.errors import ConfigError
from scanner.executors.plan import parse_shard, plan_units, select_shard, shard_of
from scanner.inventory import snapshot
from scanner.inventory.model import Resource, SourceStatus
from scanner.inventory.snapshot import Inventory, ShardMergeError, merge


def _orgs_to_units(settings: dict) -> list[Unit]:  # type: ignore[type-arg]
    return [Unit("toy", f"toy:{org}", "toy-token", {**settings, "orgs": [org]}) for org in settings["orgs"]]


TOY = Platform(name="toy", title="Toy", extra="", collector="tests.nowhere:Toy",
               options=(Option("orgs", "list", "orgs"),), units=_orgs_to_units)


def test_shards_cover_every_unit_exactly_once_and_are_stable() -> None:
    plan = plan_units({"toy": {"orgs": [f"org{i}" for i in range(40)]}}, {"toy": TOY})
    shards = [select_shard(plan.units, k, 4) for k in range(1, 5)]
    keys = [u.key for shard in shards for u in shard]
    assert sorted(keys) == sorted(plan.keys) and len(keys) == len(set(keys))
    assert all(shards), "every shard gets some of 40 units"
    # Adding a unit moves no other unit between shards.
    bigger = plan_units({"toy": {"orgs": [f"org{i}" for i in range(41)]}}, {"toy": TOY})
    assert {u.key: shard_of(u.key, 4) for u in plan.units} == {u.key: shard_of(u.key, 4) for u in bigger.units if u.key in plan.keys}
    assert shard_of("toy:org7", 4) == shard_of("toy:org7", 4)


@pytest.mark.parametrize("text", ["0/4", "5/4", "x", "1/0", "2-4", ""])
def test_bad_shard_is_one_line(text: str) -> None:
    with pytest.raises(ConfigError, match="expected K/N"):
        parse_shard(text)


def test_duplicate_units_in_a_configuration_are_refused() -> None:
    with pytest.raises(ConfigError, match="twice"):
        plan_units({"toy": {"orgs": ["a", "a"]}}, {"toy": TOY})


def _part(units: tuple[str, ...], planned: tuple[str, ...]) -> Inventory:
    resources = tuple(Resource(type="toy.thing", id=u, name=u, scope=u, attributes={}) for u in units)
    sources = tuple(SourceStatus(name=u, platform="toy", status="ok") for u in units)
    return Inventory(resources, sources, units=units, planned_units=planned)


def test_merged_shards_report_a_missing_unit_as_a_failed_source(tmp_path: Path) -> None:
    planned = ("toy:a", "toy:b", "toy:c")
    for name, part in (("p1.json", _part(("toy:a",), planned)), ("p2.json", _part(("toy:c",), planned))):
        snapshot.save(part, tmp_path / name)
    merged = merge([snapshot.load(tmp_path / "p1.json"), snapshot.load(tmp_path / "p2.json")])
    failed = [s for s in merged.sources if s.status == "failed"]
    assert [s.name for s in failed] == ["toy:b"] and "in no snapshot" in failed[0].errors[0]
    assert set(merged.units) == {"toy:a", "toy:c"} and merged.planned_units == planned


def test_a_unit_in_two_shards_is_an_error_naming_both() -> None:
    planned = ("toy:a",)
    with pytest.raises(ShardMergeError, match="p1.json and p2.json"):
        merge([_part(("toy:a",), planned), _part(("toy:a",), planned)], origins=["p1.json", "p2.json"])


def test_complete_shards_merge_without_noise() -> None:
    planned = ("toy:a", "toy:b")
    merged = merge([_part(("toy:a",), planned), _part(("toy:b",), planned)])
    assert all(s.status == "ok" for s in merged.sources) and len(merged.resources) == 2
