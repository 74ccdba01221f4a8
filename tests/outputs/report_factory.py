"""Reports built directly from findings, for output, sink, waiver, history and compliance tests.

The sample is small but covers every status, severity and platform, a waiver, history fields,
and hostile text (markup, spreadsheet formulas, pipes, non-ASCII) that every output must carry
intact and inert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from scanner.findings import (
    Finding,
    Report,
    ResourceRef,
    RunInfo,
    Severity,
    Status,
    TrendPoint,
    Waiver,
    finding_uid,
)
from scanner.inventory.model import SourceStatus

HOSTILE_NAME = '<script>alert("x")</script>=HYPERLINK("http://evil")|pipe é'


def make_finding(
    policy: str = "github_org_requires_2fa",
    resource_id: str = "github:northwind-labs",
    *,
    resource_type: str = "github.organization",
    name: str | None = None,
    scope: str = "northwind-labs",
    status: Status = Status.FAIL,
    severity: Severity = Severity.HIGH,
    guide: str = "ZT-1",
    cis: str | None = None,
    message: str | None = None,
    waiver: Waiver | None = None,
    change: str | None = None,
    evidence: dict[str, object] | None = None,
) -> Finding:
    references = {"guide": guide}
    if cis:
        references["cis"] = cis
    return Finding(
        uid=finding_uid(policy, resource_id),
        policy=policy,
        title=f"Title of {policy}",
        severity=severity,
        status=status,
        resource=ResourceRef(resource_type, resource_id, name or resource_id.rsplit("/", 1)[-1], scope),
        message=message or f"{policy} on {resource_id}",
        remediation=f"Fix {policy}: Settings -> Security",
        references=references,
        tags=("identity",),
        waiver=waiver,
        change=change,
        evidence={"enabled": status is not Status.FAIL, "owners": ["ana", "bo"]} if evidence is None else evidence,
    )


def sample_findings() -> list[Finding]:
    waiver = Waiver(
        policy="github_repo_branch_protection",
        resource="github:northwind-labs/sandbox-*",
        reason="Throwaway prototypes",
        owner="ana@northwind.dev",
        expires="2027-01-31",
        ticket="SEC-142",
    )
    return [
        make_finding(cis="CIS GitHub Benchmark 1.3.5"),
        make_finding("github_org_requires_2fa", "github:northwind-oss", scope="northwind-oss", status=Status.PASS,
                     cis="CIS GitHub Benchmark 1.3.5"),
        make_finding("github_repo_branch_protection", "github:northwind-labs/api", resource_type="github.repository",
                     severity=Severity.MEDIUM, guide="WF-1", cis="CIS GitHub Benchmark 1.1.3"),
        make_finding("github_repo_branch_protection", "github:northwind-labs/sandbox-1",
                     resource_type="github.repository", severity=Severity.MEDIUM, guide="WF-1",
                     status=Status.WAIVED, waiver=waiver, cis="CIS GitHub Benchmark 1.1.3"),
        make_finding("github_repo_branch_protection", "github:northwind-labs/evil", resource_type="github.repository",
                     name=HOSTILE_NAME, severity=Severity.MEDIUM, guide="WF-1",
                     message=f"Repository {HOSTILE_NAME} has no branch protection\nsecond line"),
        make_finding("aws_iam_user_mfa", "arn:aws:iam::111122223333:user/dmitri", resource_type="aws.iam_user",
                     scope="111122223333", severity=Severity.CRITICAL, guide="OP-4",
                     cis="CIS AWS Foundations Benchmark v3.0 1.10"),
        make_finding("aws_iam_user_mfa", "arn:aws:iam::444455556666:user/bo.chen", resource_type="aws.iam_user",
                     scope="444455556666", status=Status.ERROR, severity=Severity.CRITICAL, guide="OP-4",
                     cis="CIS AWS Foundations Benchmark v3.0 1.10"),
        make_finding("aws_cloudtrail_enabled", "arn:aws:cloudtrail:us-east-1:111122223333:trail/main",
                     resource_type="aws.cloudtrail_trail", scope="111122223333", status=Status.PASS,
                     severity=Severity.HIGH, guide="ZT-5", cis="CIS AWS Foundations Benchmark v3.0 3.1"),
        make_finding("azure_guest_owner", "azure:7f0c9a8e-1b2d-4c3e-9f40-5a6b7c8d9e01/user/eve",
                     resource_type="azure.user", scope="7f0c9a8e-1b2d-4c3e-9f40-5a6b7c8d9e01",
                     severity=Severity.LOW, guide="OP-6", cis="CIS Microsoft Azure Foundations 2.0 1.3"),
        make_finding("azure_user_stale", "azure:7f0c9a8e-1b2d-4c3e-9f40-5a6b7c8d9e01/user/farid",
                     resource_type="azure.user", scope="7f0c9a8e-1b2d-4c3e-9f40-5a6b7c8d9e01",
                     status=Status.SKIPPED, severity=Severity.INFO, guide="OP-3"),
    ]


def make_report(
    findings: Iterable[Finding] | None = None,
    *,
    started_at: str = "2026-11-20T09:00:00Z",
    finished_at: str = "2026-11-20T09:01:30Z",
    run_id: str | None = None,
    previous_run_id: str | None = None,
    resolved: Iterable[Finding] = (),
    notices: Iterable[str] = (),
    sources: Iterable[SourceStatus] | None = None,
) -> Report:
    if sources is None:
        sources = (
            SourceStatus("northwind-labs", "github", "ok", identity="posture-bot"),
            SourceStatus("111122223333", "aws", "ok"),
            SourceStatus("northwind.onmicrosoft.com", "azure", "partial", errors=("needs AuditLog.Read.All",)),
        )
    return Report(
        run=RunInfo("0.1.0", started_at, finished_at, tuple(sources), run_id=run_id),
        findings=tuple(sample_findings() if findings is None else findings),
        resolved=tuple(resolved),
        notices=tuple(notices),
        previous_run_id=previous_run_id,
    )


def history_report() -> Report:
    """A report as history stamps it: a previous run, a new and a persisting failure, one resolved."""
    findings = []
    for f in sample_findings():
        if f.status in (Status.FAIL, Status.WAIVED):
            change = "new" if f.severity is Severity.CRITICAL or "evil" in f.resource.id else "persisting"
            f = f.with_changes(change=change, first_seen="2026-11-13T09:00:00Z", last_seen="2026-11-20T09:00:00Z")
        findings.append(f)
    gone = make_finding("github_member_left", "github:northwind-labs/member/old-bot", resource_type="github.member",
                        guide="OP-4", change="resolved")
    passing_now = next(f for f in findings if f.resource.id == "github:northwind-oss")
    report = make_report(
        findings,
        run_id="20261120T090000Z-abc123",
        previous_run_id="20261113T090000Z-def456",
        resolved=[gone, passing_now.with_changes(status=Status.FAIL, change="resolved")],
        notices=["Expired waiver of aws_iam_user_mfa on '*' (owner bo@northwind.dev) on 2026-11-01"],
    )
    trend = (
        TrendPoint("20261106T090000Z-aaa111", "2026-11-06T09:01:00Z", 9, {"critical": 3, "high": 6}),
        TrendPoint("20261113T090000Z-def456", "2026-11-13T09:01:00Z", 6, {"critical": 1, "high": 5}),
        TrendPoint("20261120T090000Z-abc123", "2026-11-20T09:01:30Z", report.by_status()["FAIL"],
                   report.failures_by_severity()),
    )
    return replace(report, trend=trend)
