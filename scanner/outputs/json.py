"""The tool's own JSON findings document: the contract other tools read.

    {"schema": "posture.findings/1",
     "run": {tool_version, started_at, finished_at, sources: [...]},
     "summary": {total, by_status, failures_by_severity[, new, resolved]},
     "findings": [{uid, policy, title, severity, status, resource: {type, id, name, scope},
                   message, remediation, references, tags[, first_seen, last_seen, waiver, change,
                   evidence: {attribute: value read by the policy, size-capped}]}],
     "resolved": [...], "notices": [...]}
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from scanner.findings import Report

SCHEMA = "posture.findings/1"


def document(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "run": report.run.to_json(),
        "summary": report.summary(),
        "findings": [f.to_json() for f in report.findings],
    }
    if report.recorded:
        data["previous_run_id"] = report.previous_run_id
        data["resolved"] = [f.to_json() for f in report.resolved]
    if report.notices:
        data["notices"] = list(report.notices)
    return data


def write(report: Report, stream: TextIO) -> None:
    json.dump(document(report), stream, indent=2)
    stream.write("\n")
