"""OCSF output: JSON Lines, one OCSF Compliance Finding (class_uid 2003) per line.

The default is OCSF 1.5.0; ``version`` (``--ocsf-version``) writes 1.1.0 ... 1.4.0 for data lakes
pinned to an older schema, leaving out what that release lacks (``compliance.checks`` and
``compliance.desc`` before 1.5, ``evidences`` before 1.4, ``resources`` before 1.3 where the
single ``resource`` is used instead). Each version is validated against its own schema subset
in the tests.

Why Compliance Finding and not Detection Finding (2004, what Prowler emits): posture evaluates
configuration against controls and reports passes as well as failures. Class 2003 carries that
in its ``compliance`` object (``status_id`` Pass/Warning/Fail, ``control``, ``standards``,
``requirements``, ``checks``); a Detection Finding describes something detected (an attack, a
malicious event) and has no place for "this control passed". For a pipeline built around
Prowler's 2004 events, map: ``class_uid`` 2004 / ``type_uid`` 2004xx, keep ``finding_info``,
``resources``, ``cloud``, ``remediation``, ``evidences``, ``severity_id``, ``status_id`` and
``unmapped``; move ``compliance.status`` to ``status_code`` (PASS/FAIL as Prowler writes it) and
the control/requirements to ``finding_info.types`` or ``unmapped``; drop PASS and SKIPPED lines
if the consumer expects only detections (``--status FAIL,ERROR``).

Mapping (also in docs/outputs.md):
- ``finding_info.uid`` = the stable finding uid (same problem, same uid, every run);
  ``finding_info.analytic`` names the policy; ``finding_info.types`` the guide control and
  platform; first/last seen come from history.
- ``compliance.status_id``: PASS 1, ERROR 2 (Warning: no result for lack of information),
  FAIL and WAIVED 3, SKIPPED 99 with status "Not applicable". ``compliance.control`` is the
  guide control; ``requirements`` the policy id and any CIS/NIST reference.
- Lifecycle, kept consistent (Resolved if and only if Close): a current problem (FAIL, ERROR)
  is ``status_id`` 1 New with ``activity_id`` 1 Create when it is new (or there is no history)
  and 2 Update when it persists; WAIVED is 3 Suppressed (the waiver in ``status_detail``), Create
  or Update alike; PASS and SKIPPED are 3 Close with 4 Resolved (a passed check is a closed
  finding, as AWS Security Hub resolves passed controls); a problem resolved since the previous
  run whose resource has gone gets its own Close line, so the SIEM can close it.
- Cloud profile (``metadata.profiles: ["cloud"]``) on findings of cloud and SaaS platforms:
  ``cloud.provider`` (AWS, Azure, GitHub, ...), ``cloud.account`` (the AWS account, Azure
  subscription or tenant, GitHub organization), ``cloud.region`` where the resource has one;
  ``resources[].region``, ``cloud_partition`` (from an AWS ARN) and ``group.name`` (the service:
  ``iam``, ``cloudtrail``, or the resource kind), as Prowler fills them.
- ``evidences[0].data`` and ``unmapped.posture.evidence``: the attribute values the policy read.
- ``unmapped.posture`` keeps what OCSF has no field for: our status, area, tags, waiver, change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from scanner.errors import ConfigError
from scanner.findings import Finding, Report, Severity, Status

OCSF_VERSION = "1.5.0"
VERSIONS = ("1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0")
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
PROVIDERS = {"aws": "AWS", "azure": "Azure", "gcp": "GCP", "github": "GitHub", "atlassian": "Atlassian",
             "intune": "Azure", "google": "Google Workspace"}
# (type_id, type) of cloud.account per platform; type_ids 11+ exist from OCSF 1.4 on.
ACCOUNT_TYPES = {"aws": (10, "AWS Account"), "gcp": (11, "GCP Project"), "azure": (13, "Azure Subscription")}


def check_version(version: str) -> str:
    """``1.1`` / ``1.1.0`` -> ``1.1.0``; a ConfigError naming the choices otherwise."""
    full = version if version.count(".") == 2 else f"{version}.0"
    if full not in VERSIONS:
        raise ConfigError(f"unknown OCSF version {version!r}; versions: {', '.join(v[:-2] for v in VERSIONS)}")
    return full


def _at_least(version: str, minimum: str) -> bool:
    return tuple(int(p) for p in version.split(".")) >= tuple(int(p) for p in minimum.split("."))


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


def _aws_arn(resource_id: str) -> list[str] | None:
    parts = resource_id.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def _cloud(finding: Finding, version: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The event's ``cloud`` object (None for platforms that are not a cloud or SaaS tenant) and
    the cloud fields of its resource."""
    platform = finding.resource.platform
    provider = PROVIDERS.get(platform)
    resource_fields: dict[str, Any] = {"group": {"name": finding.resource.type.split(".", 1)[-1]}}
    if provider is None:
        return None, resource_fields
    account: dict[str, Any] = {"uid": finding.resource.scope, "name": finding.resource.scope}
    type_id, type_name = ACCOUNT_TYPES.get(platform, (99, f"{provider} {'Organization' if platform == 'github' else 'Account'}"))
    if platform == "azure" and f"/subscriptions/{finding.resource.scope}" not in finding.resource.id.lower():
        type_id, type_name = 99, "Entra Tenant"
    if type_id > 10 and type_id != 99 and not _at_least(version, "1.4.0"):
        type_id = 99
    account.update({"type_id": type_id, "type": type_name})
    cloud: dict[str, Any] = {"provider": provider, "account": account}
    arn = _aws_arn(finding.resource.id)
    if arn:
        partition, service, region = arn[1], arn[2], arn[3]
        resource_fields["cloud_partition"] = partition
        resource_fields["group"] = {"name": service}
        if region:
            resource_fields["region"] = region
            cloud["region"] = region
        if _at_least(version, "1.4.0"):
            cloud["cloud_partition"] = partition
    return cloud, resource_fields


