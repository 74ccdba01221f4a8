"""OCSF output: JSON Lines, one OCSF 1.5.0 Compliance Finding (class_uid 2003) per line.

Why Compliance Finding and not Detection Finding (2004, what Prowler emits): posture evaluates
configuration against controls and reports passes as well as failures. Class 2003 carries that
in its required ``compliance`` object (``status_id`` Pass/Warning/Fail, ``control``,
``standards``, ``requirements``, ``checks``); a Detection Finding describes something detected
(an attack, a malicious event) and has no place for "this control passed".

Mapping (also in the README, "Outputs"):
- ``finding_info.uid`` = the stable finding uid (same problem, same uid, every run);
  ``finding_info.analytic`` names the policy; first/last seen come from history.
- ``compliance.status_id``: PASS 1, ERROR 2 (Warning: no result for lack of information),
  FAIL and WAIVED 3, SKIPPED 99 with status "Not applicable". ``compliance.control`` is the
  guide control; ``requirements`` the policy id and any CIS/NIST reference.
- Finding lifecycle ``status_id``: FAIL and ERROR 1 New, WAIVED 3 Suppressed (the waiver in
  ``status_detail``), PASS and SKIPPED 4 Resolved (as AWS Security Hub does for passed checks).
- ``activity_id``: 1 Create when the problem is new (or there is no history), 2 Update,
  3 Close for a problem resolved since the previous run. A resolved problem whose resource
  has gone gets its own Close line, so the SIEM can close it.
- ``unmapped.posture`` keeps what OCSF has no field for: our status, area, tags, waiver, change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from scanner.findings import Finding, Report, Severity, Status

OCSF_VERSION = "1.5.0"
CLASS_UID = 2003
CATEGORY_UID = 2
SEVERITY_IDS = {
    Severity.CRITICAL: (5, "Critical"),
    Severity.HIGH: (4, "High"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.LOW: (2, "Low"),
    Severity.INFO: (1, "Informational"),
}
COMPLIANCE_STATUS = {
    Status.PASS: (1, "Pass"),
    Status.ERROR: (2, "Warning"),
    Status.FAIL: (3, "Fail"),
    Status.WAIVED: (3, "Fail"),
    Status.SKIPPED: (99, "Not applicable"),
}
FINDING_STATUS = {
    Status.FAIL: (1, "New"),
    Status.ERROR: (1, "New"),
    Status.WAIVED: (3, "Suppressed"),
    Status.PASS: (4, "Resolved"),
    Status.SKIPPED: (4, "Resolved"),
}
ACTIVITIES = {1: "Create", 2: "Update", 3: "Close"}


def epoch_ms(timestamp: str | None) -> int | None:
    """ISO 8601 (``...Z``) -> milliseconds since the epoch, as OCSF timestamps are."""
    if not timestamp:
        return None
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000)


def _standards(finding: Finding) -> list[str]:
    standards = ["posture zero-trust guide"]
    for key in ("cis", "nist"):
        if finding.references.get(key):
            standards.append(str(finding.references[key]))
    return standards


def finding_to_ocsf(
    finding: Finding, report: Report, *, activity_id: int | None = None, closed: bool = False
) -> dict[str, Any]:
    """One finding as an OCSF Compliance Finding event (a plain JSON-ready dict)."""
    if activity_id is None:
        if closed:
            activity_id = 3
        elif report.previous_run_id is None or finding.change == "new":
            activity_id = 1
        else:
            activity_id = 2
    severity_id, severity = SEVERITY_IDS[finding.severity]
    if closed:
        compliance_id, compliance_status = COMPLIANCE_STATUS.get(finding.status, (1, "Pass"))
        if finding.status in (Status.FAIL, Status.WAIVED):  # gone since: no longer failing
            compliance_id, compliance_status = (1, "Pass")
        status_id, status = (4, "Resolved")
    else:
        compliance_id, compliance_status = COMPLIANCE_STATUS[finding.status]
        status_id, status = FINDING_STATUS[finding.status]
    area = finding.area
    requirements = [finding.policy] + [
        f"{key}: {value}" for key, value in sorted(finding.references.items()) if key != "guide"
    ]
    finding_info: dict[str, Any] = {
        "uid": finding.uid,
        "title": finding.title,
        "desc": finding.message,
        "types": [f"posture/{area}"],
        "analytic": {"uid": finding.policy, "name": finding.policy, "type_id": 1, "type": "Rule"},
    }
    if finding.first_seen:
        finding_info["first_seen_time"] = epoch_ms(finding.first_seen)
    if finding.last_seen:
        finding_info["last_seen_time"] = epoch_ms(finding.last_seen)
    status_detail = finding.message
    if finding.waiver and not closed:
        w = finding.waiver
        ticket = f", ticket {w.ticket}" if w.ticket else ""
        status_detail = f"Waived by {w.owner} until {w.expires}{ticket}: {w.reason}"
    posture: dict[str, Any] = {
        "status": "RESOLVED" if closed else finding.status.value,
        "area": area,
        "platform": finding.resource.platform,
        "tags": list(finding.tags),
        "references": dict(finding.references),
    }
    if finding.change or closed:
        posture["change"] = "resolved" if closed else finding.change
    if finding.waiver and not closed:
        posture["waiver"] = finding.waiver.to_json()
    if report.run.run_id:
        posture["run_id"] = report.run.run_id
    event: dict[str, Any] = {
        "activity_id": activity_id,
        "activity_name": ACTIVITIES[activity_id],
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"Compliance Finding: {ACTIVITIES[activity_id]}",
        "time": epoch_ms(report.run.finished_at),
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "status_code": "RESOLVED" if closed else finding.status.value,
        "status_detail": status_detail,
        "message": finding.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "posture", "vendor_name": "posture", "version": report.run.tool_version},
            "log_name": "posture findings",
            "labels": [finding.resource.platform, area],
        },
        "finding_info": finding_info,
        "compliance": {
            "control": area,
            "desc": _control_title(area),
            "standards": _standards(finding),
            "requirements": requirements,
            "status_id": compliance_id,
            "status": compliance_status,
            "checks": [
                {
                    "uid": finding.policy,
                    "name": finding.title,
                    "severity": finding.severity.value,
                    "severity_id": severity_id,
                    "status": compliance_status,
                    "status_id": compliance_id,
                    "standards": _standards(finding),
                }
            ],
        },
        "resources": [
            {
                "uid": finding.resource.id,
                "name": finding.resource.name,
                "type": finding.resource.type,
                "namespace": finding.resource.scope,
                "labels": [finding.resource.platform],
                "data": {"scope": finding.resource.scope, "platform": finding.resource.platform},
            }
        ],
        "remediation": {
            "desc": finding.remediation or "No remediation text for this policy.",
            "references": [f"{key}: {value}" for key, value in sorted(finding.references.items())],
        },
        "unmapped": {"posture": posture},
    }
    if report.run.run_id:
        event["metadata"]["correlation_uid"] = report.run.run_id
    return event


def _control_title(area: str) -> str:
    # Imported here: compliance imports findings only, but keep outputs free of import cycles.
    from scanner.compliance import GUIDE_TITLES

    return GUIDE_TITLES.get(area, "Not mapped to a guide control")


def events(report: Report) -> Iterator[dict[str, Any]]:
    """Every finding as an event, plus a Close event for resolved problems no longer present."""
    resolved = {f.uid for f in report.resolved}
    for finding in report.findings:
        if finding.uid in resolved:
            yield finding_to_ocsf(finding, report, activity_id=3)
        else:
            yield finding_to_ocsf(finding, report)
    present = {f.uid for f in report.findings}
    for finding in report.resolved:
        if finding.uid not in present:
            yield finding_to_ocsf(finding, report, closed=True)


def lines(report: Report) -> Iterator[str]:
    """The JSON Lines, one compact event per line (what the syslog and HEC sinks send)."""
    for event in events(report):
        yield json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def write(report: Report, stream: TextIO) -> None:
    for line in lines(report):
        stream.write(line)
        stream.write("\n")
