"""The command line end to end: exit codes, formats, configuration, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ORG_POLICY = """
- id: test_org_requires_2fa
  title: Organization requires 2FA
  resource: github.organization
  severity: {severity}
  assert: resource.two_factor_requirement_enabled
  message: "Organization {{name}} lets members sign in without 2FA"
  remediation: Require 2FA
  references: {{guide: ZT-1}}
"""


def org(name: str, two_factor: object) -> dict:
    return {"type": "github.organization", "id": f"github:{name}", "name": name, "scope": name,
            "attributes": {"two_factor_requirement_enabled": two_factor}}


@pytest.fixture
def setup(write_policies, write_snapshot):
    def make(severity: str = "high", resources: list | None = None, sources: list | None = None):
        policies = write_policies(ORG_POLICY.format(severity=severity))
        snap = write_snapshot(resources if resources is not None else [org("good", True), org("bad", False)], sources)
        return policies, snap

    return make


def evaluate_args(policies: Path, snap: Path, *extra: str) -> list[str]:
    return ["evaluate", str(snap), "--policies", str(policies), "--no-default-policies", "--no-history", *extra]


def test_exit_1_when_failure_at_or_above_fail_on(posture, setup) -> None:
    policies, snap = setup("high")
    result = posture(*evaluate_args(policies, snap))
    assert result.code == 1
    assert "FAIL 1" in result.out and "PASS 1" in result.out
    assert "Organization bad lets members sign in without 2FA" in result.out


def test_exit_0_when_failures_below_fail_on(posture, setup) -> None:
    policies, snap = setup("medium")
    assert posture(*evaluate_args(policies, snap)).code == 0
    assert posture(*evaluate_args(policies, snap, "--fail-on", "medium")).code == 1


def test_exit_3_when_a_source_failed_and_nothing_else(posture, setup) -> None:
    sources = [{"name": "github:acme", "platform": "github", "status": "ok"},
               {"name": "aws:1", "platform": "aws", "status": "failed", "errors": ["AccessDenied"], "error_kind": "permission"}]
    policies, snap = setup("low", sources=sources)
    result = posture(*evaluate_args(policies, snap))
    assert result.code == 3
    assert "aws:1: failed" in result.out and "AccessDenied" in result.out


def test_exit_2_when_every_source_was_refused_credentials(posture, setup) -> None:
    sources = [{"name": "github:acme", "platform": "github", "status": "failed", "errors": ["bad credentials"], "error_kind": "auth"}]
    policies, snap = setup("low", resources=[], sources=sources)
    result = posture(*evaluate_args(policies, snap, "-q"))
    assert result.code == 2
    assert result.err == "posture: error: source github:acme failed: bad credentials\n"  # even with -q


def test_unknown_attribute_gives_error_status_in_json(posture, setup, tmp_path: Path) -> None:
    policies, snap = setup("high", resources=[org("locked", {"$unknown": "needs an org owner"})])
    out = tmp_path / "out" / "findings.json"
    result = posture(*evaluate_args(policies, snap, "--format", f"json:{out}", "--allow-errors", "permission"))
    assert result.code == 0  # a documented permission gap the user chose to accept; reported, never PASS
    document = json.loads(out.read_text())
    assert document["schema"] == "posture.findings/1"
    assert document["summary"]["by_status"]["ERROR"] == 1
    finding = document["findings"][0]
    assert finding["status"] == "ERROR" and "needs an org owner" in finding["message"]
    assert set(finding) >= {"uid", "policy", "title", "severity", "status", "resource", "message", "remediation", "references", "tags"}
    assert set(document["run"]) >= {"tool_version", "started_at", "finished_at", "sources"}


def test_json_to_stdout_keeps_stdout_machine_readable(posture, setup) -> None:
    policies, snap = setup("high")
    result = posture(*evaluate_args(policies, snap, "--format", "json"))
    document = json.loads(result.out)
    assert {f["resource"]["name"]: f["status"] for f in document["findings"]} == {"good": "PASS", "bad": "FAIL"}
    assert "FAIL 1" in result.err  # the human summary moved to stderr


def test_uids_are_stable_across_runs(posture, setup) -> None:
    policies, snap = setup("high")
    first = json.loads(posture(*evaluate_args(policies, snap, "--format", "json")).out)
    second = json.loads(posture(*evaluate_args(policies, snap, "--format", "json")).out)
    assert [f["uid"] for f in first["findings"]] == [f["uid"] for f in second["findings"]]


def test_shards_are_merged(posture, write_policies, write_snapshot) -> None:
    policies = write_policies(ORG_POLICY.format(severity="high"))
    a = write_snapshot([org("a", True)], name="a.json")
    b = write_snapshot([org("b", False)], [{"name": "github:b", "platform": "github", "status": "ok"}], name="b.json")
    result = posture("evaluate", a, b, "--policies", policies, "--no-default-policies", "--no-history", "--format", "json")
    assert len(json.loads(result.out)["findings"]) == 2
    assert result.code == 1


@pytest.mark.parametrize(("args", "message"), [
    (["evaluate", "missing.json", "--no-history"], "no such snapshot file"),
    (["scan", "--demo", "--aws"], "--demo evaluates the bundled inventory; drop --aws"),
    (["resources", "github.nope"], "unknown resource type 'github.nope'; known types:"),
    (["scan", "--demo", "--format", "yaml"], "unknown output format 'yaml'"),
    (["scan", "--demo", "--policies", "nowhere"], "no such policy file or directory"),
    (["scan", "--no-history"], "nothing to scan"),
    (["scan", "--demo", "--fail-on", "severe"], "Invalid value for '--fail-on'"),
])
def test_bad_input_is_one_line_and_exit_2(posture, args: list[str], message: str) -> None:
    result = posture(*args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_truncated_snapshot(posture, tmp_path: Path) -> None:
    snap = tmp_path / "t.json"
    snap.write_text('{"schema": "posture.snapshot/1", "resources": [{"type"')
    result = posture("evaluate", snap, "--no-history")
    assert result.code == 2
    assert "may be truncated" in result.err and str(snap) in result.err


def test_config_file_supplies_flags_and_contradiction_is_an_error(posture, setup, tmp_path: Path) -> None:
    policies, snap = setup("medium")
    config = tmp_path / "posture.yaml"
    config.write_text(f"fail_on: medium\npolicies: [{policies}]\ndefault_policies: false\nno_history: true\n")
    assert posture("evaluate", snap, "--config", config).code == 1
    result = posture("evaluate", snap, "--config", config, "--fail-on", "critical")
    assert result.code == 2
    assert "--fail-on 'critical' contradicts fail_on: 'medium' in" in result.err


@pytest.mark.parametrize(("content", "message"), [
    ("fail_on: [high\n", "invalid YAML"),
    ("colour: blue\n", "unknown setting 'colour'"),
    ("concurrency: many\n", "concurrency must be of type int, got str"),
    ("github: {orgz: [a]}\n", "unknown setting 'github.orgz'"),
    ("fail_on: severe\n", "fail_on 'severe' is not a severity"),
])
def test_malformed_config(posture, tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "posture.yaml"
    config.write_text(content)
    result = posture("scan", "--demo", "--config", config, "--no-history")
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err


def test_policies_validate_reports_every_error(posture, write_policies) -> None:
    directory = write_policies(ORG_POLICY.format(severity="hgh"), "a.yaml")
    write_policies(ORG_POLICY.format(severity="high").replace("two_factor_requirement_enabled", "two_factor"), "b.yaml")
    result = posture("policies", "validate", directory)
    assert result.code == 2
    assert "a.yaml:4 [test_org_requires_2fa]: severity" in result.err
    assert "b.yaml:5 [test_org_requires_2fa]: assert: github.organization has no attribute two_factor" in result.err


def test_policies_list_and_show(posture, write_policies) -> None:
    directory = write_policies(ORG_POLICY.format(severity="high"))
    listed = posture("policies", "list", "--policies", directory, "--no-default-policies", "--tag", "none-such")
    assert listed.code == 0 and listed.out == ""
    listed = posture("policies", "list", "--policies", directory, "--no-default-policies", "--guide", "ZT-1")
    assert "test_org_requires_2fa" in listed.out
    shown = posture("policies", "show", "test_org_requires_2fa", "--policies", directory, "--no-default-policies")
    assert "assert: resource.two_factor_requirement_enabled" in shown.out
    assert posture("policies", "show", "nope", "--no-default-policies", "--policies", directory).code == 2


def test_resources_lists_types_and_attributes(posture) -> None:
    listed = posture("resources")
    assert "github.organization" in listed.out
    detail = posture("resources", "github.organization")
    assert "two_factor_requirement_enabled" in detail.out and "boolean" in detail.out


def test_collect_without_sources_is_a_clear_error(posture, tmp_path: Path) -> None:
    result = posture("collect", "-o", tmp_path / "s.json")
    assert result.code == 2 and "nothing to scan" in result.err


def test_help_explains(posture) -> None:
    result = posture("scan", "--help")
    assert result.code == 0
    for flag in ("--github-org", "--aws-organization", "--azure-subscription", "--roster", "--fail-on", "--format", "--demo"):
        assert flag in result.out


def test_demo_scan_shows_every_platform_and_the_people_view(posture, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    result = posture("scan", "--demo", "--no-history", "--format", f"html:{html}", "--format", "json")
    assert result.code == 1  # the demo team has critical problems
    document = json.loads(result.out)
    platforms = {f["resource"]["type"].split(".")[0] for f in document["findings"]}
    assert platforms == {"github", "aws", "azure", "gcp", "intune", "atlassian", "roster", "path"}
    statuses = document["summary"]["by_status"]
    assert statuses["PASS"] and statuses["FAIL"] and statuses["ERROR"]
    page = html.read_text()
    assert '<section id="people"><h2>People (' in page and "Dmitri Volkov" in page


def test_the_example_configuration_and_waivers_are_valid(posture) -> None:
    from scanner.config import build_settings, read_config_file

    root = Path(__file__).resolve().parents[1] / "examples"
    settings = build_settings(read_config_file(root / "posture.yaml"))
    assert settings.enabled_sources == ["github", "aws", "azure", "roster"]
    assert settings.sources["roster"]["file"] == str((root / "roster.csv").resolve())
    result = posture("waivers", "check", root / "waivers.yaml")
    assert result.code == 0, result.err


def test_a_roster_joins_snapshots_at_evaluation_time(posture, tmp_path: Path) -> None:
    from scanner.demo import load_demo
    from scanner.inventory.snapshot import save

    demo = load_demo()
    cloud_only = demo.replace_resources(r for r in demo.resources if r.type != "roster.entry")
    snap = tmp_path / "cloud.json"
    save(cloud_only, snap)
    roster = Path(__file__).resolve().parents[1] / "examples" / "roster.csv"

    without = posture("people", snap, "--format", "json")
    assert [p["name"] for p in json.loads(without.out)["people"]] == ["(unlinked)"]
    linked = json.loads(posture("people", snap, "--roster", roster, "--format", "json").out)["people"]
    dmitri = next(p for p in linked if p["name"] == "Dmitri Volkov")
    assert dmitri["days_since_exit"] == 10 and dmitri["github"]

    result = posture("evaluate", snap, "--roster", roster, "--no-history", "--format", "json")
    findings = json.loads(result.out)["findings"]
    leavers = [f for f in findings if f["policy"] == "people_leaver_aws_access_revoked" and f["status"] == "FAIL"]
    assert [f["resource"]["name"] for f in leavers] == ["dmitri"]
    assert "roster:roster.csv" in {s["name"] for s in json.loads(result.out)["run"]["sources"]}
