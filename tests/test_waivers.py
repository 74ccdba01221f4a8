"""Waivers: validation with file:line messages, FAIL -> WAIVED, expired and unused waivers reported."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "outputs"))

from report_factory import make_finding

from scanner.errors import WaiverError
from scanner.findings import Status
from scanner.waivers import apply_waivers, check_waivers, load_waivers, parse_waivers

TODAY = date(2026, 11, 20)
WAIVERS = """\
# accepted risks, reviewed monthly
- policy: github_repo_branch_protection
  resource: "github:northwind-labs/sandbox-*"
  reason: Throwaway prototypes, no production code
  owner: ana@northwind.dev
  expires: 2027-01-31
  ticket: SEC-142
- policy: aws_iam_user_mfa
  resource: jenkins-ci
  reason: Service user, console disabled
  owner: bo@northwind.dev
  expires: 2026-11-01
- policy: github_org_requires_2fa
  resource: "github:northwind-archive"
  reason: Archived org
  owner: ana@northwind.dev
  expires: 2027-06-30
- policy: azure_guest_owner
  resource: "*eve*"
  reason: Vendor migration until month end
  owner: ana@northwind.dev
  expires: 2026-11-30
"""


def findings():  # type: ignore[no-untyped-def]
    return [
        make_finding("github_repo_branch_protection", "github:northwind-labs/sandbox-1", resource_type="github.repository"),
        make_finding("github_repo_branch_protection", "github:northwind-labs/sandbox-2", resource_type="github.repository",
                     status=Status.PASS),
        make_finding("github_repo_branch_protection", "github:northwind-labs/api", resource_type="github.repository"),
        make_finding("aws_iam_user_mfa", "arn:aws:iam::111122223333:user/jenkins-ci", name="jenkins-ci",
                     resource_type="aws.iam_user"),
        make_finding("azure_guest_owner", "azure:t/user/1234", name="eve@acme-outsourcing.io", resource_type="azure.user"),
    ]


def test_current_waiver_turns_fail_into_waived_and_carries_itself() -> None:
    waivers = parse_waivers(WAIVERS, "waivers.yaml")
    result, _ = apply_waivers(findings(), waivers, TODAY)
    by_id = {f.resource.id: f for f in result}
    sandbox = by_id["github:northwind-labs/sandbox-1"]
    assert sandbox.status is Status.WAIVED
    assert sandbox.waiver is not None and sandbox.waiver.owner == "ana@northwind.dev"
    assert sandbox.waiver.ticket == "SEC-142" and sandbox.waiver.expires == "2027-01-31"
    assert by_id["github:northwind-labs/sandbox-2"].status is Status.PASS  # a pass stays a pass
    assert by_id["github:northwind-labs/api"].status is Status.FAIL  # glob does not match
    assert by_id["azure:t/user/1234"].status is Status.WAIVED  # glob on the name


def test_expired_unused_and_expiring_waivers_are_reported() -> None:
    result, notices = apply_waivers(findings(), parse_waivers(WAIVERS, "waivers.yaml"), TODAY)
    jenkins = next(f for f in result if f.resource.name == "jenkins-ci")
    assert jenkins.status is Status.FAIL and jenkins.waiver is None  # expired: covers nothing
    assert len(notices) == 3
    expired, unused, expiring = notices
    assert expired.startswith("Expired waiver of aws_iam_user_mfa") and "2026-11-01" in expired
    assert "1 failing finding" in expired and "line 8" in expired
    assert unused.startswith("Unused waiver of github_org_requires_2fa") and "matches no failing finding" in unused
    assert expiring.startswith("Expiring waiver of azure_guest_owner") and "10 day(s) left" in expiring


def test_waiver_covers_through_its_last_day() -> None:
    waivers = parse_waivers(WAIVERS, "w")
    on_the_day, _ = apply_waivers(findings(), waivers, date(2027, 1, 31))
    after, notices = apply_waivers(findings(), waivers, date(2027, 2, 1))
    assert any(f.status is Status.WAIVED and "sandbox" in f.resource.id for f in on_the_day)
    assert not any(f.status is Status.WAIVED and "sandbox" in f.resource.id for f in after)
    assert any(n.startswith("Expired waiver of github_repo_branch_protection") for n in notices)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- policy: x_y\n  resource: a\n  reason: r\n  owner: o\n", "w.yaml:1: missing required field 'expires'"),
        ("- policy: x_y\n  resource: a\n  reason: r\n  owner: o\n  expires: soon\n", "w.yaml:1: 'expires' must be a date"),
        ("- policy: Bad-Id\n  resource: a\n  reason: r\n  owner: o\n  expires: 2027-01-01\n", "is not a policy id"),
        ("- policy: x_y\n  resource: a\n  reason: r\n  owner: o\n  expires: 2027-01-01\n  color: red\n",
         "unknown field 'color'"),
        ("ok: [\n", "w.yaml:2: not valid YAML"),
        ("policy: x\n", "expected a list of waivers"),
        ("- just a string\n", "each waiver must be a mapping"),
        ("- policy: x_y\n  resource: a\n  reason: r\n  owner: o\n  expires: 2027-01-01\n"
         "- policy: x_y\n  resource: a\n  reason: again\n  owner: o\n  expires: 2027-02-01\n",
         "w.yaml:6: duplicate of the waiver on line 1"),
    ],
)
def test_invalid_files_name_file_line_and_field(text: str, message: str) -> None:
    with pytest.raises(WaiverError) as caught:
        parse_waivers(text, "w.yaml")
    assert message in str(caught.value)


def test_known_policies_and_mapping_form(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n" + "".join("  " + line + "\n" for line in WAIVERS.splitlines()))
    assert len(load_waivers(path)) == 4
    with pytest.raises(WaiverError, match=r"waivers.yaml:9: unknown policy 'aws_iam_user_mfa'"):
        load_waivers(path, known_policies={"github_repo_branch_protection"})
    with pytest.raises(WaiverError, match="cannot read waivers file"):
        load_waivers(tmp_path / "missing.yaml")


def test_check_describes_each_waiver(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(WAIVERS)
    lines = check_waivers(path, TODAY)
    assert len(lines) == 4
    assert lines[0].endswith("current until 2027-01-31")
    assert lines[1].endswith("EXPIRED 19 day(s) ago")
    assert lines[3].endswith("expiring in 10 day(s)")
