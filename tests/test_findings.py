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


def test_selection_filters_outputs_by_policy_glob_severity_and_status() -> None:
    from scanner.findings import Selection, select_findings

    findings = (make("github_a", Severity.HIGH, Status.FAIL), make("github_b", Severity.LOW, Status.PASS),
                make("aws_c", Severity.CRITICAL, Status.ERROR), make("aws_d", Severity.HIGH, Status.SKIPPED))
    report = Report(RunInfo("0", "t0", "t1"), findings, resolved=(make("github_e", Severity.HIGH, Status.FAIL),))

    def kept(**flags: object) -> list[str]:
        return [f.policy for f in select_findings(report, Selection.parse(**flags)).findings]  # type: ignore[arg-type]

    assert kept() == ["github_a", "github_b", "aws_c", "aws_d"]
    assert kept(policies=["github_*"]) == ["github_a", "github_b"]
    assert kept(policies=["github_*,aws_c"], exclude=["github_b"]) == ["github_a", "aws_c"]
    assert kept(severities=["critical,HIGH"]) == ["github_a", "aws_c", "aws_d"]
    assert kept(statuses=["fail,ERROR"]) == ["github_a", "aws_c"]
    selected = select_findings(report, Selection.parse(statuses=["FAIL"]))
    assert [f.policy for f in selected.resolved] == ["github_e"]  # closures still reach the SIEM
    assert selected.notices[-1] == "Selection applied (status FAIL): 1 of 4 findings shown"
    assert selected.summary()["total"] == 1
    assert select_findings(report, Selection()) is report


def test_selection_rejects_bad_values_and_reports_patterns_matching_nothing() -> None:
    import pytest

    from scanner.findings import Selection

    with pytest.raises(ValueError, match="--severity takes critical, high, medium, low, info"):
        Selection.parse(severities=["hgh"])
    with pytest.raises(ValueError, match="--status takes PASS, FAIL, ERROR, WAIVED, SKIPPED"):
        Selection.parse(statuses=["FAILED"])
    selection = Selection.parse(policies=["github_*", "gitlab_*"], exclude=["aws_typo"])
    assert selection.unmatched_patterns(["github_a", "aws_c"]) == ["gitlab_*", "aws_typo"]


def test_trend_points_come_oldest_first_from_stored_runs() -> None:
    from types import SimpleNamespace

    from scanner.findings import trend_from_runs

    runs = [SimpleNamespace(run_id=f"r{i}", finished_at=f"2026-11-{10 + i:02d}T00:00:00Z",
                            summary={"by_status": {"FAIL": i}, "failures_by_severity": {"high": i}}) for i in (3, 1, 2)]
    points = trend_from_runs(runs, limit=2)
    assert [(p.run_id, p.failures) for p in points] == [("r2", 2), ("r3", 3)]
    assert points[0].failures_by_severity == {"high": 2}


def test_evidence_cap_holds_for_values_that_escape_long_and_marks_what_it_dropped() -> None:
    import json

    from scanner.findings import EVIDENCE_MAX_TOTAL, cap_evidence

    values = {f"attr_{i}": ["\x00" * 300] * 25 for i in range(4)} | {"small": True}
    evidence = cap_evidence(values)
    assert len(json.dumps(evidence, ensure_ascii=False)) <= EVIDENCE_MAX_TOTAL
    assert evidence["small"] is True and evidence["…"].startswith("too large to keep: attr_")
    assert cap_evidence({"a": 1, "b": "x"}) == {"a": 1, "b": "x"}