def lifecycle(finding: Finding, report: Report, *, closed: bool = False) -> int:
    """The event's ``activity_id``: Close for what passes, skips or was resolved, else Create
    for a new problem (or any problem without history) and Update for a persisting one."""
    if closed or finding.status in (Status.PASS, Status.SKIPPED):
        return 3
    if report.previous_run_id is None or finding.change == "new":
        return 1
    return 2


def finding_to_ocsf(
    finding: Finding,
    report: Report,
    *,
    activity_id: int | None = None,
    closed: bool = False,
    version: str = OCSF_VERSION,
) -> dict[str, Any]:
    """One finding as an OCSF Compliance Finding event (a plain JSON-ready dict)."""
    if activity_id is None:
        activity_id = lifecycle(finding, report, closed=closed)
    severity_id, severity = SEVERITY_IDS[finding.severity]
    if closed:
        compliance_id, compliance_status = COMPLIANCE_STATUS.get(finding.status, (1, "Pass"))
        if finding.status in (Status.FAIL, Status.WAIVED):  # gone since: no longer failing
            compliance_id, compliance_status = (1, "Pass")
    else:
        compliance_id, compliance_status = COMPLIANCE_STATUS[finding.status]
    # Resolved if and only if Close: a consumer never sees a Create of a Resolved finding.
    status_id, status = (4, "Resolved") if activity_id == 3 else FINDING_STATUS[finding.status]
    area = finding.area
    requirements = [finding.policy] + [
        f"{key}: {value}" for key, value in sorted(finding.references.items()) if key != "guide"
    ]
    finding_info: dict[str, Any] = {
        "uid": finding.uid,
        "title": finding.title,
        "desc": finding.message,
        "types": [f"posture/{area}", f"posture/{finding.resource.platform}"],
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
    if finding.evidence:
        posture["evidence"] = dict(finding.evidence)
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
            "version": version,
            "product": {"uid": "posture", "name": "posture", "vendor_name": "posture", "version": report.run.tool_version},
            "log_name": "posture findings",
            "labels": [finding.resource.platform, area],
        },
        "finding_info": finding_info,
        "compliance": {
            "control": area,
            "standards": _standards(finding),
            "requirements": requirements,
            "status_id": compliance_id,
            "status": compliance_status,
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
    if _at_least(version, "1.5.0"):  # compliance.desc and compliance.checks appeared in 1.5
        event["compliance"]["desc"] = _control_title(area)
        event["compliance"]["checks"] = [
                {
                    "uid": finding.policy,
                    "name": finding.title,
                    "severity": finding.severity.value,
                    "severity_id": severity_id,
                    "status": compliance_status,
                    "status_id": compliance_id,
                    "standards": _standards(finding),
                }
            ]
    cloud, resource_fields = _cloud(finding, version)
    event["resources"][0].update(resource_fields)
    if cloud is not None:
        event["cloud"] = cloud
        event["metadata"]["profiles"] = ["cloud"]
    if not _at_least(version, "1.3.0"):  # `resources` (a list) replaced `resource` in 1.3
        event["resource"] = event.pop("resources")[0]
    if finding.evidence and _at_least(version, "1.4.0"):
        # The attribute values the policy read, as OCSF evidence artifacts (`data` is json_t).
        event["evidences"] = [{"data": dict(finding.evidence)}]
    if report.run.run_id:
        event["metadata"]["correlation_uid"] = report.run.run_id
    return event


def _control_title(area: str) -> str:
    # Imported here: compliance imports findings only, but keep outputs free of import cycles.
    from scanner.compliance import GUIDE_TITLES

    return GUIDE_TITLES.get(area, "Not mapped to a guide control")


def events(report: Report, version: str = OCSF_VERSION) -> Iterator[dict[str, Any]]:
    """Every finding as an event, plus a Close event for resolved problems no longer present."""
    version = check_version(version)
    resolved = {f.uid for f in report.resolved}
    for finding in report.findings:
        if finding.uid in resolved:
            yield finding_to_ocsf(finding, report, activity_id=3, version=version)
        else:
            yield finding_to_ocsf(finding, report, version=version)
    present = {f.uid for f in report.findings}
    for finding in report.resolved:
        if finding.uid not in present:
            yield finding_to_ocsf(finding, report, closed=True, version=version)


def lines(report: Report, version: str = OCSF_VERSION) -> Iterator[str]:
    """The JSON Lines, one compact event per line (what the syslog and HEC sinks send)."""
    for event in events(report, version):
        yield json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def write(report: Report, stream: TextIO, *, version: str = OCSF_VERSION) -> None:
    for line in lines(report, version):
        stream.write(line)
        stream.write("\n")
