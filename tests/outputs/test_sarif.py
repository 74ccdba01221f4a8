"""SARIF output: valid against the SARIF 2.1.0 structure GitHub code scanning accepts."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema

from scanner.findings import Report, Status
from scanner.outputs import sarif

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json").read_text())


def sarif_of(report: Report) -> dict[str, Any]:
    stream = io.StringIO()
    sarif.write(report, stream)
    return json.loads(stream.getvalue())


def test_valid_sarif_with_one_result_per_problem(report: Report) -> None:
    log = sarif_of(report)
    jsonschema.validate(log, SCHEMA, format_checker=jsonschema.FormatChecker())
    (run,) = log["runs"]
    problems = [f for f in report.findings if f.status in (Status.FAIL, Status.WAIVED)]
    assert len(run["results"]) == len(problems)
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {f.policy for f in problems}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    uids = {r["partialFingerprints"]["postureFindingUid/v1"] for r in run["results"]}
    assert uids == {f.uid for f in problems}


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
