"""The compliance view: results grouped by a framework's controls (`posture report --framework`).

Frameworks: ``guide`` (the default: the 16 controls of the guide this tool was built from,
DESIGN §4), and ``cis-github`` / ``cis-aws`` / ``cis-azure`` (the CIS benchmark sections our
policies name in ``references.cis``). For the guide every control is listed, and a control no
policy enforces is "not covered", never passing. CIS's own catalogue is licensed and not shipped,
so a CIS view lists the sections the baseline maps, each with its policies.

A control's status, worst first: FAIL (a policy fails somewhere), ERROR (some resource could not
be evaluated), PASS (evaluated, nothing failing; waived failures are counted but do not fail
it), NOT_EVALUATED (policies exist but nothing they apply to was found), NOT_COVERED.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from scanner.errors import ConfigError
from scanner.findings import Finding, Status

GUIDE_CONTROLS: tuple[tuple[str, str], ...] = (
    ("ZT-1", "Identity-first access using SSO and MFA"),
    ("ZT-2", "Least-privilege permissions across GitHub, AWS, Azure, GCP, Jira and internal tooling"),
    ("ZT-3", "Managed devices: enforced updates, disk encryption, endpoint protection"),
    ("ZT-4", "Environment separation between production, staging and development"),
    ("ZT-5", "Centralized logging for access and administrative actions"),
    ("WF-1", "Source control: branch protections, code-owner review, secret scanning"),
    ("WF-2", "Cloud access: role-based access, audit logs, short-lived credentials"),
    ("WF-3", "CI/CD: approval gates, credential isolation, build integrity checks"),
    ("WF-4", "Collaboration tools: SSO, data retention rules, restricted admin rights"),
    ("WF-5", "AI workflows: controlled dataset access, prompt handling, model artifact governance"),
    ("OP-1", "A named security owner for the distributed team"),
    ("OP-2", "Access provisioned through IT, not ad hoc requests"),
    ("OP-3", "Access reviews documented on a fixed cadence"),
    ("OP-4", "Access revoked the same day someone exits"),
    ("OP-5", "Security onboarding before production permissions"),
    ("OP-6", "Vendors and staffing partners that touch code, data or credentials are audited"),
)
GUIDE_TITLES: Mapping[str, str] = dict(GUIDE_CONTROLS)
GUIDE_FRAMEWORK = "Zero-trust guide for distributed engineering teams"


def frameworks() -> dict[str, str]:
    """``guide`` and one ``cis-<platform>`` per registered platform that names its CIS benchmark."""
    from scanner.collectors import platforms

    found = {"guide": GUIDE_FRAMEWORK}
    found.update({f"cis-{p.name}": p.cis_benchmark for p in platforms() if p.cis_benchmark})
    return found


_SECTION = re.compile(r"(\d+(?:\.\d+)+|\d+)\s*$")

# Resource-type prefixes that are views over the platforms rather than platforms.
DERIVED_PREFIXES = frozenset({"roster", "path"})

NOT_COVERED = "NOT_COVERED"
NOT_EVALUATED = "NOT_EVALUATED"
STATUS_ORDER = ("FAIL", "ERROR", "PASS", NOT_EVALUATED, NOT_COVERED)


class PolicyLike(Protocol):
    """What the compliance view needs from a policy (scanner.policy.model.Policy has these)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def resource(self) -> str: ...

    @property
    def references(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class PolicyResult:
    policy: str
    title: str
    resource_type: str
    counts: Mapping[str, int]  # status value -> findings

    @property
    def status(self) -> str:
        return _status_of(self.counts)

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "title": self.title,
            "resource_type": self.resource_type,
            "status": self.status,
            "counts": dict(self.counts),
        }


