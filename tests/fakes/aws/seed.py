"""Seed moto (through boto3 against the running server) with accounts whose expected audit
outcome is known: every AWS policy has a PASS or FAIL here, or an ERROR where moto cannot say.

Timestamps in moto are "now": aged keys are created inside ``freezegun.freeze_time`` while the
threaded server runs in this process, and a key's "last used" is set by signing a request with
it at a frozen time (moto records the use).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
from freezegun import freeze_time

from scanner.collectors.aws.client import strip_account_host_prefix

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
MAIN_ACCOUNT = "123456789012"  # moto's default account: the caller
VENDOR_ACCOUNT = "999988887777"
REGION = "us-east-1"

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
PASS_ROLE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}],
}
READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::nw-data/*"}],
}
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def client(service: str, session: boto3.Session | None = None) -> Any:
    made = (session or boto3.Session(region_name=REGION)).client(service, region_name=REGION)
    if service == "s3control":
        made.meta.events.register("before-send", strip_account_host_prefix)
    return made


def _use_key(key: dict[str, str], when: datetime) -> None:
    """Sign one request with ``key`` at ``when`` so moto records it as the key's last use."""
    with freeze_time(when):
        boto3.client(
            "sts",
            region_name=REGION,
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        ).get_caller_identity()


def trust(statement: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]})


