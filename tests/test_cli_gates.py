"""The CI gate fails closed (issue 11 §1, §4): exit codes on doubt, baselines, bad input, private files."""

from __future__ import annotations

import json
import os
import sqlite3
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
OK = {"name": "github:acme", "platform": "github", "status": "ok"}
ROSTER = Path(__file__).resolve().parents[1] / "examples" / "roster.csv"


def org(name: str, two_factor: object) -> dict:
    return {"type": "github.organization", "id": f"github:{name}", "name": name, "scope": name,
            "attributes": {"two_factor_requirement_enabled": two_factor}}


def evaluate(posture, write_policies, write_snapshot, resources, sources=None, *extra):  # type: ignore[no-untyped-def]
    policies = write_policies(POLICY)
    snap = write_snapshot(resources, sources)
    return posture("evaluate", snap, "--policies", policies, "--no-default-policies", *extra)


def runs_in(history: Path) -> int:
    if not history.exists():
        return 0
    with sqlite3.connect(history) as db:
        try:
            return int(db.execute("select count(*) from posture_runs").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


# --- ERROR checks and partial sources -----------------------------------------------------


@pytest.mark.parametrize(("reason", "allow", "code"), [
    ("GitHub answered 502 after 3 retries", None, 3),
    ("GitHub answered 502 after 3 retries", "permission", 3),
    ("GitHub answered 502 after 3 retries", "all", 0),
    ("needs an organization owner token", None, 3),
    ("needs an organization owner token", "permission", 0),
])
def test_error_checks_at_fail_on_exit_3_unless_allowed(posture, write_policies, write_snapshot, reason, allow, code) -> None:
    extra = ["--no-history"] + (["--allow-errors", allow] if allow else [])
    result = evaluate(posture, write_policies, write_snapshot, [org("good", True), org("locked", {"$unknown": reason})],
                      None, *extra)
    assert result.code == code, result.err
    # The summary says how many checks could not be evaluated, and why, whatever the exit code.
    assert "1 check could not be evaluated (ERROR), by reason:" in result.out
    kind = "missing permission or licence" if reason.startswith("needs ") else "not explained"
    assert f"1 x {reason} [{kind}" in result.out


def test_error_checks_below_fail_on_do_not_gate(posture, write_policies, write_snapshot) -> None:
    result = evaluate(posture, write_policies, write_snapshot, [org("locked", {"$unknown": "GitHub answered 502"})],
                      None, "--no-history", "--fail-on", "critical")
    assert result.code == 0
    assert "1 x GitHub answered 502 [not explained" in result.out


@pytest.mark.parametrize(("kind", "code"), [("api", 3), ("internal", 3), (None, 3), ("permission", 0), ("licence", 0)])
def test_a_partial_source_is_incomplete_unless_a_documented_gap(posture, write_policies, write_snapshot, kind, code) -> None:
    partial = {"name": "github:acme", "platform": "github", "status": "partial",
               "errors": ["rate limit spent; 40 repositories not read"], "error_kind": kind}
    result = evaluate(posture, write_policies, write_snapshot, [org("good", True)], [partial], "--no-history")
    assert result.code == code, result.err
    if code == 3:
        assert "posture: incomplete: source github:acme was read only in part: rate limit spent" in result.err


# --- --new-only without a baseline -----------------------------------------------------------


def test_new_only_without_history_counts_every_failure(posture, write_policies, write_snapshot) -> None:
    result = evaluate(posture, write_policies, write_snapshot, [org("bad", False)], None, "--no-history", "--new-only")
    assert result.code == 1
    assert "posture: --new-only: --no-history to compare with: every failure counts as new" in result.err


def test_new_only_on_the_first_run_of_a_scope_counts_every_failure(posture, write_policies, write_snapshot, tmp_path) -> None:
    result = evaluate(posture, write_policies, write_snapshot, [org("bad", False)], None,
                      "--history", tmp_path / "h.db", "--new-only")
    assert result.code == 1
    assert "no previous complete run of scope" in result.err


def test_an_incomplete_run_is_not_the_baseline(posture, write_policies, write_snapshot, tmp_path) -> None:
    history = str(tmp_path / "h.db")
    assert evaluate(posture, write_policies, write_snapshot, [org("bad", False)], [OK], "--history", history).code == 1
    # Incomplete (a source failed mid-way): the failure is not seen this time. Recorded, flagged.
    broken = {**OK, "status": "partial", "errors": ["502"], "error_kind": "api"}
    assert evaluate(posture, write_policies, write_snapshot, [org("good", True)], [broken], "--history", history).code == 3
    # Against the last COMPLETE run, "bad" persists: --new-only passes. Had the incomplete run been
    # the baseline, "bad" would be new and fail the gate.
    result = evaluate(posture, write_policies, write_snapshot, [org("bad", False)], [OK], "--history", history, "--new-only")
    assert result.code == 0, result.err


# --- bad input: exit 2, checked before collecting, nothing recorded ------------------------------


def test_unknown_format_is_exit_2_and_not_recorded(posture, write_policies, write_snapshot, tmp_path) -> None:
    history = tmp_path / "h.db"
    result = evaluate(posture, write_policies, write_snapshot, [org("bad", False)], None,
                      "--history", history, "--format", "yaml")
    assert result.code == 2 and "unknown output format 'yaml'" in result.err
    assert runs_in(history) == 0


def test_unwritable_report_path_is_exit_2_and_not_recorded(posture, write_policies, write_snapshot, tmp_path) -> None:
    history = tmp_path / "h.db"
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = evaluate(posture, write_policies, write_snapshot, [org("bad", False)], None,
                      "--history", history, "--format", "json", "--format", f"html:{blocker}/report.html")
    assert result.code == 2
    assert result.err.strip().splitlines() == [f"posture: error: --format html:{blocker}/report.html: {blocker} is not a directory"]
    assert result.out == ""  # nothing written, not even the stdout format
    assert runs_in(history) == 0


def test_unwritable_snapshot_path_is_refused_before_collecting(posture, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = posture("collect", "--roster", ROSTER, "-o", blocker / "snap.json")
    assert result.code == 2
    assert result.err.strip().splitlines() == [f"posture: error: -o/--output {blocker}/snap.json: {blocker} is not a directory"]


def test_a_history_store_that_is_down_keeps_the_reports(posture, write_policies, write_snapshot, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    report = tmp_path / "out" / "findings.json"
    result = evaluate(posture, write_policies, write_snapshot, [org("good", True)], None,
                      "--history", blocker / "h.db", "--format", f"json:{report}")
    assert result.code == 3
    assert json.loads(report.read_text())["summary"]["by_status"]["PASS"] == 1
    errors = [line for line in result.err.splitlines() if line.startswith("posture: error:")]
    assert len(errors) == 1 and "the reports were written" in errors[0]


@pytest.mark.parametrize(("content", "message"), [
    ("fail_on: 2027-02-30\n", "fail_on '2027-02-30' is not a severity"),
    ("github:\n  orgs: [1, {a: b}]\n", "each item of github.orgs must be a str, got int"),
    ("policies: [[nested]]\n", "each item of policies must be a str, got list"),
    ("aws:\n  accounts: [123456789012, [x]]\n", "each item of aws.accounts must be a str or int, got list"),
])
def test_bad_config_values_are_one_line_exit_2(posture, tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "posture.yaml"
    config.write_text(content)
    result = posture("scan", "--demo", "--config", config, "--no-history")
    assert result.code == 2, result.err
    assert message in result.err and len(result.err.strip().splitlines()) == 1


def test_an_impossible_waiver_date_is_one_line_exit_2(posture, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("- policy: github_org_requires_2fa\n  resource: 'github:*'\n  reason: r\n  owner: o\n"
                       "  expires: 2027-02-30\n")
    result = posture("waivers", "check", waivers)
    assert result.code == 2
    assert result.err.strip() == f"posture: error: {waivers}:1: 'expires' must be a date like 2027-01-31, not '2027-02-30'"
    assert posture("scan", "--demo", "--no-history", "--waivers", waivers).code == 2


@pytest.mark.parametrize("args", [
    ["--github-url", "https://ana:s3cr3t-pw@github.example.com/api/v3"],
    ["--github-url", "https://s3cr3t-pw@github.example.com/api/v3"],
])
def test_a_url_with_user_info_is_refused_without_echoing_it(posture, tmp_path: Path, args: list[str]) -> None:
    result = posture("collect", "--github-org", "acme", *args, "-o", tmp_path / "s.json")
    assert result.code == 2
    assert "must not carry a user name or password" in result.err
    assert "s3cr3t" not in result.err + result.out and len(result.err.strip().splitlines()) == 1


def test_a_url_with_user_info_in_the_config_is_refused(posture, tmp_path: Path) -> None:
    config = tmp_path / "posture.yaml"
    config.write_text("azure:\n  graph_url: https://u:s3cr3t-pw@graph.example\n")
    result = posture("collect", "--config", config, "-o", tmp_path / "s.json")
    assert result.code == 2 and "azure.graph_url" in result.err and "s3cr3t" not in result.err


# --- private files --------------------------------------------------------------------------------


def test_reports_history_and_cache_are_private(posture, tmp_path: Path) -> None:
    os.umask(0o022)
    report = tmp_path / "reports" / "deep" / "findings.json"
    history = tmp_path / "state" / "h.db"
    result = posture("scan", "--demo", "--history", history, "--format", f"json:{report}", "-q")
    assert result.code == 1
    assert report.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "reports").stat().st_mode & 0o777 == 0o700
    assert history.stat().st_mode & 0o777 == 0o600 and history.parent.stat().st_mode & 0o777 == 0o700
    cache = tmp_path / "cache" / "posture"
    assert posture("collect", "--roster", ROSTER, "--cache", cache, "-o", tmp_path / "s.json").code == 0
    assert cache.stat().st_mode & 0o777 == 0o700 and cache.parent.stat().st_mode & 0o777 == 0o700