@dataclass(frozen=True)
class ControlResult:
    control: str
    title: str
    policies: tuple[PolicyResult, ...]

    @property
    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for policy in self.policies:
            total.update(policy.counts)
        return {s.value: total.get(s.value, 0) for s in Status}

    @property
    def status(self) -> str:
        if not self.policies:
            return NOT_COVERED
        return _status_of(self.counts)

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms whose policies back this control (the resource type's prefix); the roster
        and code-to-cloud paths are derived views, not platforms of their own."""
        return tuple(sorted({p.resource_type.split(".", 1)[0] for p in self.policies} - DERIVED_PREFIXES))

    def to_json(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "title": self.title,
            "status": self.status,
            "counts": self.counts,
            "policy_count": len(self.policies),
            "platforms": list(self.platforms),
            "policies": [p.to_json() for p in self.policies],
        }


@dataclass(frozen=True)
class ComplianceReport:
    framework: str
    title: str
    controls: tuple[ControlResult, ...]

    def status_counts(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.controls)
        return {s: counts.get(s, 0) for s in STATUS_ORDER}

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "title": self.title,
            "summary": self.status_counts(),
            "controls": [c.to_json() for c in self.controls],
        }

    def to_text(self) -> str:
        """Markdown: one row per control, then its policies indented beneath."""
        summary = ", ".join(f"{n} {s.lower().replace('_', ' ')}" for s, n in self.status_counts().items() if n)
        lines = [f"# {self.title} ({self.framework})", "", f"Controls: {summary}", ""]
        lines += ["| control | status | title / policy | pass | fail | waived | error |", "|---|---|---|---|---|---|---|"]
        for control in self.controls:
            c = control.counts
            backing = f" ({len(control.policies)} policies; {', '.join(control.platforms) or 'no platform'})"
            lines.append(
                f"| **{control.control}** | {control.status} | {_cell(control.title)}{backing if control.policies else ''} | "
                f"{c['PASS']} | {c['FAIL']} | {c['WAIVED']} | {c['ERROR']} |"
            )
            for p in control.policies:
                pc = p.counts
                lines.append(
                    f"| | {p.status} | `{p.policy}` {_cell(p.title)} | {pc.get('PASS', 0)} | "
                    f"{pc.get('FAIL', 0)} | {pc.get('WAIVED', 0)} | {pc.get('ERROR', 0)} |"
                )
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _status_of(counts: Mapping[str, int]) -> str:
    if counts.get("FAIL", 0):
        return "FAIL"
    if counts.get("ERROR", 0):
        return "ERROR"
    if counts.get("PASS", 0) or counts.get("WAIVED", 0):
        return "PASS"
    return NOT_EVALUATED


def guide_controls(references: Mapping[str, str]) -> tuple[str, ...]:
    """The guide controls a policy serves: ``references.guide`` first, then any further controls
    ``references.guide_also`` names (comma-separated), e.g. an IAM-users-beside-federation check is
    identity-first access (ZT-1) and evidence that access is provisioned through IT (OP-2)."""
    controls = [references.get("guide", "")]
    controls += [c.strip() for c in references.get("guide_also", "").split(",") if c.strip()]
    return tuple(dict.fromkeys(c for c in controls if c))


def cis_sections(reference: str) -> list[str]:
    """Section numbers in a ``references.cis`` value: "CIS AWS Foundations 3.0 1.10, 1.11" -> [1.10, 1.11]."""
    sections = []
    for part in re.split(r"[,;]", reference):
        match = _SECTION.search(part.strip())
        if match:
            sections.append(match.group(1))
    return sections


_BENCHMARK_VERSION = re.compile(r"\bv(\d+(?:\.\d+)*)", re.IGNORECASE)


def _version_of(reference: str) -> str | None:
    """The benchmark version a ``references.cis`` value names ("... v3.0.0 1.4" -> "3.0.0")."""
    match = _BENCHMARK_VERSION.search(reference)
    return match.group(1) if match else None


def _section_key(section: str) -> tuple[int, ...]:
    return tuple(int(x) for x in section.split("."))


def build_compliance(
    framework: str, policies: Sequence[PolicyLike], findings: Iterable[Finding]
) -> ComplianceReport:
    """Group ``policies`` and their ``findings`` by the controls of ``framework``."""
    known = frameworks()
    if framework not in known:
        raise ConfigError(f"unknown framework {framework!r}; choose one of {', '.join(known)}")
    counts: dict[str, Counter[str]] = {}
    for finding in findings:
        counts.setdefault(finding.policy, Counter())[finding.status.value] += 1

    def result(policy: PolicyLike) -> PolicyResult:
        c = counts.get(policy.id, Counter())
        return PolicyResult(policy.id, policy.title, policy.resource, {s.value: c.get(s.value, 0) for s in Status})

    ordered = sorted(policies, key=lambda p: p.id)
    controls: list[ControlResult] = []
    if framework == "guide":
        for control, title in GUIDE_CONTROLS:
            members = tuple(result(p) for p in ordered if control in guide_controls(p.references))
            controls.append(ControlResult(control, title, members))
        unmapped = tuple(result(p) for p in ordered if p.references.get("guide") not in GUIDE_TITLES)
        if unmapped:
            controls.append(ControlResult("unmapped", "Policies that name no guide control", unmapped))
    else:
        platform = framework.removeprefix("cis-")
        references = {
            p.id: p.references["cis"]
            for p in ordered
            if p.references.get("cis") and p.resource.split(".", 1)[0] == platform
        }
        # Controls are numbered per benchmark version (CIS AWS 3.3 is the log bucket in v2.0.0 and
        # AWS Config in v3.0.0): a reference to another version than most keeps its version label.
        versions = Counter(_version_of(r) for r in references.values())
        main_version = versions.most_common(1)[0][0] if versions else None
        by_section: dict[tuple[tuple[int, ...], str], list[PolicyResult]] = {}
        titles: dict[tuple[tuple[int, ...], str], str] = {}
        for policy in ordered:
            reference = references.get(policy.id)
            if reference is None:
                continue
            version = _version_of(reference)
            for section in cis_sections(reference):
                label = section if version in (None, main_version) else f"{section} (v{version})"
                key = (_section_key(section), label)
                by_section.setdefault(key, []).append(result(policy))
                titles.setdefault(key, reference)
        for key in sorted(by_section):
            controls.append(ControlResult(key[1], titles[key], tuple(by_section[key])))
    return ComplianceReport(framework, known[framework], tuple(controls))
