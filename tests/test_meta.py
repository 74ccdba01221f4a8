"""Invariants over every collector, resource type, policy and output (as c7n's test_policy does)."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest

from scanner.collectors import PLATFORMS, load_collector
from scanner.collectors.base import Collector
from scanner.demo import load_demo
from scanner.findings import Status
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.outputs import FORMATS, writer_for
from scanner.pipeline import correlate_inventory, evaluate_inventory
from scanner.policy.loader import baseline_dir, load_policies

GUIDE = {"ZT-1", "ZT-2", "ZT-3", "ZT-4", "ZT-5", "WF-1", "WF-2", "WF-3", "WF-4", "WF-5",
         "OP-1", "OP-2", "OP-3", "OP-4", "OP-5", "OP-6"}


@pytest.fixture(scope="module")
def baseline():
    return load_policies([baseline_dir()])


@pytest.fixture(scope="module")
def demo_evaluation(baseline):
    return evaluate_inventory(load_demo(), baseline)


def test_every_policy_passes_and_fails_somewhere_in_the_demo(baseline, demo_evaluation) -> None:
    seen: dict[str, set[Status]] = defaultdict(set)
    for finding in demo_evaluation.report.findings:
        seen[finding.policy].add(finding.status)
    lacking = {p.id: sorted(s.value for s in seen[p.id]) for p in baseline
               if not {Status.PASS, Status.FAIL} <= seen[p.id]}
    assert not lacking, f"policies without both a PASS and a FAIL in the demo: {lacking}"


def test_demo_resources_match_their_declared_types(demo_evaluation) -> None:
    problems = []
    for resource in demo_evaluation.inventory.resources:
        rtype = RESOURCE_TYPES.get(resource.type)
        if rtype is None:
            problems.append(f"{resource.id}: undeclared type {resource.type}")
        else:
            problems.extend(problems_with(resource, rtype))
    assert not problems, problems[:20]


def test_every_policy_names_a_guide_control_and_platform_prefix(baseline) -> None:
    for policy in baseline:
        assert policy.references["guide"] in GUIDE, policy.id
        assert policy.id.startswith(policy.platform) or policy.id.startswith("people_"), policy.id
        assert policy.source.startswith(str(baseline_dir())), policy.source


def test_every_resource_type_is_documented() -> None:
    for rtype in RESOURCE_TYPES.values():
        assert rtype.description, rtype.name
        assert len({a.name for a in rtype.attributes}) == len(rtype.attributes), f"{rtype.name} repeats an attribute"
        for attribute in rtype.attributes:
            assert attribute.description, f"{rtype.name}.{attribute.name}"


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_every_collector_is_registered_correctly(name: str) -> None:
    collector = load_collector(name)
    assert issubclass(collector, Collector)
    assert collector.platform == name


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_output_renders_the_demo(name: str, demo_evaluation) -> None:
    stream = io.StringIO()
    writer_for(name)(demo_evaluation.report, stream)
    assert stream.getvalue().strip(), f"{name} wrote nothing"


def test_correlation_is_idempotent_on_the_demo() -> None:
    once = correlate_inventory(load_demo())
    assert correlate_inventory(once).resources == once.resources