def github_trust(account: str, subjects: list[str] | None) -> str:
    condition: dict[str, Any] = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
    if subjects is not None:
        condition["StringLike"] = {"token.actions.githubusercontent.com:sub": subjects}
    return trust(
        {
            "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }
    )


def seed_iam(session: boto3.Session | None, account: str) -> None:
    """Users, groups, roles and customer policies of a Northwind-like account."""
    iam = client("iam", session)
    with freeze_time(_days_ago(400)):
        iam.create_user(UserName="bo.chen", Tags=[{"Key": "email", "Value": "bo@northwind.dev"}])
        iam.create_user(UserName="dmitri", Tags=[{"Key": "Email", "Value": "dmitri@northwind.dev"}])
        iam.create_user(UserName="jenkins-ci")
        iam.create_user(UserName="ops-admin", Tags=[{"Key": "owner", "Value": "platform"}])
        full = iam.create_policy(PolicyName="legacy-full-access", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]["Arn"]
        deploy = iam.create_policy(PolicyName="deployer", PolicyDocument=json.dumps(PASS_ROLE))["Policy"]["Arn"]
        read = iam.create_policy(PolicyName="data-reader", PolicyDocument=json.dumps(READ_ONLY))["Policy"]["Arn"]

    # bo.chen: console + MFA, one fresh key used yesterday; reads data through a group.
    iam.create_login_profile(UserName="bo.chen", Password="Correct-Horse-Battery-1")
    with freeze_time(_days_ago(30)):
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="bo.chen")["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName="bo.chen", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")
        bo_key = iam.create_access_key(UserName="bo.chen")["AccessKey"]
    _use_key(bo_key, _days_ago(1))
    iam.create_group(GroupName="engineers")
    iam.add_user_to_group(GroupName="engineers", UserName="bo.chen")
    iam.attach_group_policy(GroupName="engineers", PolicyArn=read)

    # dmitri: console without MFA, a 200-day-old key last used 100 days ago, admin through a group.
    iam.create_login_profile(UserName="dmitri", Password="Correct-Horse-Battery-2")
    with freeze_time(_days_ago(200)):
        dmitri_key = iam.create_access_key(UserName="dmitri")["AccessKey"]
    _use_key(dmitri_key, _days_ago(100))
    iam.create_group(GroupName="admins")
    iam.add_user_to_group(GroupName="admins", UserName="dmitri")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN_ARN)

    # jenkins-ci: no console, two active keys (one never used, 10 days old), deploys with PassRole *.
    with freeze_time(_days_ago(10)):
        iam.create_access_key(UserName="jenkins-ci")
        jenkins_key = iam.create_access_key(UserName="jenkins-ci")["AccessKey"]
    _use_key(jenkins_key, _days_ago(2))
    iam.attach_user_policy(UserName="jenkins-ci", PolicyArn=deploy)

    # ops-admin: AdministratorAccess and an inline *:* directly on the user, no keys, no console.
    iam.attach_user_policy(UserName="ops-admin", PolicyArn=ADMIN_ARN)
    iam.put_user_policy(UserName="ops-admin", PolicyName="break-glass", PolicyDocument=json.dumps(ALLOW_ALL))
    iam.attach_user_policy(UserName="ops-admin", PolicyArn=full)

    # Roles: open trust, vendor with / without external id, GitHub OIDC pinned / unpinned.
    iam.create_role(RoleName="open-door", AssumeRolePolicyDocument=trust({"Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}))
    iam.create_role(
        RoleName="org-reader",
        AssumeRolePolicyDocument=trust(
            {
                "Principal": {"AWS": "*"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-northwind"}},
            }
        ),
    )
    iam.create_role(
        RoleName="vendor-acme",
        AssumeRolePolicyDocument=trust({"Principal": {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}),
    )
    iam.create_role(
        RoleName="vendor-acme-pinned",
        AssumeRolePolicyDocument=trust(
            {
                "Principal": {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "nw-7f3a"}},
            }
        ),
    )
    iam.create_role(RoleName="gha-any-repo", AssumeRolePolicyDocument=github_trust(account, ["repo:northwind-labs/*"]))
    iam.create_role(
        RoleName="gha-api-deploy",
        AssumeRolePolicyDocument=github_trust(account, ["repo:northwind-labs/api:environment:production"]),
    )
    iam.create_role(RoleName="gha-api-any-branch", AssumeRolePolicyDocument=github_trust(account, ["repo:northwind-labs/api:*"]))
    iam.attach_role_policy(RoleName="gha-api-deploy", PolicyArn=deploy)
    # An admin instance role: whoever may pass it to EC2 and run instances (jenkins-ci, the
    # deploy role) can become admin through it.
    iam.create_role(
        RoleName="ec2-admin",
        AssumeRolePolicyDocument=trust({"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
    )
    iam.attach_role_policy(RoleName="ec2-admin", PolicyArn=ADMIN_ARN)
    iam.attach_role_policy(RoleName="open-door", PolicyArn=ADMIN_ARN)
    iam.create_open_id_connect_provider(
        Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )
    iam.create_saml_provider(Name="northwind-okta", SAMLMetadataDocument="<md:EntityDescriptor>" + "x" * 1000 + "</md:EntityDescriptor>")
    iam.update_account_password_policy(MinimumPasswordLength=8, PasswordReusePrevention=24)


def seed_account_guards(session: boto3.Session | None, account: str) -> None:
    """Security contact, Block Public Access (partial), two trails (one good, one bad)."""
    client("account", session).put_alternate_contact(
        AlternateContactType="SECURITY", EmailAddress="security@northwind.dev", Name="Security", PhoneNumber="+15550100", Title="Security owner"
    )
    s3 = client("s3", session)
    kms = client("kms", session)
    key_arn = kms.create_key(Description="cloudtrail")["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket=f"nw-trail-{account}")
    s3.put_public_access_block(
        Bucket=f"nw-trail-{account}",
        PublicAccessBlockConfiguration={k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")},
    )
    s3.create_bucket(Bucket=f"nw-legacy-trail-{account}", ACL="public-read")
    cloudtrail = client("cloudtrail", session)
    cloudtrail.create_trail(
        Name="org-audit", S3BucketName=f"nw-trail-{account}", IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=key_arn
    )
    cloudtrail.start_logging(Name="org-audit")
    cloudtrail.create_trail(Name="legacy-trail", S3BucketName=f"nw-legacy-trail-{account}")
    # Account-level BPA with only half the settings: public ACLs and policies still readable.
    client("s3control", session).put_public_access_block(
        AccountId=account,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": False,
        },
    )


# Expected outcome of every AWS policy on the main account seeded above (collected alone).
# resource name -> status; policies on aws.account name the account (its id: no alias).
EXPECTED_MAIN: dict[str, dict[str, str]] = {
    "aws_root_mfa_enabled": {MAIN_ACCOUNT: "FAIL"},  # moto: AccountMFAEnabled is always 0
    "aws_root_hardware_mfa": {MAIN_ACCOUNT: "FAIL"},  # no root MFA at all: FAIL, never SKIPPED (issue 11)
    "aws_root_no_access_keys": {MAIN_ACCOUNT: "PASS"},
    "aws_root_not_used_recently": {MAIN_ACCOUNT: "ERROR"},  # moto: no <root_account> report row
    "aws_iam_console_user_mfa": {"bo.chen": "PASS", "dmitri": "FAIL", "jenkins-ci": "SKIPPED", "ops-admin": "SKIPPED"},
    "aws_no_iam_console_users_with_federation": {MAIN_ACCOUNT: "FAIL"},
    "aws_password_policy_min_length": {MAIN_ACCOUNT: "FAIL"},
    "aws_password_policy_reuse": {MAIN_ACCOUNT: "PASS"},
    "aws_security_contact_set": {MAIN_ACCOUNT: "PASS"},
    "aws_access_keys_rotated": {"bo.chen": "PASS", "dmitri": "FAIL", "jenkins-ci": "PASS", "ops-admin": "PASS"},
    "aws_unused_access_keys_disabled": {"bo.chen": "PASS", "dmitri": "FAIL", "jenkins-ci": "PASS", "ops-admin": "PASS"},
    "aws_one_active_access_key": {"bo.chen": "PASS", "dmitri": "PASS", "jenkins-ci": "FAIL", "ops-admin": "PASS"},
    "aws_github_oidc_role_pins_repo": {
        "gha-any-repo": "FAIL",
        "gha-api-deploy": "PASS",
        "gha-api-any-branch": "PASS",
        "open-door": "SKIPPED",
    },
    "aws_github_oidc_prod_role_pins_ref": {"gha-api-deploy": "SKIPPED", "gha-api-any-branch": "SKIPPED"},
    "aws_no_admin_policy_on_users": {"bo.chen": "PASS", "dmitri": "PASS", "jenkins-ci": "PASS", "ops-admin": "FAIL"},
    "aws_customer_policy_no_full_admin": {"legacy-full-access": "FAIL", "deployer": "PASS", "data-reader": "PASS"},
    "aws_customer_policy_no_privilege_escalation": {"legacy-full-access": "FAIL", "deployer": "FAIL", "data-reader": "PASS"},
    "aws_role_trust_not_public": {"open-door": "FAIL", "org-reader": "PASS", "vendor-acme": "PASS"},
    "aws_role_trust_foreign_requires_external_id": {"vendor-acme": "FAIL", "vendor-acme-pinned": "PASS", "open-door": "PASS"},
    "aws_access_analyzer_enabled": {MAIN_ACCOUNT: "FAIL"},  # the fake: no analyzer in any region
    "aws_s3_account_block_public_access": {MAIN_ACCOUNT: "FAIL"},
    "aws_cloudtrail_multi_region_logging": {MAIN_ACCOUNT: "PASS"},
    "aws_cloudtrail_trail_logging": {"org-audit": "PASS", "legacy-trail": "FAIL"},
    "aws_cloudtrail_log_file_validation": {"org-audit": "PASS", "legacy-trail": "FAIL"},
    "aws_cloudtrail_kms_encryption": {"org-audit": "PASS", "legacy-trail": "FAIL"},
    "aws_cloudtrail_log_bucket_not_public": {"org-audit": "PASS", "legacy-trail": "FAIL"},
    "aws_account_environment_designated": {MAIN_ACCOUNT: "SKIPPED"},
    # A single account carries no environment (tests/collectors/aws/test_aws_separation.py has production).
    "aws_role_production_not_trusted_by_nonproduction": {"open-door": "SKIPPED", "vendor-acme": "SKIPPED"},
    # No bucket of this account is marked as an AI store (tests/collectors/aws/test_aws_ai_stores.py has some).
    "aws_ai_bucket_not_public": {},
    "aws_ai_bucket_kms_encrypted": {},
    "aws_ai_bucket_access_logged": {},
    "aws_ai_bucket_not_shared_outside_organization": {},
    "aws_iam_user_cannot_escalate_to_admin": {"bo.chen": "PASS", "dmitri": "PASS", "jenkins-ci": "FAIL", "ops-admin": "PASS"},
    "aws_iam_role_cannot_escalate_to_admin": {"gha-api-deploy": "FAIL", "ec2-admin": "PASS", "vendor-acme": "PASS"},
    "aws_github_oidc_role_not_admin": {"gha-api-deploy": "FAIL", "gha-any-repo": "PASS", "ec2-admin": "SKIPPED"},
}
