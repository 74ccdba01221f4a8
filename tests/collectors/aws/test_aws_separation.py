"""ZT-4 across accounts against moto (organization mode): a production role that a staging account
may assume fails; one trusted only by production (or by itself through GitHub OIDC) passes."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.collectors.aws.helpers import collect, is_read_only, outcomes
from tests.collectors.aws.test_aws_organization import assumed
from tests.fakes.aws import seed
from tests.fakes.aws.server import RecordingMotoServer

POLICY = "aws_role_production_not_trusted_by_nonproduction"


@pytest.fixture(scope="module")
def scanned(moto_server: RecordingMotoServer) -> dict[str, Any]:
    moto_server.reset()
    organizations = boto3.client("organizations", region_name=seed.REGION)
    organizations.create_organization(FeatureSet="ALL")

    def account(name: str, environment: str | None) -> str:
        tags = [{"Key": "environment", "Value": environment}] if environment else []
        status = organizations.create_account(AccountName=name, Email=f"{name}@northwind.dev", Tags=tags)
        return str(status["CreateAccountStatus"]["AccountId"])

    ids = {"prod": account("sep-prod", "production"), "prod-2": account("sep-prod-2", "production"),
           "staging": account("sep-staging", "staging"), "shared": account("sep-shared", None)}

    def trusted_by(*accounts: str) -> str:
        principals = [f"arn:aws:iam::{a}:root" for a in accounts]
        return seed.trust({"Principal": {"AWS": principals}, "Action": "sts:AssumeRole"})

    prod_iam = assumed(ids["prod"]).client("iam")
    prod_iam.create_role(RoleName="deploy-from-staging", AssumeRolePolicyDocument=trusted_by(ids["staging"]))
    prod_iam.create_role(RoleName="tools-from-shared", AssumeRolePolicyDocument=trusted_by(ids["shared"], ids["prod-2"]))
    prod_iam.create_role(RoleName="from-prod-2", AssumeRolePolicyDocument=trusted_by(ids["prod-2"]))
    prod_iam.create_role(RoleName="gha-deploy", AssumeRolePolicyDocument=seed.github_trust(
        ids["prod"], ["repo:northwind-labs/api:environment:production"]))
    # IAM users in production for the OP-5 check (linked to roster people by their email tag).
    for name, email in (("bo.chen", "bo@northwind.dev"), ("ana", "ana@northwind.dev"), ("eve", "eve@acme.io")):
        prod_iam.create_user(UserName=name, Tags=[{"Key": "email", "Value": email}])
        prod_iam.create_login_profile(UserName=name, Password="Correct-Horse-Battery-9")
    # The same trust on a staging role is not a production concern.
    assumed(ids["staging"]).client("iam").create_role(
        RoleName="from-prod", AssumeRolePolicyDocument=trusted_by(ids["prod"]))
    moto_server.clear_log()
    result = collect({"organization": True}, concurrency=2)
    return {"ids": ids, "result": result, "requests": moto_server.requests()}


def test_production_roles_trusted_by_non_production_accounts_fail(scanned: dict[str, Any]) -> None:
    ids, result = scanned["ids"], scanned["result"]
    roles = {(r.scope, r.name): r.attributes for r in result.resources if r.type == "aws.iam_role"}
    assert roles[(ids["prod"], "deploy-from-staging")]["trusted_nonproduction_accounts"] == [f"{ids['staging']} (staging)"]
    assert roles[(ids["prod"], "tools-from-shared")]["trusted_nonproduction_accounts"] == [f"{ids['shared']} (no environment)"]
    assert roles[(ids["prod"], "from-prod-2")]["trusted_nonproduction_accounts"] == []
    table = outcomes(r for r in result.resources if r.scope == ids["prod"] or r.type != "aws.iam_role")
    assert table[POLICY]["deploy-from-staging"] == "FAIL"
    assert table[POLICY]["tools-from-shared"] == "FAIL"
    assert table[POLICY]["from-prod-2"] == "PASS"
    assert table[POLICY]["gha-deploy"] == "PASS"
    staging = outcomes(r for r in result.resources if r.scope == ids["staging"] and r.type == "aws.iam_role")
    assert staging[POLICY]["from-prod"] == "SKIPPED"


def test_separation_reads_nothing_more(scanned: dict[str, Any]) -> None:
    assert all(is_read_only(r.action, r.method, r.path) for r in scanned["requests"])


def test_production_iam_users_of_people_without_security_onboarding_fail(scanned: dict[str, Any]) -> None:
    from scanner.inventory.snapshot import Inventory
    from scanner.pipeline import evaluate_inventory
    from scanner.policy.loader import baseline_dir, load_policies
    from tests.fakes.people.accounts import roster_entry

    roster = (
        roster_entry("Ana Silva", "ana@northwind.dev", security_onboarding_date="2021-03-03"),
        roster_entry("Bo Chen", "bo@northwind.dev"),  # never completed
        # Onboarding scheduled after the user was created: access came first.
        roster_entry("Eve Okafor", "eve@acme.io", employment_type="vendor", security_onboarding_date="2099-01-01"),
    )
    result = scanned["result"]
    inventory = Inventory((*result.resources, *roster), result.sources, "2026-11-20T09:00:00Z", "test")
    policies = [p for p in load_policies([baseline_dir()]) if p.id == "people_aws_production_access_after_onboarding"]
    found = {f.resource.name: f.status.value for f in evaluate_inventory(inventory, policies).report.findings}
    assert (found["ana"], found["bo.chen"], found["eve"]) == ("PASS", "FAIL", "FAIL")


def test_a_trusted_member_account_left_out_of_the_scan_is_unknown(scanned: dict[str, Any]) -> None:
    from scanner.inventory.model import Unknown

    ids = scanned["ids"]
    result = collect({"organization": True, "accounts": [ids["prod"]]}, concurrency=1)
    roles = {r.name: r.attributes for r in result.resources if r.type == "aws.iam_role"}
    unknown = roles["deploy-from-staging"]["trusted_nonproduction_accounts"]
    assert isinstance(unknown, Unknown) and ids["staging"] in unknown.reason
    assert outcomes(result.resources)[POLICY]["deploy-from-staging"] == "ERROR"
    assert roles["gha-deploy"]["trusted_nonproduction_accounts"] == []
