"""The CLI across runs: waivers, history (new / resolved / --new-only), diff, sinks, compliance view."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

POLICY = """
- id: test_org_requires_2fa
  title: Organization requires 2FA
  resource: github.organization
  severity: high
  assert: resource.two_factor_requirement_enabled
  message: "Organization {name} lets members sign in without 2FA"
  remediation: Require 2FA
  references: {guide: ZT-1}
"""


def org(name: str, two_factor: bool) -> dict:
    return {"type": "github.organization", "id": f"github:{name}", "name": name, "scope": name,
            "attributes": {"two_factor_requirement_enabled": two_factor}}


@pytest.fixture
def history_url(tmp_path: Path) -> str:
    return str(tmp_path / "history.db")


def run_json(posture, snap: Path, policies: Path, history: str, *extra: str):
    result = posture("evaluate", snap, "--policies", policies, "--no-default-policies", "--history", history,
                     "--format", "json", *extra)
    return result, json.loads(result.out)


def test_history_marks_new_and_resolved_and_new_only_gates_ci(posture, write_policies, write_snapshot, history_url) -> None:
    policies = write_policies(POLICY)
    first_snap = write_snapshot([org("a", False), org("b", True)], name="one.json")
    result, first = run_json(posture, first_snap, policies, history_url)
    assert result.code == 1
    assert first["summary"]["new"] == 1  # everything failing is new on the first run

    second_snap = write_snapshot([org("a", True), org("b", False)], name="two.json")
    result, second = run_json(posture, second_snap, policies, history_url, "--new-only")
    assert result.code == 1  # b is new and high
    assert second["summary"] == {**second["summary"], "new": 1, "resolved": 1}
    assert [f["resource"]["id"] for f in second["resolved"]] == ["github:a"]
    failing = [f for f in second["findings"] if f["status"] == "FAIL"]
    assert failing[0]["change"] == "new" and failing[0]["first_seen"]

    # Same state again: b persists, nothing new -> --new-only passes CI, plain --fail-on does not.
    result, third = run_json(posture, second_snap, policies, history_url, "--new-only")
    assert result.code == 0 and third["summary"]["new"] == 0
    assert [f["change"] for f in third["findings"] if f["status"] == "FAIL"] == ["persisting"]
    result, _ = run_json(posture, second_snap, policies, history_url)
    assert result.code == 1

    listed = posture("history", "--history", history_url, "--json")
    runs = json.loads(listed.out)
    assert len(runs) == 4
    changed = posture("diff", runs[3]["run_id"], runs[2]["run_id"], "--history", history_url)
    assert "new: 1  resolved: 1" in changed.out
    assert "NEW" in changed.out and "github:b" in changed.out


def test_waivers_cover_failures_and_report_expired_and_unused(posture, write_policies, write_snapshot, tmp_path: Path) -> None:
    policies = write_policies(POLICY)
    snap = write_snapshot([org("a", False), org("b", False)])
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "- policy: test_org_requires_2fa\n  resource: github:a\n  reason: migrating IdP\n  owner: ana@northwind.dev\n"
        "  expires: 2999-01-01\n  ticket: SEC-1\n"
        "- policy: test_org_requires_2fa\n  resource: github:b\n  reason: old\n  owner: bo@northwind.dev\n  expires: 2000-01-01\n"
        "- policy: test_org_requires_2fa\n  resource: github:zzz*\n  reason: nothing\n  owner: bo@northwind.dev\n  expires: 2999-01-01\n"
    )
    result = posture("evaluate", snap, "--policies", policies, "--no-default-policies", "--no-history",
                     "--waivers", waivers, "--format", "json")
    document = json.loads(result.out)
    statuses = {f["resource"]["id"]: f for f in document["findings"]}
    assert statuses["github:a"]["status"] == "WAIVED"
    assert statuses["github:a"]["waiver"]["owner"] == "ana@northwind.dev"
    assert statuses["github:b"]["status"] == "FAIL"  # its waiver expired
    assert result.code == 1
    notices = " ".join(document["notices"])
    assert "Expired" in notices and "Unused" in notices

    assert posture("waivers", "check", waivers, "--no-default-policies", "--policies", policies).code == 0
    waivers.write_text("- policy: test_org_requires_2fa\n  resource: github:a\n  owner: x\n  expires: someday\n")
    bad = posture("waivers", "check", waivers, "--no-default-policies", "--policies", policies)
    assert bad.code == 2 and "waivers.yaml" in bad.err


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_sink_that_is_down_exits_3_after_writing_outputs(posture, write_policies, write_snapshot, tmp_path: Path) -> None:
    policies = write_policies(POLICY.replace("severity: high", "severity: low"))
    snap = write_snapshot([org("a", False)])
    out = tmp_path / "f.json"
    result = posture("evaluate", snap, "--policies", policies, "--no-default-policies", "--no-history",
                     "--format", f"json:{out}", "--sink", f"syslog+tcp://127.0.0.1:{closed_port()}")
    assert result.code == 3
    assert out.exists() and json.loads(out.read_text())["findings"]
    assert "sent 0, failed 1" in result.err


def test_bad_sink_url_is_exit_2_before_any_output(posture, write_policies, write_snapshot, tmp_path: Path) -> None:
    policies = write_policies(POLICY)
    out = tmp_path / "f.json"
    result = posture("evaluate", write_snapshot([org("a", False)]), "--policies", policies, "--no-default-policies",
                     "--no-history", "--format", f"json:{out}", "--sink", "carrier-pigeon://x")
    assert result.code == 2 and not out.exists()


def test_compliance_report_groups_by_guide_control(posture) -> None:
    result = posture("report", "--demo", "--json")
    assert result.code == 0
    document = json.loads(result.out)
    text = json.dumps(document)
    assert "ZT-1" in text and "OP-4" in text
    assert posture("report", "--demo", "--framework", "nist-9").code == 2
    assert posture("report").code == 2


def test_report_and_people_read_the_configuration_as_scan_does(posture, tmp_path: Path) -> None:
    # Waivers and roster named in posture.yaml: `report` and `people` see what `scan` sees.
    (tmp_path / "waivers.yaml").write_text(
        "- policy: aws_iam_console_user_mfa\n  resource: 'arn:aws:iam::111122223333:user/dmitri'\n"
        "  reason: leaver, account removal ticketed\n  owner: sec@northwind.dev\n  expires: 2099-01-31\n")
    config = tmp_path / "posture.yaml"
    config.write_text("waivers: waivers.yaml\n")
    scanned = json.loads(posture("scan", "--demo", "--no-history", "--config", config, "--format", "json").out)
    assert scanned["summary"]["by_status"]["WAIVED"] == 1
    compliance = json.loads(posture("report", "--demo", "--config", config, "--json").out)
    waived = [p for c in compliance["controls"] for p in c["policies"] if p["counts"]["WAIVED"]]
    assert [p["policy"] for p in waived] == ["aws_iam_console_user_mfa"]

    from scanner.demo import load_demo
    from scanner.inventory.snapshot import save

    demo = load_demo()
    snap = tmp_path / "cloud.json"
    save(demo.replace_resources(r for r in demo.resources if r.type != "roster.entry"), snap)
    roster = Path(__file__).resolve().parents[1] / "examples" / "roster.csv"
    config.write_text(f"roster:\n  file: {roster}\n")
    people = json.loads(posture("people", snap, "--config", config, "--format", "json").out)["people"]
    assert "Dmitri Volkov" in [p["name"] for p in people]
