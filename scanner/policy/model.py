"""The Policy record: one rule, one resource type, one CEL assertion, compiled once at load."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.findings import Severity

# `resource.<name>` and `params.<name>` as written in CEL. String literals are removed first so a
# message-like literal such as "resource.x" inside quotes is not mistaken for a reference.
_REFERENCE = re.compile(r"(?<![\w.])(resource|params)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_STRING_LITERAL = re.compile(r"""(?s)('''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")""")


def references_in(expression: str) -> tuple[frozenset[str], frozenset[str]]:
    """The resource attributes and params a CEL expression names: (attributes, params)."""
    code = _STRING_LITERAL.sub('""', expression)
    attributes: set[str] = set()
    params: set[str] = set()
    for root, name in _REFERENCE.findall(code):
        (attributes if root == "resource" else params).add(name)
    return frozenset(attributes), frozenset(params)


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    resource: str
    severity: Severity
    assertion: str
    message: str
    remediation: str
    references: Mapping[str, str]
    tags: tuple[str, ...] = ()
    when: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = ""  # file:line the policy was loaded from
    # Compiled CEL programs (cel.Program); excluded from equality and repr.
    compiled_when: Any = field(default=None, compare=False, repr=False)
    compiled_assert: Any = field(default=None, compare=False, repr=False)

    @property
    def platform(self) -> str:
        return self.resource.split(".", 1)[0]

    @property
    def area(self) -> str:
        return self.references.get("guide", "unmapped")

    @property
    def when_attributes(self) -> frozenset[str]:
        return references_in(self.when)[0] if self.when else frozenset()

    @property
    def assert_attributes(self) -> frozenset[str]:
        return references_in(self.assertion)[0]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "resource": self.resource,
            "severity": self.severity.value,
        }
        if self.description:
            data["description"] = self.description
        if self.when:
            data["when"] = self.when
        data.update(
            {
                "assert": self.assertion,
                "message": self.message,
                "remediation": self.remediation,
                "references": dict(self.references),
                "tags": list(self.tags),
            }
        )
        if self.params:
            data["params"] = dict(self.params)
        data["source"] = self.source
        return data
