"""SARIF output: valid against the official SARIF 2.1.0 schema (OASIS, vendored in data/ from
github.com/oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json) and against the
stricter subset GitHub code scanning needs; distinct, stable locations and fingerprints."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema

from report_factory import make_finding, make_report

from scanner.findings import Report, Status
from scanner.outputs import sarif

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json").read_text())
OFFICIAL = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def sarif_of(report: Report) -> dict[str, Any]:
    stream = io.StringIO()
    sarif.write(report, stream)
    return json.loads(stream.getvalue())


def test_valid_sarif_with_one_result_per_problem(report: Report) -> None:
    log = sarif_of(report)
    jsonschema.validate(log, SCHEMA, format_checker=jsonschema.FormatChecker())
    jsonschema.Draft4Validator(OFFICIAL, format_checker=jsonschema.FormatChecker()).validate(log)
    (run,) = log["runs"]
    problems = [f for f in report.findings if f.status in (Status.FAIL, Status.WAIVED)]
    assert len(run["results"]) == len(problems)
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {f.policy for f in problems}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    uids = {r["partialFingerprints"]["postureFindingUid/v1"] for r in run["results"]}
    assert uids == {f.uid for f in problems}
    assert {r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]} == {f"{f.uid}:1" for f in problems}


def test_severity_and_suppression(report: Report) -> None:
    run = sarif_of(report)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["aws_iam_user_mfa"]["properties"]["security-severity"] == "9.5"
    assert rules["aws_iam_user_mfa"]["defaultConfiguration"]["level"] == "error"
    assert rules["azure_guest_owner"]["defaultConfiguration"]["level"] == "note"
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"][0]["kind"] == "external"
    assert "ana@northwind.dev" in suppressed[0]["suppressions"][0]["justification"]
    # Results are worst first.
    assert run["results"][0]["ruleId"] == "aws_iam_user_mfa"


def test_schema_rejects_a_result_without_location(report: Report) -> None:
    log = sarif_of(report)
    del log["runs"][0]["results"][0]["locations"]
    try:
        jsonschema.validate(log, SCHEMA)
    except jsonschema.ValidationError as exc:
        assert "locations" in exc.message
    else:
        raise AssertionError("the schema subset accepted a result without a location")


def test_the_official_schema_catches_mistakes(report: Report) -> None:
    log = sarif_of(report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not jsonschema.Draft4Validator(OFFICIAL).is_valid(log)


def test_demo_results_have_distinct_locations_and_line_hashes() -> None:
    from scanner.demo import load_demo
    from scanner.findings import Report, RunInfo
    from scanner.policy.engine import evaluate
    from scanner.policy.loader import baseline_dir, load_policies

    findings = evaluate(load_policies([baseline_dir()]), load_demo())
    log = sarif.document(Report(RunInfo("0", "2026-11-20T09:00:00Z", "2026-11-20T09:01:00Z"), tuple(findings)), repository="northwind-labs/api")
    jsonschema.Draft4Validator(OFFICIAL, format_checker=jsonschema.FormatChecker()).validate(log)
    results = log["runs"][0]["results"]
    keys = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results}
    hashes = {r["partialFingerprints"]["primaryLocationLineHash"] for r in results}
    assert len(results) > 50 and len(keys) == len(hashes) == len(results)  # nothing collapses in code scanning
    again = sarif.document(Report(RunInfo("0", "2026-11-27T09:00:00Z", "2026-11-27T09:01:00Z"), tuple(findings)), repository="northwind-labs/api")
    assert [r["partialFingerprints"] for r in again["runs"][0]["results"]] == [r["partialFingerprints"] for r in results]


def test_real_files_in_the_uploaded_repository_else_a_pseudo_path(monkeypatch) -> None:
    codeowners = make_finding("github_repo_codeowners_valid", "github:acme/api", resource_type="github.repository",
                              evidence={"codeowners_path": ".github/CODEOWNERS", "codeowners_errors": 2})
    workflow = make_finding("github_workflow_pinned", "github:acme/api/.github/workflows/deploy.yml",
                            resource_type="github.workflow", evidence={})
    iac = make_finding("iac_role", "github:acme/api", resource_type="github.repository",
                       evidence={"iac_path": "deploy/aws/role.tf"})
    sneaky = make_finding("x_policy", "github:acme/api", resource_type="github.repository",
                          evidence={"path": "../../etc/passwd"})
    aws = make_finding("aws_iam_user_mfa", "arn:aws:iam::111122223333:user/ana", resource_type="aws.iam_user")
    report = make_report([codeowners, workflow, iac, sneaky, aws])

    def uris(repository: str | None) -> dict[str, str]:
        log = sarif.document(report, repository=repository)
        return {r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}

    assert uris("acme/api") == {
        "github_repo_codeowners_valid": ".github/CODEOWNERS",
        "github_workflow_pinned": ".github/workflows/deploy.yml",
        "iac_role": "deploy/aws/role.tf",
        "x_policy": "posture/github/acme/api",
        "aws_iam_user_mfa": "posture/aws/111122223333/iam/global/user/ana",
    }
    # Uploaded elsewhere, another repository's files are not real paths there.
    assert uris("acme/security")["github_repo_codeowners_valid"] == "posture/github/acme/api/.github/CODEOWNERS"
    monkeypatch.setenv("GITHUB_REPOSITORY", "ACME/api")
    assert uris(None)["github_workflow_pinned"] == ".github/workflows/deploy.yml"
