"""Snapshots: round trip, mode 0600, merge, and clear errors for anything malformed."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.inventory.model import Resource, SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory, SnapshotFormatError, load, merge, save


def sample() -> Inventory:
    return Inventory(
        resources=(Resource("github.organization", "github:acme", "acme", "acme",
                            {"two_factor_requirement_enabled": Unknown("needs an org owner"), "owners": ["a"]}),),
        sources=(SourceStatus("github:acme", "github", "partial", notes=("an owner token reads 2FA",),
                              api_calls={"GET /orgs/{org}": 1}),),
        collected_at="2026-11-20T09:00:00Z",
        tool_version="0.1.0",
    )


def test_round_trip_keeps_unknowns_and_sources(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    save(sample(), path)
    loaded = load(path)
    assert loaded == sample()
    assert loaded.resources[0].attributes["two_factor_requirement_enabled"] == Unknown("needs an org owner")


def test_snapshot_is_written_0600(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    save(sample(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(("content", "expected"), [
    ('{"schema": "posture.snapshot/1", "resources": [', "not valid JSON at line 1"),
    ('{"schema": "posture.snapshot/9", "resources": []}', "schema 'posture.snapshot/9' is not supported"),
    ('[]', "a snapshot is a JSON object"),
    ('{"schema": "posture.snapshot/1", "resources": [{"type": "x"}]}', "resources[0] is malformed (missing field 'id')"),
    ('{"schema": "posture.snapshot/1", "resources": [], "sources": [{"name": "a", "platform": "b", "status": "meh"}]}',
     "sources[0] is malformed"),
])
def test_malformed_snapshots_are_clear_errors(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(SnapshotFormatError) as error:
        load(path)
    assert expected in str(error.value)
    assert str(path) in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotFormatError, match="no such snapshot file"):
        load(tmp_path / "absent.json")


def test_merge_keeps_all_sources_and_dedupes_resources() -> None:
    a = sample()
    other = Resource("aws.account", "aws:1", "1", "1", {})
    b = Inventory((a.resources[0], other), (SourceStatus("aws:1", "aws", "ok"),), "2026-11-19T00:00:00Z", "0.1.0")
    merged = merge([a, b])
    assert [s.name for s in merged.sources] == ["github:acme", "aws:1"]
    assert len(merged.resources) == 2
    assert merged.collected_at == "2026-11-19T00:00:00Z"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.fixed_dictionaries(
    {"schema": st.just("posture.snapshot/1")},
    optional={"resources": st.lists(st.dictionaries(st.sampled_from(["type", "id", "name", "scope", "attributes"]), json_values), max_size=3)
              | json_values,
              "sources": st.lists(st.dictionaries(st.sampled_from(["name", "platform", "status", "errors", "api_calls"]), json_values), max_size=2)
              | json_values,
              "collected_at": json_values},
))
def test_fuzz_snapshot_loader_raises_only_its_own_error(tmp_path_factory, document: dict) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "s.json"
    path.write_text(json.dumps(document))
    try:
        load(path)
    except SnapshotFormatError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_fuzz_snapshot_loader_on_bytes(tmp_path_factory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "s.json"
    path.write_bytes(raw)
    try:
        load(path)
    except SnapshotFormatError:
        pass
