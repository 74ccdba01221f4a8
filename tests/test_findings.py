"""Findings: stable uids, severity order, report summaries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scanner.findings import Finding, Report, ResourceRef, RunInfo, Severity, Status, finding_uid, worst_failure


@given(st.text(min_size=1), st.text(min_size=1))
def test_uid_is_deterministic_and_pair_specific(policy: str, resource: str) -> None:
    assert finding_uid(policy, resource) == finding_uid(policy, resource)
    assert len(finding_uid(policy, resource)) == 32
    assert finding_uid(policy, resource) != finding_uid(policy + "x", resource)


def test_uid_is_fixed_across_versions() -> None:
    # Stored values: changing the hash would break history, waivers and SIEM correlation. The
    # literals are sha256("<policy>\0<resource>")[:32], written down once, so any change to the rule fails.
    assert finding_uid("github_org_requires_2fa", "github:acme") == "a587ccc45c79b7ccf028cbd0f129fe32"
    assert finding_uid("aws_root_mfa", "aws:123456789012") == "2073588f3c96197b0bdddecbdc8e955c"
    assert finding_uid("a", "b") != finding_uid("a\x00b", "")


def test_severity_order() -> None:
    ranks = [s.rank for s in Severity]
    assert ranks == sorted(ranks, reverse=True)
    assert Severity.CRITICAL.at_least(Severity.HIGH) and not Severity.LOW.at_least(Severity.MEDIUM)


def make(policy: str, severity: Severity, status: Status, change: str | None = None) -> Finding:
    return Finding(finding_uid(policy, "r"), policy, policy, severity, status, ResourceRef("t.x", "r", "r", "s"),
                   "m", "fix", {"guide": "ZT-1"}, change=change)


def test_report_summary_and_worst_failure() -> None:
    findings = (make("a", Severity.LOW, Status.FAIL), make("b", Severity.HIGH, Status.FAIL, change="new"),
                make("c", Severity.CRITICAL, Status.PASS), make("d", Severity.CRITICAL, Status.WAIVED))
    report = Report(RunInfo("0", "t0", "t1"), findings)
    assert report.by_status()["FAIL"] == 2 and report.by_status()["WAIVED"] == 1
    assert report.failures_by_severity() == {"critical": 0, "high": 1, "medium": 0, "low": 1, "info": 0}
    assert [f.policy for f in report.failures()] == ["b", "a"]
    assert worst_failure(findings) is Severity.HIGH
    assert worst_failure([make("a", Severity.LOW, Status.FAIL)], new_only=True) is None
