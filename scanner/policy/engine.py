"""Evaluate policies against an inventory: PASS / FAIL / ERROR / SKIPPED per (policy, resource).

A policy whose expression touches an attribute that is Unknown (or absent) on a resource yields
ERROR with the reason: "could not check" is never "passed". Programs were compiled at load time;
here each evaluation gets only the attributes the policy names, which keeps the conversion into
CEL values cheap on large inventories.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scanner.findings import Finding, ResourceRef, Status, cap_evidence, finding_uid
from scanner.inventory.model import Resource, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.policy.loader import PLACEHOLDER
from scanner.policy.model import Policy


def evaluate(policies: Sequence[Policy], inventory: Inventory) -> list[Finding]:
    """Every policy against every resource of its type, in policy order then inventory order."""
    index = inventory.by_type()
    findings: list[Finding] = []
    for policy in policies:
        findings.extend(evaluate_policy(policy, index.get(policy.resource, ())))
    return findings


# Wall-clock budget of one policy over the whole inventory. The loader already bounds an
# expression's cost (length, comprehension count and nesting); this bounds what is left, e.g. a
# nested comprehension over two very large lists. Past it, the policy's remaining resources are
# ERROR (never PASS): the evaluation already running cannot be interrupted inside the CEL core.
POLICY_TIME_BUDGET = 20.0


def evaluate_policy(policy: Policy, resources: Iterable[Resource]) -> Iterable[Finding]:
    when_names = sorted(policy.when_attributes)
    assert_names = sorted(policy.assert_attributes)
    evidence_names = sorted(set(when_names) | set(assert_names))
    params = dict(policy.params)
    # Most remediations are fixed text; render per resource only those with placeholders.
    remediation_varies = PLACEHOLDER.search(policy.remediation) is not None
    deadline = time.monotonic() + POLICY_TIME_BUDGET
    for resource in resources:
        if time.monotonic() > deadline:
            status, message = Status.ERROR, (
                f"Could not evaluate: policy {policy.id} spent its evaluation budget of {POLICY_TIME_BUDGET:g} s "
                "(its expression is too costly for this inventory)"
            )
        else:
            status, message = _judge(policy, resource, when_names, assert_names, params)
        yield Finding(
            uid=finding_uid(policy.id, resource.id),
            policy=policy.id,
            title=policy.title,
            severity=policy.severity,
            status=status,
            resource=ResourceRef.of(resource),
            message=message,
            remediation=render_message(policy.remediation, resource, params) if remediation_varies else policy.remediation,
            references=policy.references,
            tags=policy.tags,
            evidence=evidence_of(resource, evidence_names),
        )


def evidence_of(resource: Resource, names: Iterable[str]) -> dict[str, Any]:
    """The values of the attributes a policy reads on ``resource`` (what the finding shows as why)."""
    values: dict[str, Any] = {}
    for name in names:
        value = resource.attributes.get(name, _MISSING)
        values[name] = Unknown("not collected") if value is _MISSING else value
    return cap_evidence(values)


def _judge(
    policy: Policy,
    resource: Resource,
    when_names: list[str],
    assert_names: list[str],
    params: dict[str, Any],
) -> tuple[Status, str]:
    attributes = resource.attributes
    if policy.compiled_when is not None:
        outcome = _run(policy.compiled_when, "when", attributes, when_names, params)
        if isinstance(outcome, str):
            return Status.ERROR, outcome
        if not outcome:
            return Status.SKIPPED, f"Not applicable to {resource.name} ({policy.when})"
    outcome = _run(policy.compiled_assert, "assert", attributes, assert_names, params)
    if isinstance(outcome, str):
        return Status.ERROR, outcome
    if outcome:
        return Status.PASS, f"{policy.title}: {resource.name}"
    return Status.FAIL, render_message(policy.message, resource, params)


def _run(program: Any, part: str, attributes: Mapping[str, Any], names: list[str], params: dict[str, Any]) -> bool | str:
    """The boolean result, or a string saying why the expression could not be evaluated."""
    context: dict[str, Any] = {}
    for name in names:
        value = attributes.get(name, _MISSING)
        if value is _MISSING:
            return f"Could not evaluate: attribute {name} was not collected"
        if isinstance(value, Unknown):
            return f"Could not evaluate: {name} is unknown ({value.reason})"
        context[name] = value
    try:
        result = program.execute({"resource": context, "params": params})
    except KeyError as exc:
        return f"Could not evaluate {part}: no value for {exc.args[0] if exc.args else 'an attribute'}"
    except Exception as exc:  # the CEL runtime raises assorted errors (no such overload, division by zero)
        return f"Could not evaluate {part}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    if not isinstance(result, bool):
        return f"Could not evaluate {part}: expression gave {type(result).__name__}, not a boolean"
    return result


_MISSING = object()


def render_message(template: str, resource: Resource, params: Mapping[str, Any]) -> str:
    """Fill ``{name}``-style placeholders from the resource and params. Plain lookups only:
    no attribute access or format specs, so a policy file cannot reach into Python objects."""

    def value_of(match: Any) -> str:
        root, _, rest = match.group(1).partition(".")
        value: Any
        if root == "params":
            value = params.get(rest, match.group(0))
        elif root in ("id", "name", "scope", "type") and not rest:
            value = getattr(resource, root)
        else:
            value = resource.attributes.get(root, match.group(0))
            for part in rest.split(".") if rest else ():
                value = value.get(part, match.group(0)) if isinstance(value, dict) else match.group(0)
        return _display(value)

    return PLACEHOLDER.sub(value_of, template)


def _display(value: Any) -> str:
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_display(v) for v in value) if value else "none"
    if value is None:
        return "none"
    return str(value)
