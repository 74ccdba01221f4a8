"""OCSF output: every line is a valid OCSF Compliance Finding of the version asked for (1.1-1.5),
checked field by field.

Two independent checks: py-ocsf-models (pydantic models of OCSF 1.5) must accept each event and
keep every field we wrote, and a subset of each release's schema (tests/outputs/data, made from
github.com/ocsf/ocsf-schema at its tag by make_ocsf_subset.py) must know every attribute, its
type and its enum value, with profile attributes only when the event declares the profile.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud
from report_factory import make_finding, make_report

from scanner.errors import ConfigError
from scanner.findings import Report, Severity, Status
from scanner.outputs import ocsf

DATA = Path(__file__).parent / "data"
SUBSETS = {v: json.loads((DATA / f"ocsf_{v.replace('.', '_')}_subset.json").read_text()) for v in ocsf.VERSIONS}
SUBSET = SUBSETS["1.5.0"]
SCALARS = {
    "string_t": str, "url_t": str, "resource_uid_t": str, "hostname_t": str, "ip_t": str,
    "integer_t": int, "long_t": int, "timestamp_t": int, "boolean_t": bool, "float_t": (int, float),
}
COMPUTED_ENUMS = {"class_uid", "category_uid", "type_uid"}  # checked by value below


def lines_of(report: Report, version: str = ocsf.OCSF_VERSION) -> list[dict[str, Any]]:
    stream = io.StringIO()
    ocsf.write(report, stream, version=version)
    text = stream.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def schema_problems(
    value: Any, spec: dict[str, Any], path: str, subset: dict[str, Any] = SUBSET, profiles: frozenset[str] | None = None
) -> list[str]:
    """Every attribute known, of its declared type and enum; required attributes present,
    including those of the profiles the event declares in ``metadata.profiles``."""
    problems = []
    version = subset["ocsf_version"]
    if profiles is None:
        profiles = frozenset(value.get("metadata", {}).get("profiles", ()))
    attributes = spec["attributes"]
    for name, attr in attributes.items():
        if attr["requirement"] == "required" and (not attr["profile"] or attr["profile"] in profiles) and name not in value:
            problems.append(f"{path}.{name}: required attribute missing")
    for name, item in value.items():
        attr = attributes.get(name)
        where = f"{path}.{name}"
        if attr is None:
            problems.append(f"{where}: not an attribute of this object in OCSF {version}")
            continue
        if attr["profile"] and attr["profile"] not in profiles:
            problems.append(f"{where}: belongs to profile {attr['profile']}, which we do not declare")
        if attr["deprecated"]:
            problems.append(f"{where}: deprecated in OCSF {version}")
        items = item if attr["is_array"] else [item]
        if attr["is_array"] and not isinstance(item, list):
            problems.append(f"{where}: must be an array")
            continue
        for element in items:
            kind = attr["type"]
            if kind in SCALARS:
                if not isinstance(element, SCALARS[kind]) or (kind != "boolean_t" and isinstance(element, bool)):
                    problems.append(f"{where}: {element!r} is not {kind}")
                elif attr["enum"] and name not in COMPUTED_ENUMS and element not in attr["enum"]:
                    problems.append(f"{where}: {element!r} not in enum {attr['enum']}")
            elif kind in ("object", "json_t"):
                continue
            elif kind in subset["objects"]:
                if not isinstance(element, dict):
                    problems.append(f"{where}: must be an object ({kind})")
                else:
                    problems += schema_problems(element, subset["objects"][kind], where, subset, profiles)
            else:
                problems.append(f"{where}: object type {kind} is outside the checked subset")
    return problems


def test_every_line_is_a_compliance_finding_by_the_schema_and_the_models(report_with_history: Report) -> None:
    events = lines_of(report_with_history)
    assert len(events) == len(report_with_history.findings) + 1  # + the resolved finding that vanished
    spec = SUBSET["classes"]["compliance_finding"]
    for event in events:
        assert schema_problems(event, spec, "event") == []
        assert (event["activity_id"] == 3) == (event["status_id"] == 4)  # Resolved if and only if Close
        assert event["class_uid"] == spec["uid"] == 2003
        assert event["category_uid"] == 2
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
        assert event["metadata"]["version"] == "1.5.0"
        model = ComplianceFinding.model_validate(event)
        # The models ignore unknown keys: check they kept every value we wrote, except the one
        # 1.5.0 attribute py-ocsf-models 0.x does not model (the schema subset checked it above).
        dumped = model.model_dump(mode="json", exclude_none=True)
        # The class model leaves profiles out: the cloud object is checked by its own model.
        if "cloud" in event:
            cloud = Cloud.model_validate(event["cloud"]).model_dump(mode="json", exclude_none=True)
            assert cloud == {k: v for k, v in event["cloud"].items() if k != "cloud_partition"}  # 1.4+, not modelled
            dumped["cloud"] = event["cloud"]
        assert set(_leaves(event)) - set(_leaves(dumped)) <= {(".compliance.status", event["compliance"]["status"])}
        # The evidences model adds its verdict_id default (0 Unknown); everything else is ours.
        assert set(_leaves(dumped)) - {(".evidences[].verdict_id", 0)} <= set(_leaves(event))


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v, f"{path}[]")]
    return [(path, value)]


def test_fields_carry_the_finding(report_with_history: Report) -> None:
    events = {e["finding_info"]["uid"]: e for e in lines_of(report_with_history)}
    for finding in report_with_history.findings:
        event = events[finding.uid]
        assert event["finding_info"]["title"] == finding.title
        assert event["finding_info"]["analytic"]["uid"] == finding.policy
        assert event["resources"][0]["uid"] == finding.resource.id
        assert event["resources"][0]["type"] == finding.resource.type
        assert event["remediation"]["desc"] == finding.remediation
        assert event["message"] == finding.message
        assert event["compliance"]["control"] == finding.area
        assert finding.policy in event["compliance"]["requirements"]
        assert event["unmapped"]["posture"]["status"] == finding.status.value
        assert event["time"] == ocsf.epoch_ms("2026-11-20T09:01:30Z")


@pytest.mark.parametrize(
    ("status", "compliance_id", "status_id", "activity_id"),
    [(Status.PASS, 1, 4, 3), (Status.FAIL, 3, 1, 1), (Status.ERROR, 2, 1, 1), (Status.WAIVED, 3, 3, 1),
     (Status.SKIPPED, 99, 4, 3)],
)
def test_status_mapping(status: Status, compliance_id: int, status_id: int, activity_id: int) -> None:
    (event,) = lines_of(make_report([make_finding(status=status)]))
    assert event["compliance"]["status_id"] == compliance_id
    assert event["compliance"]["checks"][0]["status_id"] == compliance_id
    assert event["status_id"] == status_id
    assert event["activity_id"] == activity_id  # never a Create of a Resolved finding
    assert event["status_code"] == status.value


@pytest.mark.parametrize(
    ("severity", "severity_id"),
    [(Severity.CRITICAL, 5), (Severity.HIGH, 4), (Severity.MEDIUM, 3), (Severity.LOW, 2), (Severity.INFO, 1)],
)
def test_severity_mapping(severity: Severity, severity_id: int) -> None:
    (event,) = lines_of(make_report([make_finding(severity=severity)]))
    assert event["severity_id"] == severity_id


def test_activity_follows_history(report_with_history: Report) -> None:
    events = lines_of(report_with_history)
    by_change = {}
    for event in events:
        by_change.setdefault(event["unmapped"]["posture"].get("change"), set()).add(event["activity_id"])
    assert by_change["new"] == {1}
    assert by_change["persisting"] == {2}
    assert by_change["resolved"] == {3}
    closed = [e for e in events if e["activity_id"] == 3]
    assert {"github:northwind-labs/member/old-bot",  # vanished: its own Close line
            "github:northwind-oss"} <= {e["resources"][0]["uid"] for e in closed}  # passes now: its PASS line closes it
    assert all(e["status_id"] == 4 for e in closed)
    assert all(e["unmapped"]["posture"]["status"] in ("PASS", "SKIPPED", "RESOLVED") for e in closed)
    # Without history every problem is a Create, and what passes is a Close.
    for event in lines_of(make_report()):
        assert event["activity_id"] == (3 if event["status_code"] in ("PASS", "SKIPPED") else 1)


def test_waived_finding_is_suppressed_with_the_waiver(report: Report) -> None:
    (event,) = [e for e in lines_of(report) if e["unmapped"]["posture"]["status"] == "WAIVED"]
    assert event["status"] == "Suppressed"
    assert "ana@northwind.dev" in event["status_detail"] and "2027-01-31" in event["status_detail"]
    assert event["unmapped"]["posture"]["waiver"]["ticket"] == "SEC-142"


def test_hostile_text_survives_one_line_per_event(report: Report) -> None:
    stream = io.StringIO()
    ocsf.write(report, stream)
    raw_lines = stream.getvalue().splitlines()
    assert len(raw_lines) == len(report.findings)
    evil = [json.loads(line) for line in raw_lines if "evil" in line]
    assert evil[0]["message"] == report.findings[4].message  # newline and markup kept, escaped by JSON


def test_the_schema_check_catches_mistakes(report: Report) -> None:
    event = lines_of(report)[0]
    spec = SUBSET["classes"]["compliance_finding"]
    broken = {**event, "severity_id": 7, "finding_info": {**event["finding_info"], "colour": "red"}}
    del broken["compliance"]
    problems = schema_problems(broken, spec, "event")
    assert "event.compliance: required attribute missing" in problems
    assert "event.severity_id: 7 not in enum [0, 1, 2, 3, 4, 5, 6, 99]" in problems
    assert "event.finding_info.colour: not an attribute of this object in OCSF 1.5.0" in problems
    assert schema_problems({**event, "resource": {}}, spec, "event") == ["event.resource: deprecated in OCSF 1.5.0"]
    # The cloud profile: its attributes only when declared, and then `cloud` is required.
    undeclared = {**event, "metadata": {k: v for k, v in event["metadata"].items() if k != "profiles"}}
    assert "event.cloud: belongs to profile cloud, which we do not declare" in schema_problems(undeclared, spec, "event")
    missing = {k: v for k, v in event.items() if k != "cloud"}
    assert "event.cloud: required attribute missing" in schema_problems(missing, spec, "event")


@pytest.mark.parametrize("version", ocsf.VERSIONS)
def test_each_ocsf_version_validates_against_its_own_schema(report_with_history: Report, version: str) -> None:
    spec = SUBSETS[version]["classes"]["compliance_finding"]
    for event in lines_of(report_with_history, version):
        assert event["metadata"]["version"] == version
        assert schema_problems(event, spec, "event", SUBSETS[version]) == []


def test_the_older_schemas_reject_what_only_1_5_has(report: Report) -> None:
    # Why --ocsf-version exists: a 1.5 event is not a valid 1.1 event.
    event = lines_of(report, "1.5.0")[0]
    problems = schema_problems(event, SUBSETS["1.1.0"]["classes"]["compliance_finding"], "event", SUBSETS["1.1.0"])
    assert "event.compliance.checks: not an attribute of this object in OCSF 1.1.0" in problems
    assert "event.evidences: not an attribute of this object in OCSF 1.1.0" in problems
    old = lines_of(report, "1.1")[0]
    assert "checks" not in old["compliance"] and "evidences" not in old and old["resource"]["uid"]
    with pytest.raises(ConfigError, match="unknown OCSF version '1.9'; versions: 1.1, 1.2, 1.3, 1.4, 1.5"):
        lines_of(report, "1.9")


def test_cloud_profile_is_filled_per_platform(report: Report) -> None:
    events = {e["resources"][0]["uid"]: e for e in lines_of(report)}
    aws = events["arn:aws:cloudtrail:us-east-1:111122223333:trail/main"]
    assert aws["metadata"]["profiles"] == ["cloud"]
    assert aws["cloud"] == {"provider": "AWS", "region": "us-east-1", "cloud_partition": "aws",
                            "account": {"uid": "111122223333", "name": "111122223333", "type_id": 10, "type": "AWS Account"}}
    resource = aws["resources"][0]
    assert (resource["region"], resource["cloud_partition"], resource["group"]) == ("us-east-1", "aws", {"name": "cloudtrail"})
    iam = events["arn:aws:iam::111122223333:user/dmitri"]
    assert "region" not in iam["cloud"] and iam["resources"][0]["group"] == {"name": "iam"}
    github = events["github:northwind-labs"]
    assert github["cloud"]["provider"] == "GitHub" and github["cloud"]["account"]["uid"] == "northwind-labs"
    azure = events["azure:7f0c9a8e-1b2d-4c3e-9f40-5a6b7c8d9e01/user/eve"]
    assert azure["cloud"]["provider"] == "Azure" and azure["cloud"]["account"]["type"] == "Entra Tenant"
    assert aws["metadata"]["product"]["uid"] == "posture"
    assert "posture/OP-4" in iam["finding_info"]["types"] and "posture/aws" in iam["finding_info"]["types"]
    roster = lines_of(make_report([make_finding("roster_x", "roster:ana", resource_type="roster.person")]))[0]
    assert "cloud" not in roster and "profiles" not in roster["metadata"]
