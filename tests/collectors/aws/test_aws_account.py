"""One seeded AWS account (moto server), collected alone: every AWS policy's outcome, the
declared types, read-only behaviour, call counts and what is never written out."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from scanner.collectors.base import CollectResult
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import aws as aws_types
from scanner.inventory.types import problems_with
from scanner.inventory.model import Unknown
from tests.collectors.aws.helpers import POLICY_DIR, collect, is_read_only, outcomes
from tests.fakes.aws import seed
from tests.fakes.aws.server import Fault, RecordingMotoServer

# As collected (correlation adds person/link attributes to aws.iam_user later).
DECLARED = {t.name: t.extended(aws_types.EXTENSIONS.get(t.name, ())) for t in aws_types.TYPES}


@pytest.fixture(scope="module")
def scanned(moto_server: RecordingMotoServer) -> tuple[CollectResult, list]:
    moto_server.reset()
    seed.seed_iam(None, seed.MAIN_ACCOUNT)
    seed.seed_account_guards(None, seed.MAIN_ACCOUNT)
    moto_server.clear_log()
    result = collect({})
    return result, moto_server.requests()


def by_name(result: CollectResult, rtype: str) -> dict:
    return {r.name: r for r in result.resources if r.type == rtype}


def test_every_aws_policy_gives_the_expected_outcome(scanned) -> None:
    result, _ = scanned
    table = outcomes(result.resources)
    assert set(table) == set(seed.EXPECTED_MAIN), "every shipped AWS policy has an expectation"
    for policy_id, expected in seed.EXPECTED_MAIN.items():
        got = {name: table[policy_id].get(name) for name in expected}
        assert got == expected, policy_id


def test_resources_carry_exactly_their_declared_attributes(scanned) -> None:
    result, _ = scanned
    counts = Counter(r.type for r in result.resources)
    assert counts == {
        "aws.account": 1,
        "aws.iam_user": 4,
        "aws.iam_role": 8,
        "aws.iam_policy": 3,
        "aws.cloudtrail_trail": 2,
    }
    for resource in result.resources:
        assert problems_with(resource, DECLARED[resource.type]) == []
    assert len({r.id for r in result.resources}) == len(result.resources)


def test_iam_users_honour_the_account_contract(scanned) -> None:
    result, _ = scanned
    users = by_name(result, "aws.iam_user")
    bo, dmitri, jenkins, ops = users["bo.chen"], users["dmitri"], users["jenkins-ci"], users["ops-admin"]
    assert bo.attributes["email"] == "bo@northwind.dev"
    assert dmitri.attributes["email"] == "dmitri@northwind.dev"  # the Email tag spelling too
    assert jenkins.attributes["email"] is None
    assert (bo.attributes["active"], ops.attributes["active"]) == (True, False)
    assert (dmitri.attributes["is_admin"], ops.attributes["is_admin"], bo.attributes["is_admin"]) == (True, True, False)
    assert bo.attributes["mfa_enabled"] is True and bo.attributes["mfa_device_kind"] == "virtual"
    assert dmitri.attributes["last_activity_at"] == "2026-08-12T09:00:00Z"
    assert dmitri.attributes["days_since_last_activity"] == 100
    assert ops.attributes["last_activity_at"] is None
    assert bo.attributes["handles"][0] == "bo.chen" and bo.id in bo.attributes["handles"]
    assert dmitri.attributes["active_key_max_age_days"] == 200
    assert jenkins.attributes["active_key_max_unused_days"] == 10  # a never-used key counts from creation
    assert sorted(ops.attributes["direct_admin_policies"]) == [
        "arn:aws:iam::123456789012:policy/legacy-full-access",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "inline:break-glass",
    ]


def test_moto_gaps_become_unknown_with_a_reason(scanned) -> None:
    result, _ = scanned
    account = by_name(result, "aws.account")[seed.MAIN_ACCOUNT].attributes
    assert account["root_last_used_at"] == Unknown("the IAM credential report has no <root_account> row")
    # moto has no Access Analyzer: the fake answers "no analyzer" in every enabled region.
    assert account["access_analyzer_enabled"] is False
    assert "us-east-1" in account["access_analyzer_missing_regions"] and len(account["access_analyzer_missing_regions"]) > 1
    # GAAD Policies entries in moto lack PolicyName: derived from the ARN.
    assert set(by_name(result, "aws.iam_policy")) == {"legacy-full-access", "deployer", "data-reader"}


def test_source_status_reports_partial_with_the_failing_call(scanned, moto_server: RecordingMotoServer) -> None:
    result, _ = scanned
    (source,) = result.sources
    assert source.name == f"aws:{seed.MAIN_ACCOUNT}"
    assert source.status == "ok" and source.errors == ()
    assert source.identity == "arn:aws:sts::123456789012:user/moto"
    moto_server.inject(Fault("iam", "GetAccountPasswordPolicy", code="ServiceFailure", status=500))
    try:
        (source,) = collect({}).sources
    finally:
        moto_server.clear_faults()
    assert source.status == "partial" and source.error_kind == "api"
    assert len(source.errors) == 1 and "iam:GetAccountPasswordPolicy failed" in source.errors[0]


def test_collector_only_reads(scanned) -> None:
    _, requests = scanned
    assert requests, "the server saw the scan"
    writes = [(r.service, r.action) for r in requests if not is_read_only(r.action, r.method, r.path)]
    assert writes == []


def test_read_only_check_would_catch_a_write() -> None:
    assert not is_read_only("CreateUser", "POST", "/")
    assert not is_read_only("PUT /v20180820/configuration/publicAccessBlock", "PUT", "/v20180820/configuration/publicAccessBlock")
    assert not is_read_only("POST /putAlternateContact", "POST", "/putAlternateContact")
    assert is_read_only("POST /getAlternateContact", "POST", "/getAlternateContact")


def test_iam_is_read_in_bulk_and_calls_are_counted(scanned) -> None:
    result, requests = scanned
    calls = result.sources[0].api_calls
    assert calls["iam:GetAccountAuthorizationDetails"] == 1
    assert calls["iam:GetCredentialReport"] == 1
    assert not any(k in calls for k in ("iam:ListUsers", "iam:ListAccessKeys", "iam:ListMFADevices", "iam:GetUser"))
    iam_calls = sum(v for k, v in calls.items() if k.startswith("iam:"))
    assert iam_calls <= 15
    # The scanner-side count agrees with what the server received for IAM.
    server_iam = sum(1 for r in requests if r.service == "iam")
    assert server_iam == iam_calls


def test_snapshot_holds_no_secret(scanned, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = scanned
    text = json.dumps(Inventory(result.resources, result.sources).to_json())
    assert "fake-secret-for-tests-only" not in text
    assert "Correct-Horse-Battery" not in text
    assert "SecretAccessKey" not in text


def test_least_privilege_policy_covers_every_action_called(scanned) -> None:
    result, _ = scanned
    document = json.loads((POLICY_DIR.parents[1] / "deploy" / "aws" / "posture-audit-policy.json").read_text())
    granted = {a for statement in document["Statement"] for a in statement["Action"]}
    called = {k for k in result.sources[0].api_calls if not k.startswith("sts:")}
    assert called <= granted
    assert not any(a.split(":", 1)[1].startswith(("Create", "Put", "Delete", "Update", "Attach")) for a in granted)
