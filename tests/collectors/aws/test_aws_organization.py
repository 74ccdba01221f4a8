"""Organization mode against moto: several member accounts, AssumeRole into each, one account
whose AssumeRole is denied (failed source) while the others complete; account filters."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from scanner.collectors.base import CollectResult
from scanner.inventory.model import Unknown
from tests.collectors.aws.helpers import collect, is_read_only, outcomes
from tests.fakes.aws import seed
from tests.fakes.aws.server import Fault, RecordingMotoServer


def assumed(account_id: str) -> boto3.Session:
    credentials = boto3.client("sts", region_name=seed.REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="seed"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=seed.REGION,
    )


def use_root_key(session: boto3.Session, days_ago: int) -> None:
    """moto has no root row in the credential report unless a user of that name exists."""
    iam = session.client("iam")
    iam.create_user(UserName="<root_account>")
    key = iam.create_access_key(UserName="<root_account>")["AccessKey"]
    seed._use_key(key, seed.NOW - seed.timedelta(days=days_ago))


@pytest.fixture(scope="module")
def org(moto_server: RecordingMotoServer) -> dict[str, Any]:
    moto_server.reset()
    organizations = boto3.client("organizations", region_name=seed.REGION)
    organizations.create_organization(FeatureSet="ALL")
    root_id = organizations.list_roots()["Roots"][0]["Id"]
    organizations.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    sandbox_ou = organizations.create_organizational_unit(ParentId=root_id, Name="Sandbox")["OrganizationalUnit"]["Id"]

    def account(name: str, tags: list[dict[str, str]]) -> str:
        status = organizations.create_account(AccountName=name, Email=f"{name}@northwind.dev", Tags=tags)
        return str(status["CreateAccountStatus"]["AccountId"])

    ids = {
        "nw-prod": account("nw-prod", [{"Key": "environment", "Value": "production"}]),
        "nw-staging": account("nw-staging", [{"Key": "Environment", "Value": "Staging"}]),
        "nw-sandbox": account("nw-sandbox", []),
        "nw-shared": account("nw-shared", []),
        "nw-legacy": account("nw-legacy", [{"Key": "environment", "Value": "production"}]),
    }
    organizations.move_account(AccountId=ids["nw-sandbox"], SourceParentId=root_id, DestinationParentId=sandbox_ou)

    prod = assumed(ids["nw-prod"])
    iam = prod.client("iam")
    iam.create_role(
        RoleName="gha-api-deploy",
        AssumeRolePolicyDocument=seed.github_trust(ids["nw-prod"], ["repo:northwind-labs/api:environment:production"]),
    )
    iam.create_role(
        RoleName="gha-api-any-branch",
        AssumeRolePolicyDocument=seed.github_trust(ids["nw-prod"], ["repo:northwind-labs/api:*"]),
    )
    # Trusting another account of the same organization is not "foreign".
    iam.create_role(
        RoleName="from-staging",
        AssumeRolePolicyDocument=seed.trust({"Principal": {"AWS": f"arn:aws:iam::{ids['nw-staging']}:root"}, "Action": "sts:AssumeRole"}),
    )
    use_root_key(prod, days_ago=3)
    # The same escalation (AttachUserPolicy on *, an admin to become) in prod and staging; an SCP
    # on nw-prod denies the action, so only staging's attacher can escalate.
    for session in (prod, assumed(ids["nw-staging"])):
        member_iam = session.client("iam")
        member_iam.create_user(UserName="attacher")
        member_iam.put_user_policy(UserName="attacher", PolicyName="attach", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}]}))
    scp = organizations.create_policy(
        Name="no-iam-attach", Description="guardrail", Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:Attach*", "Resource": "*"}]}),
    )["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(PolicyId=scp, TargetId=ids["nw-prod"])
    use_root_key(assumed(ids["nw-staging"]), days_ago=200)

    legacy = ids["nw-legacy"]
    moto_server.inject(Fault("sts", "AssumeRole", when=lambda request: f"::{legacy}:" in request.params.get("RoleArn", "")))
    moto_server.clear_log()
    result = collect({"organization": True}, concurrency=3)
    requests = moto_server.requests()
    moto_server.clear_faults()
    return {"ids": ids, "result": result, "requests": requests}


def sources(result: CollectResult) -> dict[str, Any]:
    return {s.name: s for s in result.sources}


def accounts(result: CollectResult) -> dict[str, Any]:
    return {r.name: r.attributes for r in result.resources if r.type == "aws.account"}


def test_every_member_account_is_a_source_and_the_denied_one_failed(org: dict[str, Any]) -> None:
    ids, result = org["ids"], org["result"]
    by_name = sources(result)
    legacy = by_name[f"aws:{ids['nw-legacy']}"]
    assert legacy.status == "failed"
    assert legacy.error_kind == "permission"
    assert f"arn:aws:iam::{ids['nw-legacy']}:role/OrganizationAccountAccessRole" in legacy.errors[0]
    for name in ("nw-prod", "nw-staging", "nw-sandbox", "nw-shared"):
        source = by_name[f"aws:{ids[name]}"]
        assert source.status in ("ok", "partial")
        assert not any("AssumeRole" in e for e in source.errors)
        assert "assumed-role" not in (source.identity or "") or ids[name] in (source.identity or "")
        assert source.api_calls["iam:GetAccountAuthorizationDetails"] == 1
    assert by_name[f"aws:{seed.MAIN_ACCOUNT}"].status in ("ok", "partial")
    org_sources = [s for s in result.sources if s.name.startswith("aws:organization:")]
    assert len(org_sources) == 1 and org_sources[0].status == "ok"
    assert set(accounts(result)) == {"master", "nw-prod", "nw-staging", "nw-sandbox", "nw-shared"}


def test_accounts_carry_organization_facts(org: dict[str, Any]) -> None:
    found = accounts(org["result"])
    assert found["nw-prod"]["environment"] == "production"
    assert found["nw-staging"]["environment"] == "staging"  # tag key and value case-insensitive
    assert found["nw-sandbox"]["environment"] == "development"  # from the OU name
    assert found["nw-sandbox"]["organizational_unit"] == "Sandbox"
    assert found["nw-shared"]["environment"] is None
    assert all(a["org_member"] and a["scps_enabled"] is True for a in found.values())
    assert found["master"]["is_management_account"] is True
    assert found["nw-prod"]["is_management_account"] is False
    assert found["nw-prod"]["root_days_since_last_used"] == 3
    assert found["nw-staging"]["root_days_since_last_used"] == 200


def test_organization_policies(org: dict[str, Any]) -> None:
    table = outcomes(org["result"].resources)
    assert table["aws_account_environment_designated"] == {
        "master": "FAIL",
        "nw-prod": "PASS",
        "nw-staging": "PASS",
        "nw-sandbox": "PASS",
        "nw-shared": "FAIL",
    }
    assert table["aws_root_not_used_recently"]["nw-prod"] == "FAIL"
    assert table["aws_root_not_used_recently"]["nw-staging"] == "PASS"
    assert table["aws_root_not_used_recently"]["master"] == "ERROR"
    assert table["aws_github_oidc_prod_role_pins_ref"]["gha-api-deploy"] == "PASS"
    assert table["aws_github_oidc_prod_role_pins_ref"]["gha-api-any-branch"] == "FAIL"
    assert table["aws_role_trust_foreign_requires_external_id"]["from-staging"] == "PASS"


def test_organization_mode_only_reads(org: dict[str, Any]) -> None:
    writes = [(r.service, r.action) for r in org["requests"] if not is_read_only(r.action, r.method, r.path)]
    assert writes == []
    assume = [r for r in org["requests"] if r.action == "AssumeRole"]
    assert len(assume) == 5  # every member but the management account, the denied one included


def test_account_filters(org: dict[str, Any], moto_server: RecordingMotoServer) -> None:
    ids = org["ids"]
    result = collect({"organization": True, "accounts": [ids["nw-prod"], ids["nw-staging"]], "skip_accounts": [ids["nw-staging"]]})
    assert set(accounts(result)) == {"nw-prod"}
    assert {s.name for s in result.sources} == {f"aws:{ids['nw-prod']}", next(s.name for s in result.sources if "organization" in s.name)}


def test_unknown_requested_account_is_reported(org: dict[str, Any]) -> None:
    result = collect({"organization": True, "accounts": ["000000000001"]})
    org_source = next(s for s in result.sources if s.name.startswith("aws:organization:"))
    assert org_source.status == "partial"
    assert "000000000001 is not in organization" in org_source.errors[0]
    assert not accounts(result)


def test_member_account_scanned_alone_says_what_it_cannot_see(org: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    prod = assumed(org["ids"]["nw-prod"])
    frozen = prod.get_credentials().get_frozen_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", frozen.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", frozen.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", frozen.token)
    result = collect({})
    (account,) = [r.attributes for r in result.resources if r.type == "aws.account"]
    assert account["org_member"] is True and account["is_management_account"] is False
    assert isinstance(account["environment"], Unknown) and "--aws-organization" in account["environment"].reason
    assert isinstance(account["scps_enabled"], Unknown)


def test_scps_of_the_organization_enter_the_iam_verdicts(org: dict[str, Any]) -> None:
    ids, result = org["ids"], org["result"]
    attackers = {r.scope: r.attributes for r in result.resources if r.type == "aws.iam_user" and r.name == "attacher"}
    prod, staging = attackers[ids["nw-prod"]], attackers[ids["nw-staging"]]
    assert staging["can_escalate_to_admin"] is True
    assert staging["escalation_methods"] == ["iam:AttachUserPolicy -> attacher"]
    assert prod["can_escalate_to_admin"] is False
    assert any("scp" in b["stopped_by"] and "Deny" in b["stopped_by"] for b in prod["escalation_blocked"])
    assert not any("service control policies not evaluated" in a for a in prod["evaluation_assumptions"])
    calls = {s.name: s.api_calls for s in result.sources}
    org_calls = next(c for name, c in calls.items() if name.startswith("aws:organization:"))
    assert org_calls.get("organizations:ListPoliciesForTarget", 0) >= 2
    assert org_calls.get("organizations:DescribePolicy", 0) >= 1
