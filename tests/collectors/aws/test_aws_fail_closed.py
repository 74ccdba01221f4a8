"""Issue 11, AWS: verdicts that must not pass on doubt. Each test failed before its fix.

Root access keys seen on the credential report, Access Analyzer in every enabled region, and a
network failure at sts:GetCallerIdentity reported as unreachable (exit 3), all against the moto
server; the moto gaps (no ``<root_account>`` report row, no Access Analyzer) are filled by stubs
shaped like the published responses.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator

import pytest

from scanner.collectors.aws import client as client_module
from scanner.collectors.aws import collector as collector_module
from scanner.collectors.aws.mapping import parse_credential_report, root_access_keys
from scanner.inventory.model import Unknown
from tests.collectors.aws.helpers import collect, outcomes
from tests.fakes.aws import seed
from tests.fakes.aws.server import Fault, RecordingMotoServer, Stub

REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)


def root_row(key_1_active: bool) -> str:
    return (
        f"<root_account>,arn:aws:iam::{seed.MAIN_ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,"
        "2026-11-10T08:00:00+00:00,not_supported,not_supported,false,"
        f"{'true' if key_1_active else 'false'},2025-01-01T00:00:00+00:00,2026-11-15T00:00:00+00:00,us-east-1,s3,"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )


def report_xml(csv_text: str) -> bytes:
    content = base64.b64encode(csv_text.encode()).decode()
    return (
        '<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<GetCredentialReportResult><Content>{content}</Content><ReportFormat>text/csv</ReportFormat>"
        "<GeneratedTime>2026-11-20T08:00:00Z</GeneratedTime></GetCredentialReportResult>"
        "<ResponseMetadata><RequestId>posture-stub</RequestId></ResponseMetadata></GetCredentialReportResponse>"
    ).encode()


def analyzers_json(active: bool) -> bytes:
    analyzers = (
        [{"arn": "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/acct", "name": "acct", "type": "ACCOUNT",
          "createdAt": 1700000000, "status": "ACTIVE"}]
        if active
        else []
    )
    return json.dumps({"analyzers": analyzers}).encode()


@pytest.fixture
def empty_account(moto_server: RecordingMotoServer) -> Iterator[RecordingMotoServer]:
    moto_server.reset()
    yield moto_server
    moto_server.clear_faults()


def account_attrs(result) -> dict:
    (account,) = [r.attributes for r in result.resources if r.type == "aws.account"]
    return account


# --------------------------------------------------------------------------- root keys


def test_root_keys_mapping_counts_the_report_row() -> None:
    report = parse_credential_report(f"{REPORT_HEADER}\n{root_row(True)}\n")
    assert root_access_keys(False, report) is True  # the summary said no, the report says yes
    assert root_access_keys(Unknown("needs iam:GetAccountSummary"), report) is True
    quiet = parse_credential_report(f"{REPORT_HEADER}\n{root_row(False)}\n")
    assert root_access_keys(False, quiet) is False
    assert root_access_keys(True, quiet) is True
    unread = Unknown("needs iam:GetAccountSummary")
    assert root_access_keys(unread, Unknown("needs iam:GetCredentialReport")) == unread
    assert isinstance(root_access_keys(unread, {}), Unknown)


def test_root_keys_on_the_credential_report_fail_the_policy(empty_account: RecordingMotoServer) -> None:
    empty_account.stub(Stub("iam", "GetCredentialReport", report_xml(f"{REPORT_HEADER}\n{root_row(True)}\n")))
    result = collect({})
    account = account_attrs(result)
    assert account["root_access_keys_present"] is True  # moto's GetAccountSummary says 0
    assert account["root_days_since_last_used"] == 5
    table = outcomes(result.resources)
    assert table["aws_root_no_access_keys"][seed.MAIN_ACCOUNT] == "FAIL"


# --------------------------------------------------------------------------- Access Analyzer


def _regions(server: RecordingMotoServer) -> list[str]:
    return sorted(r["RegionName"] for r in seed.client("ec2").describe_regions()["Regions"])


def test_access_analyzer_is_checked_in_every_enabled_region(empty_account: RecordingMotoServer) -> None:
    regions = _regions(empty_account)
    assert len(regions) > 1
    empty_account.stub(Stub("access-analyzer", "GET /analyzer", analyzers_json(True), "application/json",
                            when=lambda r: r.region == "us-east-1"))
    empty_account.stub(Stub("access-analyzer", "GET /analyzer", analyzers_json(False), "application/json"))
    result = collect({})
    account = account_attrs(result)
    assert account["access_analyzer_enabled"] is False  # the home region alone would have said True
    assert account["access_analyzer_missing_regions"] == [r for r in regions if r != "us-east-1"]
    assert outcomes(result.resources)["aws_access_analyzer_enabled"][seed.MAIN_ACCOUNT] == "FAIL"
    seen = {r.region for r in empty_account.requests() if r.service == "access-analyzer"}
    assert seen == set(regions)


def test_access_analyzer_everywhere_passes(empty_account: RecordingMotoServer) -> None:
    empty_account.stub(Stub("access-analyzer", "GET /analyzer", analyzers_json(True), "application/json"))
    result = collect({})
    account = account_attrs(result)
    assert (account["access_analyzer_enabled"], account["access_analyzer_missing_regions"]) == (True, [])
    assert outcomes(result.resources)["aws_access_analyzer_enabled"][seed.MAIN_ACCOUNT] == "PASS"


def test_an_unreadable_region_is_unknown_not_covered(empty_account: RecordingMotoServer) -> None:
    empty_account.inject(Fault("access-analyzer", "GET /analyzer", when=lambda r: r.region == "eu-west-1"))
    empty_account.stub(Stub("access-analyzer", "GET /analyzer", analyzers_json(True), "application/json"))
    result = collect({})
    account = account_attrs(result)
    assert isinstance(account["access_analyzer_enabled"], Unknown)
    assert "eu-west-1" in account["access_analyzer_enabled"].reason
    (source,) = result.sources
    assert source.status == "partial"
    assert sum("access-analyzer" in e for e in source.errors) == 1 and "eu-west-1" in source.errors[0]
    assert outcomes(result.resources)["aws_access_analyzer_enabled"][seed.MAIN_ACCOUNT] == "ERROR"


def test_unlisted_regions_make_the_verdict_unknown(empty_account: RecordingMotoServer) -> None:
    empty_account.inject(Fault("ec2", "DescribeRegions", code="UnauthorizedOperation"))
    empty_account.stub(Stub("access-analyzer", "GET /analyzer", analyzers_json(True), "application/json"))
    account = account_attrs(collect({}))
    assert isinstance(account["access_analyzer_enabled"], Unknown)
    assert "ec2:DescribeRegions" in account["access_analyzer_enabled"].reason


# --------------------------------------------------------------------------- unreachable vs auth


class _OneAttempt(client_module.AccountClients):
    """No retries: a refused connection fails at once (botocore would back off ~15 s)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **{**kwargs, "max_attempts": 1})


@pytest.fixture
def closed_endpoint(moto_server: RecordingMotoServer, monkeypatch: pytest.MonkeyPatch) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"  # nothing listens here once the socket is closed
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setattr(collector_module, "AccountClients", _OneAttempt)
    return url


def test_network_failure_at_identity_is_unreachable_not_auth(closed_endpoint: str) -> None:
    result = collect({})
    (source,) = result.sources
    assert source.status == "failed"
    assert source.error_kind == "api"
    assert "sts:GetCallerIdentity" in source.errors[0] and "EndpointConnectionError" in source.errors[0]


def test_network_failure_exits_3(closed_endpoint: str, posture, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = posture("collect", "--aws", "-o", tmp_path / "s.json")
    assert result.code == 3, result.err


def test_rejected_credentials_still_exit_2(empty_account: RecordingMotoServer, posture, tmp_path) -> None:  # type: ignore[no-untyped-def]
    empty_account.inject(Fault("sts", "GetCallerIdentity", code="InvalidClientTokenId"))
    result = posture("collect", "--aws", "-o", tmp_path / "s.json")
    assert result.code == 2, result.err
