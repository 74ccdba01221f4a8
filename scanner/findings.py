"""Findings: the result of one policy on one resource, and the report a run produces.

A finding's ``uid`` is a stable hash of (policy id, resource id), so the same problem keeps
the same id across runs, machines and output formats: history, waivers and the SIEM key on it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from scanner.inventory.model import Resource, SourceStatus


class Status(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"  # could not evaluate: unknown attribute, runtime error
    WAIVED = "WAIVED"  # a current waiver covers a failure
    SKIPPED = "SKIPPED"  # the policy's `when` is false for this resource


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 ... info 0."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


def finding_uid(policy_id: str, resource_id: str) -> str:
    """Stable id of the (policy, resource) pair: same inputs, same uid, on any machine."""
    digest = hashlib.sha256(f"{policy_id}\x00{resource_id}".encode()).hexdigest()
    return digest[:32]


@dataclass(frozen=True)
class ResourceRef:
    type: str
    id: str
    name: str
    scope: str

    @classmethod
    def of(cls, resource: Resource) -> ResourceRef:
        return cls(resource.type, resource.id, resource.name, resource.scope)

    @property
    def platform(self) -> str:
        return self.type.split(".", 1)[0]

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "id": self.id, "name": self.name, "scope": self.scope}


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: covers findings of ``policy`` on resources matching ``resource`` (glob)."""

    policy: str
    resource: str
    reason: str
    owner: str
    expires: str  # ISO date
    ticket: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "policy": self.policy,
            "resource": self.resource,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires,
        }
        if self.ticket:
            data["ticket"] = self.ticket
        return data


@dataclass(frozen=True)
class Finding:
    uid: str
    policy: str
    title: str
    severity: Severity
    status: Status
    resource: ResourceRef
    message: str
    remediation: str
    references: Mapping[str, str] = field(default_factory=dict, hash=False)
    tags: tuple[str, ...] = ()
    first_seen: str | None = None
    last_seen: str | None = None
    waiver: Waiver | None = None
    # Against the previous run of the same scope, when history is on: "new" | "persisting" for
    # current problems, "resolved" for a problem of the previous run that is gone (Report.resolved).
    change: str | None = None
    # The attribute values the policy read on this resource ({name: value}, size-capped by
    # ``cap_evidence``), so an auditor sees why without opening the snapshot. Unknown values
    # read as {"unknown": reason}.
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def area(self) -> str:
        """The guide control this finding belongs to (ZT-1 ... OP-6)."""
        return self.references.get("guide", "unmapped")

    @property
    def is_failure(self) -> bool:
        return self.status is Status.FAIL

    def with_changes(self, **changes: Any) -> Finding:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "uid": self.uid,
            "policy": self.policy,
            "title": self.title,
            "severity": self.severity.value,
            "status": self.status.value,
            "resource": self.resource.to_json(),
            "message": self.message,
            "remediation": self.remediation,
            "references": dict(self.references),
            "tags": list(self.tags),
        }
        if self.first_seen:
            data["first_seen"] = self.first_seen
        if self.last_seen:
            data["last_seen"] = self.last_seen
        if self.waiver:
            data["waiver"] = self.waiver.to_json()
        if self.change:
            data["change"] = self.change
        if self.evidence:
            data["evidence"] = dict(self.evidence)
        return data


# Evidence caps: a policy may read a list of 5,000 members; the finding keeps enough to show why.
EVIDENCE_MAX_ITEMS = 20  # list items / mapping keys kept per value
EVIDENCE_MAX_STRING = 300  # characters kept per string
EVIDENCE_MAX_DEPTH = 4  # nesting kept below the attribute
EVIDENCE_MAX_TOTAL = 4096  # characters of JSON for the whole evidence of one finding


