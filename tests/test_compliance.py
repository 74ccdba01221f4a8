"""Compliance view: controls of the guide (uncovered ones shown as such) and CIS sections."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "outputs"))

from report_factory import sample_findings

from scanner.compliance import GUIDE_CONTROLS, build_compliance, cis_sections
from scanner.errors import ConfigError


@dataclass(frozen=True)
class Policy:
    id: str
    resource: str
    guide: str
    cis: str | None = None
    title: str = "t"
    references: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        refs = {"guide": self.guide, **({"cis": self.cis} if self.cis else {})}
        object.__setattr__(self, "references", refs)


POLICIES = [
    Policy("github_org_requires_2fa", "github.organization", "ZT-1", "CIS GitHub Benchmark 1.3.5"),
    Policy("github_repo_branch_protection", "github.repository", "WF-1", "CIS GitHub Benchmark 1.1.3"),
    Policy("aws_iam_user_mfa", "aws.iam_user", "OP-4", "CIS AWS Foundations Benchmark v3.0 1.10"),
    Policy("aws_cloudtrail_enabled", "aws.cloudtrail_trail", "ZT-5", "CIS AWS Foundations Benchmark v3.0 3.1"),
    Policy("azure_guest_owner", "azure.user", "OP-6", "CIS Microsoft Azure Foundations 2.0 1.3"),
    Policy("azure_user_stale", "azure.user", "OP-3"),
    Policy("aws_no_root_keys", "aws.account", "WF-2", "CIS AWS Foundations Benchmark v3.0 1.4, 1.5"),
]


def test_guide_lists_every_control_with_status() -> None:
    report = build_compliance("guide", POLICIES, sample_findings())
    assert [c.control for c in report.controls] == [c for c, _ in GUIDE_CONTROLS]
    status = {c.control: c.status for c in report.controls}
    assert status["ZT-1"] == "FAIL"  # one org fails, one passes
    assert status["ZT-5"] == "PASS"
    assert status["WF-1"] == "FAIL"
    assert status["OP-3"] == "NOT_EVALUATED"  # only a skipped finding
    assert status["WF-2"] == "NOT_EVALUATED"  # a policy, but nothing it applies to
    assert status["ZT-3"] == "NOT_COVERED"  # no policy at all: never passing
    wf1 = next(c for c in report.controls if c.control == "WF-1")
    assert wf1.counts["FAIL"] == 2 and wf1.counts["WAIVED"] == 1
    summary = report.status_counts()
    assert sum(summary.values()) == 16 and summary["NOT_COVERED"] == 9
    text = report.to_text()
    assert "| **ZT-3** | NOT_COVERED |" in text and "`github_org_requires_2fa`" in text
    assert report.to_json()["controls"][0]["policies"][0]["counts"]["FAIL"] == 1


def test_error_outranks_pass_but_not_fail() -> None:
    report = build_compliance("guide", POLICIES, sample_findings())
    assert next(c for c in report.controls if c.control == "OP-4").status == "FAIL"
    only_error = [f for f in sample_findings() if f.policy == "aws_iam_user_mfa" and f.status.value == "ERROR"]
    report = build_compliance("guide", POLICIES, only_error)
    assert next(c for c in report.controls if c.control == "OP-4").status == "ERROR"


def test_cis_frameworks_group_by_section_of_their_platform() -> None:
    aws = build_compliance("cis-aws", POLICIES, sample_findings())
    assert [c.control for c in aws.controls] == ["1.4", "1.5", "1.10", "3.1"]  # numeric order
    assert {c.control: c.status for c in aws.controls}["1.10"] == "FAIL"
    github = build_compliance("cis-github", POLICIES, sample_findings())
    assert [c.control for c in github.controls] == ["1.1.3", "1.3.5"]
    azure = build_compliance("cis-azure", POLICIES, sample_findings())
    assert [(c.control, c.status) for c in azure.controls] == [("1.3", "FAIL")]


def test_unknown_framework_and_section_parsing() -> None:
    with pytest.raises(ConfigError, match="unknown framework 'pci'"):
        build_compliance("pci", POLICIES, [])
    assert cis_sections("CIS AWS Foundations Benchmark v3.0 1.10, 1.11; 2.1") == ["1.10", "1.11", "2.1"]
    assert cis_sections("no section here") == []


def test_unmapped_policies_are_listed_not_lost() -> None:
    report = build_compliance("guide", [*POLICIES, Policy("custom_rule", "github.repository", "XX-9")], [])
    assert report.controls[-1].control == "unmapped"
    assert [p.policy for p in report.controls[-1].policies] == ["custom_rule"]


def test_cis_sections_of_another_benchmark_version_keep_their_version_label() -> None:
    from types import SimpleNamespace

    from scanner.compliance import build_compliance

    def policy(pid: str, cis: str) -> SimpleNamespace:
        return SimpleNamespace(id=pid, title=pid, resource="aws.account", references={"guide": "ZT-5", "cis": cis})

    policies = [policy("a_config", "CIS AWS Foundations v3.0.0 3.3"), policy("b_trail", "CIS AWS Foundations v3.0.0 3.1"),
                policy("c_bucket", "CIS AWS Foundations v2.0.0 3.3")]
    report = build_compliance("cis-aws", policies, [])
    assert [c.control for c in report.controls] == ["3.1", "3.3", "3.3 (v2.0.0)"]
