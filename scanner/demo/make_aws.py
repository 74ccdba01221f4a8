"""Regenerate ``aws.json``, the AWS part of the demo (Northwind Labs), through the real mapping.

The raw answers below are shaped like GetAccountAuthorizationDetails, the IAM credential report
and DescribeTrails, and go through ``scanner.collectors.aws.mapping`` as a scan's would. Three
member accounts of one organization: nw-prod (111122223333, mostly good), nw-staging
(444455556666, lax) and nw-sandbox (777788889999, untagged, forgotten), so every AWS policy
passes somewhere and fails somewhere. Run from the repository root:

    python -m scanner.demo.make_aws
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from scanner.collectors.aws import ai_stores, mapping, separation
from scanner.collectors.base import iso
from scanner.inventory.model import Resource, SourceState, SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
ORG = "o-nw4labs01"
PROD, STAGING, SANDBOX = "111122223333", "444455556666", "777788889999"
MEMBERS = frozenset({PROD, STAGING, SANDBOX})
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def ago(days: int) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def user(account: str, name: str, *, tags: dict[str, str] | None = None, groups: tuple[str, ...] = (),
         attached: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "UserName": name, "UserId": "AIDA" + name.upper().replace(".", "").replace("-", "")[:12].ljust(12, "X"),
        "Arn": f"arn:aws:iam::{account}:user/{name}", "Path": "/", "CreateDate": NOW - timedelta(days=700),
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()], "GroupList": list(groups),
        "AttachedManagedPolicies": [{"PolicyArn": a, "PolicyName": a.rsplit("/", 1)[-1]} for a in attached],
        "UserPolicyList": [],
    }


def row(account: str, name: str, *, password: bool, mfa: bool, password_used: int | None = None,
        keys: tuple[tuple[bool, int, int | None], ...] = ()) -> dict[str, str]:
    """A credential report row; keys are (active, age days, days since last use or None)."""
    data = {
        "user": name, "arn": f"arn:aws:iam::{account}:user/{name}", "user_creation_time": ago(700),
        "password_enabled": "true" if password else "false",
        "password_last_used": ago(password_used) if password_used is not None else ("no_information" if password else "N/A"),
        "mfa_active": "true" if mfa else "false",
    }
    for slot in (1, 2):
        if slot <= len(keys):
            active, age, used = keys[slot - 1]
            data.update({f"access_key_{slot}_active": "true" if active else "false",
                         f"access_key_{slot}_last_rotated": ago(age),
                         f"access_key_{slot}_last_used_date": ago(used) if used is not None else "N/A"})
        else:
            data.update({f"access_key_{slot}_active": "false", f"access_key_{slot}_last_rotated": "N/A",
                         f"access_key_{slot}_last_used_date": "N/A"})
    return data


def root_row(account: str, used_days: int) -> dict[str, str]:
    return {"user": "<root_account>", "arn": f"arn:aws:iam::{account}:root", "password_enabled": "not_supported",
            "password_last_used": ago(used_days), "mfa_active": "true", "access_key_1_last_used_date": "N/A",
            "access_key_2_last_used_date": "N/A"}


def role(account: str, name: str, trust: dict[str, Any], *, attached: tuple[str, ...] = (),
         last_used: int | None = None, inline: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "RoleName": name, "RoleId": "AROA" + name.upper().replace("-", "")[:12].ljust(12, "X"),
        "Arn": f"arn:aws:iam::{account}:role/{name}", "Path": "/", "CreateDate": NOW - timedelta(days=400),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **trust}]},
        "AttachedManagedPolicies": [{"PolicyArn": a, "PolicyName": a.rsplit("/", 1)[-1]} for a in attached],
        "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": inline}] if inline else [], "Tags": [],
        "RoleLastUsed": {"LastUsedDate": NOW - timedelta(days=last_used)} if last_used is not None else {},
    }


def github(account: str, subjects: list[str]) -> dict[str, Any]:
    return {
        "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": subjects}},
    }


def policy(account: str, name: str, document: dict[str, Any], count: int) -> dict[str, Any]:
    return {"Arn": f"arn:aws:iam::{account}:policy/{name}", "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": count,
            "CreateDate": NOW - timedelta(days=500), "UpdateDate": NOW - timedelta(days=90),
            "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": document}]}


def trail(account: str, name: str, *, multi: bool, validation: bool, kms: bool, logging: bool,
          bucket_public: bool) -> mapping.TrailFacts:
    raw = {"Name": name, "TrailARN": f"arn:aws:cloudtrail:eu-west-1:{account}:trail/{name}", "HomeRegion": "eu-west-1",
           "IsMultiRegionTrail": multi, "IsOrganizationTrail": False, "LogFileValidationEnabled": validation,
           "S3BucketName": f"{name}-logs-{account}", "HasCustomEventSelectors": False,
           **({"KmsKeyId": f"arn:aws:kms:eu-west-1:{account}:key/5f1c2a9e-0d3b-4e8f-9a61-7b2c4d6e8f01"} if kms else {})}
    return mapping.TrailFacts(raw, logging, True, bucket_public)


def account_resources(account: str, name: str, environment: str | None, auth: mapping.Authorization,
                      report: dict[str, dict[str, str]], virtual_mfa: set[str], trails: list[mapping.TrailFacts],
                      facts: dict[str, Any]) -> list[Resource]:
    scope = mapping.AccountScope(account, environment, MEMBERS)
    users = mapping.map_users(auth, report, virtual_mfa, scope, NOW)
    root_used = mapping.root_usage(report, NOW)
    console = sum(1 for u in users if u.attributes["has_console_password"] is True)
    all_facts = {
        "alias": f"northwind-{name.split('-', 1)[1]}", "organizational_unit": None, "org_member": True,
        "organization_id": ORG, "is_management_account": False, "scps_enabled": True,
        "root_last_used_at": root_used[0], "root_days_since_last_used": root_used[1],
        "iam_users": len(users), "iam_users_with_console": console, **facts, **mapping.trail_rollup(trails),
    }
    return [
        mapping.map_account(scope, name, all_facts), *users, *mapping.map_roles(auth, scope, NOW),
        *mapping.map_policies(auth, scope), *(mapping.map_trail(t, scope) for t in trails),
    ]


def build() -> Inventory:
    resources: list[Resource] = []

    # nw-prod: Identity Center, a good trail, but legacy IAM users (bo.chen, dmitri who left, jenkins-ci).
    prod_auth = mapping.Authorization.from_pages([{
        "UserDetailList": [
            user(PROD, "bo.chen", tags={"email": "bo@northwind.dev", "team": "platform"}, groups=("engineers",)),
            user(PROD, "dmitri", tags={"email": "dmitri@northwind.dev"}, groups=("engineers",)),
            user(PROD, "jenkins-ci", attached=(ADMIN,)),
        ],
        "GroupDetailList": [{"GroupName": "engineers", "GroupPolicyList": [],
                             "AttachedManagedPolicies": [{"PolicyArn": f"arn:aws:iam::{PROD}:policy/read-only-data"}]}],
        "RoleDetailList": [
            role(PROD, "gha-deploy-prod", github(PROD, ["repo:northwind-labs/api:environment:production"]),
                 attached=(f"arn:aws:iam::{PROD}:policy/deploy-ecs",), last_used=1),
            role(PROD, "gha-terraform-plan", github(PROD, ["repo:northwind-labs/infra:*"]), last_used=3),
            # Code-to-cloud paths (issue 15): an admin role behind api's reviewed production
            # environment, and one any push to mobile-app's main branch (admins bypass review) reaches.
            role(PROD, "gha-platform-admin", github(PROD, ["repo:northwind-labs/api:environment:production"]),
                 attached=(ADMIN,), last_used=6),
            role(PROD, "gha-mobile-release", github(PROD, ["repo:northwind-labs/mobile-app:ref:refs/heads/main"]),
                 attached=(ADMIN,), last_used=2),
            role(PROD, "acme-outsourcing-support", {"Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                                                    "Action": "sts:AssumeRole"}, last_used=40),
            # Environment separation (ZT-4): staging's pipeline may assume a production role.
            role(PROD, "release-from-staging", {"Principal": {"AWS": f"arn:aws:iam::{STAGING}:root"},
                                                "Action": "sts:AssumeRole"}, last_used=4),
            role(PROD, "datadog-integration", {"Principal": {"AWS": "arn:aws:iam::464622532012:root"},
                                               "Action": "sts:AssumeRole",
                                               "Condition": {"StringEquals": {"sts:ExternalId": "nw-dd-7f3a"}}},
                 last_used=0),
            role(PROD, "AWSReservedSSO_AdministratorAccess_4f1d2c3b", {
                "Principal": {"Federated": f"arn:aws:iam::{PROD}:saml-provider/AWSSSO_1a2b3c4d5e6f_DO_NOT_DELETE"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}},
                attached=(ADMIN,), last_used=2),
        ],
        "Policies": [
            policy(PROD, "deploy-ecs", {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ecs:UpdateService", "ecs:RegisterTaskDefinition"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}, 1),
            policy(PROD, "read-only-data", {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": ["arn:aws:s3:::nw-analytics", "arn:aws:s3:::nw-analytics/*"]}]}, 1),
        ],
    }])
    prod_report = {r["user"]: r for r in (
        root_row(PROD, 200),
        row(PROD, "bo.chen", password=True, mfa=True, password_used=2, keys=((True, 20, 1),)),
        row(PROD, "dmitri", password=True, mfa=False, password_used=12, keys=((True, 300, 10),)),
        row(PROD, "jenkins-ci", password=False, mfa=False, keys=((True, 80, 120), (True, 30, 1))),
    )}
    resources += account_resources(
        PROD, "nw-prod", "production", prod_auth, prod_report, {"bo.chen"},
        [trail(PROD, "nw-prod-audit", multi=True, validation=True, kms=True, logging=True, bucket_public=False)],
        {"root_mfa_enabled": True, "root_mfa_kind": "hardware", "root_access_keys_present": False,
         "password_policy_present": True, "password_minimum_length": 8, "password_reuse_prevention": 5,
         "password_max_age_days": None, "saml_providers": [], "oidc_providers": ["token.actions.githubusercontent.com"],
         "identity_center_enabled": True, "federation_present": True, "security_contact_present": True,
         "s3_block_public_access": True, "access_analyzer_enabled": True,
         "access_analyzer_missing_regions": []},
    )

    # nw-staging: federated only, but lax: a wildcard GitHub role, an open trust, a stopped trail.
    staging_auth = mapping.Authorization.from_pages([{
        "UserDetailList": [],
        "RoleDetailList": [
            # It may assume any role, and legacy-cross-account (admin) trusts '*': a workflow of any
            # repository of the org is one AssumeRole away from admin.
            role(STAGING, "gha-any-repo", github(STAGING, ["repo:northwind-labs/*"]), last_used=5,
                 inline={"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Action": ["sts:AssumeRole", "s3:GetObject"], "Resource": "*"}]}),
            role(STAGING, "legacy-cross-account", {"Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
                 attached=(f"arn:aws:iam::{STAGING}:policy/legacy-admin",), last_used=None),
        ],
        "Policies": [policy(STAGING, "legacy-admin", ALL, 1)],
    }])
    resources += account_resources(
        STAGING, "nw-staging", "staging", staging_auth, {"<root_account>": root_row(STAGING, 5)}, set(),
        [trail(STAGING, "staging-trail", multi=False, validation=False, kms=False, logging=False, bucket_public=True)],
        {"root_mfa_enabled": True, "root_mfa_kind": "virtual", "root_access_keys_present": False,
         "password_policy_present": False, "password_minimum_length": None, "password_reuse_prevention": None,
         "password_max_age_days": None, "saml_providers": [], "oidc_providers": ["token.actions.githubusercontent.com"],
         "identity_center_enabled": True, "federation_present": True, "security_contact_present": True,
         "s3_block_public_access": False, "access_analyzer_enabled": False,
         "access_analyzer_missing_regions": ["eu-west-1", "us-west-2"]},
    )

    # nw-sandbox: untagged, forgotten: root without MFA and with keys, no trail, one tester.
    # qa-tester was given "iam:AttachUserPolicy" to try a feature: it can attach AdministratorAccess to itself.
    qa_tester = user(SANDBOX, "qa-tester", tags={"owner": "qa"})
    qa_tester["UserPolicyList"] = [{"PolicyName": "feature-trial", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:AttachUserPolicy", "iam:ListPolicies"], "Resource": "*"}]}}]
    sandbox_auth = mapping.Authorization.from_pages([{
        "UserDetailList": [qa_tester], "RoleDetailList": [], "Policies": [],
    }])
    resources += account_resources(
        SANDBOX, "nw-sandbox", None, sandbox_auth,
        {r["user"]: r for r in (root_row(SANDBOX, 400), row(SANDBOX, "qa-tester", password=True, mfa=True, password_used=130))},
        {"qa-tester"}, [],
        {"root_mfa_enabled": False, "root_mfa_kind": None, "root_access_keys_present": True,
         "password_policy_present": True, "password_minimum_length": 14, "password_reuse_prevention": 24,
         "password_max_age_days": 90, "saml_providers": [], "oidc_providers": [],
         "identity_center_enabled": True, "federation_present": True, "security_contact_present": False,
         "s3_block_public_access": True,
         "access_analyzer_enabled": Unknown("needs access-analyzer:ListAnalyzers"),
         "access_analyzer_missing_regions": Unknown("needs access-analyzer:ListAnalyzers")},
    )
    def source(name: str, calls: dict[str, int], *, status: SourceState = "ok", errors: tuple[str, ...] = (),
               notes: tuple[str, ...] = (), identity: str, kind: str | None = None) -> SourceStatus:
        return SourceStatus(name, "aws", status, errors, notes, identity, iso(NOW - timedelta(minutes=2)),
                            iso(NOW - timedelta(minutes=1)), calls, kind)

    iam_calls = {"iam:GenerateCredentialReport": 2, "iam:GetAccountAuthorizationDetails": 1, "iam:GetAccountPasswordPolicy": 1,
                 "iam:GetAccountSummary": 1, "iam:GetCredentialReport": 1, "iam:ListAccountAliases": 1,
                 "iam:ListOpenIDConnectProviders": 1, "iam:ListSAMLProviders": 1, "iam:ListVirtualMFADevices": 1,
                 "cloudtrail:DescribeTrails": 1, "cloudtrail:GetEventSelectors": 1, "cloudtrail:GetTrailStatus": 1,
                 "s3:GetAccountPublicAccessBlock": 1, "s3:GetBucketPublicAccessBlock": 1, "sso:ListInstances": 1,
                 "account:GetAlternateContact": 1, "access-analyzer:ListAnalyzers": 1}
    auditor = "arn:aws:sts::{0}:assumed-role/PostureAudit/posture-audit (assumed by arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_SecurityAudit_9d8c/ana@northwind.dev)"
    sources = (
        source(f"aws:organization:{ORG}", {"organizations:DescribeOrganization": 1, "organizations:ListAccounts": 1,
                                           "organizations:ListRoots": 1, "organizations:ListTagsForResource": 3,
                                           "organizations:ListParents": 3, "sts:GetCallerIdentity": 1},
               notes=("4 accounts listed, 3 selected for audit",),
               identity="arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_SecurityAudit_9d8c/ana@northwind.dev"),
        source(f"aws:{PROD}", iam_calls, identity=auditor.format(PROD)),
        source(f"aws:{STAGING}", iam_calls, identity=auditor.format(STAGING)),
        source(f"aws:{SANDBOX}", {k: v for k, v in iam_calls.items() if not k.startswith("cloudtrail:Get")},
               status="partial", errors=(f"access-analyzer:ListAnalyzers denied (AccessDeniedException) in account {SANDBOX}",),
               notes=("grant access-analyzer:ListAnalyzers to read what it feeds (see deploy/aws/posture-audit-policy.json)",),
               identity=auditor.format(SANDBOX), kind="permission"),
    )
    resources += ai_buckets()
    return Inventory(tuple(separation.annotate(resources)), sources, iso(NOW) or "", "demo")


def ai_buckets() -> list[Resource]:
    """WF-5: production's training data is locked down; staging's model bucket is not."""
    kms = {"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": f"arn:aws:kms:eu-west-1:{PROD}:key/1b2c3d4e-aaaa-bbbb-cccc-000000000001"}}]}}
    blocked = {"PublicAccessBlockConfiguration": {k: True for k in (
        "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}}
    org_only = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{STAGING}:role/ml-training"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::nw-training-data/*"}]})
    vendor = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::nw-staging-models", "arn:aws:s3:::nw-staging-models/*"]}]})
    return [
        ai_stores.map_bucket(
            mapping.AccountScope(PROD, "production", MEMBERS), "nw-training-data", {"data-classification": "training-data"},
            "tag data-classification=training-data", {}, blocked, {"PolicyStatus": {"IsPublic": False}}, kms,
            {"LoggingEnabled": {"TargetBucket": "nw-prod-access-logs", "TargetPrefix": "nw-training-data/"}},
            {"Policy": org_only},
        ),
        ai_stores.map_bucket(
            mapping.AccountScope(STAGING, "staging", MEMBERS), "nw-staging-models", {}, "name", {},
            {"PublicAccessBlockConfiguration": {}}, {"PolicyStatus": {"IsPublic": False}},
            {"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}},
            {}, {"Policy": vendor},
        ),
    ]


def main() -> None:
    target = Path(__file__).with_name("aws.json")
    target.write_text(json.dumps(build().to_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