def cap_value(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` cut to the evidence caps; cuts are marked in the value."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if len(value) <= EVIDENCE_MAX_STRING:
            return value
        return value[:EVIDENCE_MAX_STRING] + f"… ({len(value) - EVIDENCE_MAX_STRING} more characters)"
    if depth >= EVIDENCE_MAX_DEPTH:
        return "…"
    if isinstance(value, Mapping):
        items = list(value.items())
        capped: dict[str, Any] = {str(k): cap_value(v, depth + 1) for k, v in items[:EVIDENCE_MAX_ITEMS]}
        if len(items) > EVIDENCE_MAX_ITEMS:
            capped["…"] = f"{len(items) - EVIDENCE_MAX_ITEMS} more keys"
        return capped
    if isinstance(value, (list, tuple, set, frozenset)):
        seq = list(value)
        out = [cap_value(v, depth + 1) for v in seq[:EVIDENCE_MAX_ITEMS]]
        if len(seq) > EVIDENCE_MAX_ITEMS:
            out.append(f"… {len(seq) - EVIDENCE_MAX_ITEMS} more")
        return out
    reason = getattr(value, "reason", None)
    if reason is not None:  # inventory.model.Unknown, without importing the inventory layer here
        return {"unknown": cap_value(str(reason), depth + 1)}
    return cap_value(str(value), depth)


def cap_evidence(values: Mapping[str, Any]) -> dict[str, Any]:
    """Evidence of one finding: each value capped, then whole attributes dropped (largest first)
    until the JSON fits ``EVIDENCE_MAX_TOTAL``; dropped names are listed under ``"…"``."""
    capped = {name: cap_value(values[name]) for name in sorted(values)}
    # Runs once per finding: measure exactly (json) only when a cheap count says it might not fit.
    # JSON escaping makes a character at most 6 long (\u0000), hence the division.
    if sum(_rough_size(v) for v in capped.values()) + 8 * len(capped) <= EVIDENCE_MAX_TOTAL // 6:
        return capped
    sizes = {name: len(json.dumps(v, ensure_ascii=False)) + len(name) + 6 for name, v in capped.items()}
    dropped: list[str] = []
    while capped and sum(sizes.values()) + sum(len(n) + 2 for n in dropped) + 40 > EVIDENCE_MAX_TOTAL:
        largest = max(sizes, key=lambda n: sizes[n])
        dropped.append(largest)
        del capped[largest], sizes[largest]
    if dropped:
        capped["…"] = "too large to keep: " + ", ".join(sorted(dropped))
    return capped


def _rough_size(value: Any) -> int:
    """Length of ``value`` as JSON before escaping (escaping makes a character at most 6 long)."""
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, dict):
        return 2 + sum(len(k) + 4 + _rough_size(v) for k, v in value.items())
    if isinstance(value, list):
        return 2 + sum(_rough_size(v) + 1 for v in value)
    return 6  # numbers, booleans, null (an int may be longer; the //6 margin covers it)


@dataclass(frozen=True)
class RunInfo:
    tool_version: str
    started_at: str
    finished_at: str
    sources: tuple[SourceStatus, ...] = ()
    run_id: str | None = None
    scope: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "tool_version": self.tool_version,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "sources": [s.to_json() for s in self.sources],
        }
        if self.run_id:
            data["run_id"] = self.run_id
        if self.scope:
            data["scope"] = self.scope
        return data


@dataclass(frozen=True)
class TrendPoint:
    """One past (or this) run in the failure trend the HTML report draws."""

    run_id: str
    finished_at: str
    failures: int
    failures_by_severity: Mapping[str, int] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "finished_at": self.finished_at, "failures": self.failures,
                "failures_by_severity": dict(self.failures_by_severity)}


def trend_from_runs(runs: Iterable[Any], limit: int = 12) -> tuple[TrendPoint, ...]:
    """Trend points, oldest first, from stored runs (``history.RunRecord``: run_id, finished_at,
    summary) — the pipeline passes ``store.runs(scope=...)`` after recording this run."""
    points = [
        TrendPoint(
            run_id=str(run.run_id),
            finished_at=str(run.finished_at),
            failures=int((run.summary.get("by_status") or {}).get("FAIL", 0)),
            failures_by_severity={str(k): int(v) for k, v in (run.summary.get("failures_by_severity") or {}).items()},
        )
        for run in runs
    ]
    points.sort(key=lambda p: (p.finished_at, p.run_id))
    return tuple(points[-limit:])


@dataclass(frozen=True)
class Report:
    """Everything the outputs render: the run, its findings and, when known, what changed.

    ``resolved`` holds findings that failed in the previous run and no longer do;
    ``notices`` holds run-level remarks for people (expired or unmatched waivers, ...);
    ``people`` holds the per-person access view (plain rows) when a roster was correlated;
    ``trend`` the failures of the last runs of this scope (oldest first) when history is on.
    """

    run: RunInfo
    findings: tuple[Finding, ...]
    resolved: tuple[Finding, ...] = ()
    notices: tuple[str, ...] = ()
    previous_run_id: str | None = None
    people: tuple[Mapping[str, Any], ...] = ()
    # Paths from people to cloud roles (name, gated, hops, target): the HTML report draws them.
    paths: tuple[Mapping[str, Any], ...] = ()
    trend: tuple[TrendPoint, ...] = ()

    def by_status(self) -> dict[str, int]:
        counts = Counter(f.status.value for f in self.findings)
        return {s.value: counts.get(s.value, 0) for s in Status}

    def failures_by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity.value for f in self.findings if f.is_failure)
        return {s.value: counts.get(s.value, 0) for s in Severity}

    def failures(self) -> list[Finding]:
        """FAIL findings, worst first, then by policy and resource for a stable order."""
        return sorted(
            (f for f in self.findings if f.is_failure),
            key=lambda f: (-f.severity.rank, f.policy, f.resource.id),
        )

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "total": len(self.findings),
            "by_status": self.by_status(),
            "failures_by_severity": self.failures_by_severity(),
        }
        if self.recorded:
            data["new"] = sum(1 for f in self.findings if f.is_failure and f.change == "new")
            data["resolved"] = len(self.resolved)
        return data

    @property
    def recorded(self) -> bool:
        """True when history stamped this report (so new / resolved are meaningful)."""
        return self.run.run_id is not None

    def with_findings(self, findings: Iterable[Finding]) -> Report:
        return replace(self, findings=tuple(findings))


def worst_failure(findings: Iterable[Finding], *, new_only: bool = False) -> Severity | None:
    """The highest severity among failures (optionally only those new since the last run)."""
    worst: Severity | None = None
    for finding in findings:
        if not finding.is_failure or (new_only and finding.change != "new"):
            continue
        if worst is None or finding.severity.rank > worst.rank:
            worst = finding.severity
    return worst


@dataclass(frozen=True)
class Selection:
    """Which findings go to the outputs and sinks (``--policy``, ``--exclude-policy``,
    ``--severity``, ``--status``). History and the exit code always see every finding: a filter
    for what is shown never turns a red gate green.

    ``policies`` and ``exclude`` hold policy ids or globs (``github_*``); empty means all.
    """

    policies: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    severities: frozenset[Severity] = frozenset()
    statuses: frozenset[Status] = frozenset()

    @classmethod
    def parse(
        cls,
        policies: Iterable[str] = (),
        exclude: Iterable[str] = (),
        severities: Iterable[str] = (),
        statuses: Iterable[str] = (),
    ) -> Selection:
        """From flag values (each may be comma-separated); a ValueError names a bad value."""

        def split(values: Iterable[str]) -> list[str]:
            return [part.strip() for value in values for part in str(value).split(",") if part.strip()]

        try:
            chosen_severities = frozenset(Severity(v.lower()) for v in split(severities))
        except ValueError:
            raise ValueError(f"--severity takes {', '.join(s.value for s in Severity)}") from None
        try:
            chosen_statuses = frozenset(Status(v.upper()) for v in split(statuses))
        except ValueError:
            raise ValueError(f"--status takes {', '.join(s.value for s in Status)}") from None
        return cls(tuple(split(policies)), tuple(split(exclude)), chosen_severities, chosen_statuses)

    @property
    def everything(self) -> bool:
        return not (self.policies or self.exclude or self.severities or self.statuses)

    def wants_policy(self, policy_id: str) -> bool:
        if self.policies and not any(fnmatch.fnmatchcase(policy_id, p) for p in self.policies):
            return False
        return not any(fnmatch.fnmatchcase(policy_id, p) for p in self.exclude)

    def matches(self, finding: Finding) -> bool:
        return (
            self.wants_policy(finding.policy)
            and (not self.severities or finding.severity in self.severities)
            and (not self.statuses or finding.status in self.statuses)
        )

    def unmatched_patterns(self, policy_ids: Iterable[str]) -> list[str]:
        """``--policy``/``--exclude-policy`` values that name no loaded policy (likely typos)."""
        ids = list(policy_ids)
        return [p for p in (*self.policies, *self.exclude) if not any(fnmatch.fnmatchcase(i, p) for i in ids)]


def select_findings(report: Report, selection: Selection) -> Report:
    """The report as the outputs and sinks should see it.

    Findings are kept when they match every criterion. Resolved problems (``report.resolved``,
    which the SIEM needs to close its open findings) are kept by policy and severity whatever
    ``--status`` says. Counts in the summary are of what is kept; a notice says a selection
    applied, so a reader does not take a filtered report for the whole audit.
    """
    if selection.everything:
        return report
    kept = tuple(f for f in report.findings if selection.matches(f))
    resolved = tuple(
        f for f in report.resolved
        if selection.wants_policy(f.policy) and (not selection.severities or f.severity in selection.severities)
    )
    parts = []
    if selection.policies:
        parts.append("policy " + ",".join(selection.policies))
    if selection.exclude:
        parts.append("not policy " + ",".join(selection.exclude))
    if selection.severities:
        parts.append("severity " + ",".join(s.value for s in Severity if s in selection.severities))
    if selection.statuses:
        parts.append("status " + ",".join(s.value for s in Status if s in selection.statuses))
    notice = f"Selection applied ({'; '.join(parts)}): {len(kept)} of {len(report.findings)} findings shown"
    return replace(report, findings=kept, resolved=resolved, notices=(*report.notices, notice))
