"""SARIF 2.1.0 output, for GitHub code scanning (``github/codeql-action/upload-sarif``).

One rule per policy that has a FAIL or WAIVED finding; one result per such finding. Waived
findings carry a SARIF ``suppressions`` entry (kind external, the waiver as justification), so
code scanning shows them as dismissed rather than open. Passing, skipped and errored findings
are left out: code scanning is a list of problems.

Posture findings are about settings, not lines of code, but code scanning requires a physical
location on every result, and it tells alerts apart by (rule, file, line) and by
``partialFingerprints.primaryLocationLineHash`` (custom fingerprints are ignored). So:

- ``primaryLocationLineHash`` is ``<finding uid>:1``: stable across runs and machines, distinct
  per (policy, resource), so an alert keeps its identity and closes when the finding does.
- The location is the real file where the finding is about one (a workflow under
  ``.github/workflows/``, the CODEOWNERS file, IaC under ``deploy/``) and the file lives in the
  repository the SARIF is uploaded to (``repository``, default ``$GITHUB_REPOSITORY``);
  otherwise a per-resource pseudo-path ``posture/<platform>/<resource...>`` (OpenSSF Scorecard
  likewise points repository-setting alerts at a path that is not a real file), line 1.
- The audited resource is also named in ``logicalLocations`` and in the message.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, TextIO

from scanner.findings import Finding, Report, Severity, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
PSEUDO_ROOT = "posture"
# Evidence keys (attribute names) that hold a path to a file in a repository.
FILE_KEYS = ("path", "file", "file_path", "workflow_path", "codeowners_path", "iac_path")
# Files code scanning can show: workflows, CODEOWNERS (root, .github/, docs/), IaC under deploy/.
_REAL_FILE = re.compile(r"^(\.github/workflows/[^/]+\.ya?ml|(\.github/|docs/)?CODEOWNERS|deploy/.+)$")
_UNSAFE_SEGMENT = re.compile(r"[^A-Za-z0-9._@+=,-]+")
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


def _repository_of(finding: Finding) -> tuple[str | None, str]:
    """(``owner/repo``, path inside it) for a GitHub resource id ``github:owner/repo[/path]``."""
    if finding.resource.platform != "github" or not finding.resource.id.startswith("github:"):
        return None, ""
    parts = finding.resource.id[len("github:"):].split("/", 2)
    if len(parts) < 2:
        return None, ""
    return f"{parts[0]}/{parts[1]}", parts[2] if len(parts) > 2 else ""


def _file_of(finding: Finding) -> str | None:
    """The repository file the finding is about, if any: from the resource id or the evidence."""
    _, inside = _repository_of(finding)
    candidates = [inside] + [str(finding.evidence[k]) for k in FILE_KEYS if isinstance(finding.evidence.get(k), str)]
    for candidate in candidates:
        path = candidate.strip().lstrip("/")
        if path and ".." not in path.split("/") and ":" not in path and _REAL_FILE.match(path):
            return path
    return None


def _pseudo_path(finding: Finding) -> str:
    """``posture/<platform>/<segments of the resource id>``: one distinct path per resource."""
    rid = finding.resource.id
    if rid.startswith("arn:"):  # arn:partition:service:region:account:resource
        parts = rid.split(":", 5)
        segments = [parts[4] or "global", parts[2], parts[3] or "global", *parts[5].replace(":", "/").split("/")]
    else:
        segments = rid.split(":", 1)[-1].split("/")
    clean = [_UNSAFE_SEGMENT.sub("_", s).strip("_") or "_" for s in segments if s]
    return "/".join([PSEUDO_ROOT, finding.resource.platform, *clean])


def artifact_uri(finding: Finding, repository: str | None = None) -> str:
    """Where code scanning shows the finding: a real file of ``repository``, else a pseudo-path."""
    path = _file_of(finding)
    owner_repo, _ = _repository_of(finding)
    if path and owner_repo and repository and owner_repo.lower() == repository.lower():
        return path
    if path and owner_repo:
        return "/".join([PSEUDO_ROOT, "github", owner_repo, path])
    return _pseudo_path(finding)


def _result(finding: Finding, rule_index: int, repository: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.policy,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": f"{finding.message} [{finding.resource.id}]"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding, repository)},
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
        "partialFingerprints": {"primaryLocationLineHash": f"{finding.uid}:1", "postureFindingUid/v1": finding.uid},
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


def document(report: Report, repository: str | None = None) -> dict[str, Any]:
    """The SARIF log as a dict. ``repository`` (``owner/repo``, default ``$GITHUB_REPOSITORY``)
    is where it will be uploaded: only that repository's files are real locations."""
    if repository is None:
        repository = os.environ.get("GITHUB_REPOSITORY") or None
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
                "results": [_result(f, indexes[f.policy], repository) for f in problems],
            }
        ],
    }


def write(report: Report, stream: TextIO) -> None:
    json.dump(document(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
