"""CSV output: one row per finding, for spreadsheets and ticket imports.

Cells that a spreadsheet would run as a formula (= + - @, also after leading blanks, or a
leading tab/CR/LF) are prefixed with a single quote (``scanner.outputs.safe.defuse_formula``,
shared with ``posture people --format csv``): resource names come from the audited platforms,
and a repository called ``=HYPERLINK(...)`` must not become a live formula on the auditor's machine.
"""

from __future__ import annotations

import csv
from typing import TextIO

from scanner.findings import Finding, Report
from scanner.outputs.safe import defuse_formula

COLUMNS = (
    "uid",
    "status",
    "severity",
    "policy",
    "title",
    "platform",
    "resource_type",
    "resource_id",
    "resource_name",
    "scope",
    "guide",
    "cis",
    "message",
    "remediation",
    "change",
    "first_seen",
    "last_seen",
    "waiver_owner",
    "waiver_expires",
    "waiver_reason",
    "waiver_ticket",
)


def safe_cell(value: str | None) -> str:
    """The value, defused if a spreadsheet would evaluate it."""
    return defuse_formula(value)


def row(finding: Finding) -> dict[str, str]:
    waiver = finding.waiver
    values = {
        "uid": finding.uid,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "policy": finding.policy,
        "title": finding.title,
        "platform": finding.resource.platform,
        "resource_type": finding.resource.type,
        "resource_id": finding.resource.id,
        "resource_name": finding.resource.name,
        "scope": finding.resource.scope,
        "guide": finding.references.get("guide", ""),
        "cis": finding.references.get("cis", ""),
        "message": finding.message,
        "remediation": finding.remediation,
        "change": finding.change,
        "first_seen": finding.first_seen,
        "last_seen": finding.last_seen,
        "waiver_owner": waiver.owner if waiver else None,
        "waiver_expires": waiver.expires if waiver else None,
        "waiver_reason": waiver.reason if waiver else None,
        "waiver_ticket": waiver.ticket if waiver else None,
    }
    return {key: safe_cell(value) for key, value in values.items()}


def write(report: Report, stream: TextIO) -> None:
    """Header, then findings worst first (failures, then the rest), in a stable order."""
    # RFC 4180 line ends: Python quotes a cell holding a bare CR only when CR is in the terminator.
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    order = {"FAIL": 0, "ERROR": 1, "WAIVED": 2, "PASS": 3, "SKIPPED": 4}
    for finding in sorted(
        report.findings, key=lambda f: (order[f.status.value], -f.severity.rank, f.policy, f.resource.id)
    ):
        writer.writerow(row(finding))
