"""The engine's statuses: PASS, FAIL, SKIPPED, and ERROR whenever it could not truly check."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.findings import Status, finding_uid
from scanner.inventory.model import Resource, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import ResourceType, attr
from scanner.policy.engine import evaluate, render_message
from scanner.policy.loader import load_policies

TYPES = {
    "test.thing": ResourceType("test.thing", "a thing", (
        attr("enabled", "boolean", "on"), attr("archived", "boolean", "archived"), attr("owners", "list", "owners"),
        attr("count", "integer", "n"), attr("label", "string", "label"),
    ))
}

RULES = """
- id: thing_enabled
  title: Thing is enabled
  resource: test.thing
  severity: high
  when: "!resource.archived"
  assert: resource.enabled
  message: "{name} is off; owners {owners}, {params.limit} allowed"
  remediation: Turn it on for {name}
  params: {limit: 2}
  references: {guide: ZT-1}
"""


def thing(name: str, **attributes: object) -> Resource:
    base = {"enabled": True, "archived": False, "owners": ["a"], "count": 1, "label": "x"}
    return Resource("test.thing", f"test:{name}", name, "acme", {**base, **attributes})


def run(rules: str, write_policies, *resources: Resource):
    policies = load_policies([write_policies(rules)], types=TYPES)
    return {f.resource.name: f for f in evaluate(policies, Inventory(tuple(resources)))}


def test_pass_fail_skip(write_policies) -> None:
    results = run(RULES, write_policies, thing("good"), thing("bad", enabled=False), thing("old", archived=True, enabled=False))
    assert results["good"].status is Status.PASS
    assert results["bad"].status is Status.FAIL
    assert results["bad"].message == "bad is off; owners a, 2 allowed"
    assert results["old"].status is Status.SKIPPED


def test_unknown_attribute_is_error_never_pass(write_policies) -> None:
    results = run(RULES, write_policies, thing("locked", enabled=Unknown("needs admin:org scope")))
    assert results["locked"].status is Status.ERROR
    assert "enabled is unknown (needs admin:org scope)" in results["locked"].message


def test_unknown_in_when_is_error(write_policies) -> None:
    results = run(RULES, write_policies, thing("w", archived=Unknown("needs repo scope")))
    assert results["w"].status is Status.ERROR
    assert "archived is unknown" in results["w"].message


def test_missing_attribute_is_error(write_policies) -> None:
    resource = Resource("test.thing", "test:m", "m", "acme", {"archived": False})
    results = run(RULES, write_policies, resource)
    assert results["m"].status is Status.ERROR
    assert "enabled was not collected" in results["m"].message


@pytest.mark.parametrize(("expression", "why"), [
    ("resource.count", "not a boolean"),
    ("resource.count / 0 == 1", "Could not evaluate assert"),
    ("resource.label > 3", "Could not evaluate assert"),
])
def test_runtime_problems_are_errors(write_policies, expression: str, why: str) -> None:
    rules = RULES.replace("assert: resource.enabled", f'assert: "{expression}"')
    results = run(rules, write_policies, thing("t"))
    assert results["t"].status is Status.ERROR
    assert why in results["t"].message


def test_policies_only_see_their_resource_type(write_policies) -> None:
    other = Resource("test.other", "test:o", "o", "acme", {"enabled": False})
    results = run(RULES, write_policies, thing("t"), other)
    assert set(results) == {"t"}


def test_finding_carries_policy_fields_and_stable_uid(write_policies) -> None:
    finding = run(RULES, write_policies, thing("bad", enabled=False))["bad"]
    assert finding.uid == finding_uid("thing_enabled", "test:bad")
    assert finding.references == {"guide": "ZT-1"}
    assert finding.remediation == "Turn it on for bad"  # placeholders render in remediation too
    assert finding.resource.scope == "acme"


def test_message_placeholders_are_plain_lookups() -> None:
    resource = thing("n", owners=[], label={"nested": "v"})
    assert render_message("{name} {owners} {label.nested} {enabled}", resource, {}) == "n none v yes"
    # Python format tricks do not reach objects.
    assert render_message("{name.__class__}", resource, {}) == "{name.__class__}"


def test_empty_inventory_yields_no_findings(write_policies) -> None:
    assert run(RULES, write_policies) == {}


def test_every_finding_carries_the_values_its_policy_read(write_policies) -> None:
    results = run(RULES, write_policies, thing("bad", enabled=False, owners=["x"] * 50),
                  thing("locked", enabled=Unknown("needs admin:org scope")),
                  Resource("test.thing", "test:m", "m", "acme", {"archived": False}))
    # `when` and `assert` read archived and enabled; owners only appears in the message.
    assert results["bad"].evidence == {"archived": False, "enabled": False}
    assert results["locked"].evidence["enabled"] == {"unknown": "needs admin:org scope"}
    assert results["m"].evidence["enabled"] == {"unknown": "not collected"}


def test_evidence_is_size_capped(write_policies) -> None:
    rules = RULES.replace("assert: resource.enabled", 'assert: "resource.owners.size() < 3 && resource.label != \'\'"')
    results = run(rules, write_policies, thing("big", owners=[f"user-{i}" for i in range(5000)], label="y" * 10_000))
    evidence = results["big"].evidence
    assert evidence["owners"][:2] == ["user-0", "user-1"] and evidence["owners"][-1] == "… 4980 more"
    assert len(evidence["owners"]) == 21
    assert evidence["label"].startswith("y" * 300) and evidence["label"].endswith("(9700 more characters)")
    import json

    assert len(json.dumps(evidence)) <= 4096


def test_a_policy_past_its_time_budget_turns_error_never_pass(write_policies, monkeypatch) -> None:
    from scanner.policy import engine

    monkeypatch.setattr(engine, "POLICY_TIME_BUDGET", -1.0)
    results = run(RULES, write_policies, thing("good"), thing("also-good"))
    assert {f.status for f in results.values()} == {Status.ERROR}
    assert "spent its evaluation budget" in results["good"].message
