"""SARIF 2.1.0 output, for GitHub code scanning (``github/codeql-action/upload-sarif``).

One rule per policy that has a FAIL or WAIVED finding; one result per such finding. Waived
findings carry a SARIF ``suppressions`` entry (kind external, the waiver as justification), so
code scanning shows them as dismissed rather than open. Passing, skipped and errored findings
are left out: code scanning is a list of problems.

Posture findings are about settings, not lines of code, but code scanning requires a physical
location on every result. Each result points at the placeholder artifact ``POSTURE_ARTIFACT``
(line 1) and names the audited resource in ``logicalLocations`` and in its message, the approach
OpenSSF Scorecard takes for repository settings. ``partialFingerprints`` holds the stable
finding uid, so an alert keeps its identity across uploads and closes when the finding does.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from scanner.findings import Finding, Report, Severity, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
POSTURE_ARTIFACT = ".github/posture-audit"
# GitHub reads `security-severity` (0.0-10.0) to rank alerts: >=9 critical, >=7 high, >=4 medium.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.5",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _rule(finding: Finding) -> dict[str, Any]:
    references = ", ".join(f"{k}: {v}" for k, v in sorted(finding.references.items()))
    return {
        "id": finding.policy,
        "name": "".join(part.title() for part in finding.policy.split("_")),
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": f"{finding.title} ({references})" if references else finding.title},
        "help": {"text": finding.remediation or finding.title},
        "defaultConfiguration": {"level": LEVEL[finding.severity]},
        "properties": {
            "tags": ["security", "posture", finding.area, *finding.tags],
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "precision": "high",
            "problem.severity": "error" if finding.severity.at_least(Severity.HIGH) else "warning",
        },
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.policy,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": f"{finding.message} [{finding.resource.id}]"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": POSTURE_ARTIFACT},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [
                    {
                        "name": finding.resource.name,
                        "fullyQualifiedName": finding.resource.id,
                        "kind": finding.resource.type,
                    }
                ],
            }
        ],
        "partialFingerprints": {"postureFindingUid/v1": finding.uid},
        "properties": {
            "resource": finding.resource.to_json(),
            "status": finding.status.value,
            "severity": finding.severity.value,
        },
    }
    if finding.evidence:
        result["properties"]["evidence"] = dict(finding.evidence)
    if finding.change:
        result["properties"]["change"] = finding.change
    if finding.first_seen:
        result["properties"]["first_seen"] = finding.first_seen
    if finding.status is Status.WAIVED and finding.waiver:
        w = finding.waiver
        ticket = f" ({w.ticket})" if w.ticket else ""
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"Waived by {w.owner} until {w.expires}{ticket}: {w.reason}",
            }
        ]
    return result


def document(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict."""
    problems = sorted(
        (f for f in report.findings if f.status in (Status.FAIL, Status.WAIVED)),
        key=lambda f: (-f.severity.rank, f.policy, f.resource.id),
    )
    rules: dict[str, dict[str, Any]] = {}
    indexes: dict[str, int] = {}
    for finding in sorted(problems, key=lambda f: f.policy):
        if finding.policy not in rules:
            indexes[finding.policy] = len(rules)
            rules[finding.policy] = _rule(finding)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "posture",
                        "version": report.run.tool_version,
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"posture/{report.run.scope or 'audit'}/"},
                "invocations": [
                    {
                        "executionSuccessful": all(s.status != "failed" for s in report.run.sources),
                        "startTimeUtc": report.run.started_at,
                        "endTimeUtc": report.run.finished_at,
                    }
                ],
                "results": [_result(f, indexes[f.policy]) for f in problems],
            }
        ],
    }


def write(report: Report, stream: TextIO) -> None:
    json.dump(document(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
