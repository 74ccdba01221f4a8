"""Issue 19: the IAM evaluator on a seeded escalation account in moto.

The account is built from the privilege-escalation catalogue (Rhino Security Labs, PMapper):
one principal per method, the issue's hard cases (NotAction, iam:* on *, PassRole on role/*,
inline-only, a method split over two policies, ``user/${aws:username}``, ``policy/sandbox/*``,
``iam:PolicyARN`` pinned to ReadOnlyAccess, an explicit Deny, a permissions boundary), and the
targets the methods need (an admin user, an admin group, an admin role trusting the account, an
admin role trusting the compute services). Each principal's expected verdict is asserted with
its method and its evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from scanner.collectors.base import CollectResult
from tests.collectors.aws.helpers import collect, outcomes
from tests.fakes.aws import seed
from tests.fakes.aws.server import RecordingMotoServer

ACCOUNT = seed.MAIN_ACCOUNT
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SERVICES = [
    "ec2.amazonaws.com", "lambda.amazonaws.com", "glue.amazonaws.com", "cloudformation.amazonaws.com",
    "datapipeline.amazonaws.com", "sagemaker.amazonaws.com", "codebuild.amazonaws.com", "ecs-tasks.amazonaws.com",
]


def allow(actions: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# principal -> (expected: admin | escalate | safe, a method the path must use (escalate), policies)
USERS: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "full-star": ("admin", "", [allow("*")]),
    "iam-star": ("admin", "", [allow("iam:*")]),
    "notaction-deny-list": ("admin", "", [{"Effect": "Allow", "NotAction": ["s3:*", "ec2:*"], "Resource": "*"}]),
    # PowerUser-style NotAction leaves sts:AssumeRole allowed: the account-trusting admin role is
    # one step away (lambda:UpdateFunctionCode would be another).
    "power-user": ("escalate", "sts:AssumeRole",
                   [{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}]),
    "create-policy-version": ("escalate", "iam:CreatePolicyVersion", [allow(["iam:CreatePolicyVersion", "iam:ListPolicies"])]),
    "attach-user-policy": ("escalate", "iam:AttachUserPolicy", [allow("iam:AttachUserPolicy")]),
    "attach-group-policy": ("escalate", "iam:AttachGroupPolicy", [allow("iam:AttachGroupPolicy")]),
    "put-user-policy": ("escalate", "iam:PutUserPolicy", [allow("iam:PutUserPolicy")]),
    "put-group-policy": ("escalate", "iam:PutGroupPolicy", [allow("iam:PutGroupPolicy")]),
    "create-login-profile": ("escalate", "iam:CreateLoginProfile", [allow("iam:CreateLoginProfile")]),
    "update-login-profile": ("escalate", "iam:UpdateLoginProfile", [allow("iam:UpdateLoginProfile")]),
    "create-access-key": ("escalate", "iam:CreateAccessKey", [allow("iam:CreateAccessKey")]),
    "add-user-to-group": ("escalate", "iam:AddUserToGroup", [allow("iam:AddUserToGroup")]),
    "passrole-ec2": ("escalate", "PassRole+ec2:RunInstances", [allow(["iam:PassRole", "ec2:RunInstances"])]),
    "passrole-lambda": ("escalate", "PassRole+lambda:CreateFunction",
                        [allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])]),
    "passrole-glue": ("escalate", "PassRole+glue:CreateDevEndpoint", [allow(["iam:PassRole", "glue:CreateDevEndpoint"])]),
    "passrole-cloudformation": ("escalate", "PassRole+cloudformation:CreateStack",
                                [allow(["iam:PassRole", "cloudformation:CreateStack"])]),
    "passrole-datapipeline": ("escalate", "PassRole+datapipeline:CreatePipeline",
                              [allow(["iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"])]),
    "passrole-sagemaker": ("escalate", "PassRole+sagemaker:CreateNotebookInstance",
                           [allow(["iam:PassRole", "sagemaker:CreateNotebookInstance"])]),
    "passrole-codebuild": ("escalate", "PassRole+codebuild:CreateProject+StartBuild",
                           [allow(["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"])]),
    "passrole-ecs": ("escalate", "PassRole+ecs:RegisterTaskDefinition+RunTask",
                     [allow(["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"])]),
    "lambda-update-code": ("escalate", "lambda:UpdateFunctionCode", [allow("lambda:UpdateFunctionCode")]),
    "glue-update-endpoint": ("escalate", "glue:UpdateDevEndpoint", [allow("glue:UpdateDevEndpoint")]),
    "update-assume-role": ("escalate", "iam:UpdateAssumeRolePolicy+sts:AssumeRole",
                           [allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], f"arn:aws:iam::{ACCOUNT}:role/service-admin")]),
    "assume-admin-role": ("escalate", "sts:AssumeRole", [allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/admin-assumable")]),
    "passrole-role-star": ("escalate", "PassRole+ec2:RunInstances",
                           [allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/*"), allow("ec2:RunInstances")]),
    # Safe despite escalation actions: scoped resources, conditions, Deny, boundary.
    "scoped-self": ("safe", "", [allow(["iam:CreateAccessKey", "iam:UpdateLoginProfile", "iam:CreateLoginProfile"],
                                       f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}")]),
    "sandbox-versions": ("safe", "", [allow(["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
                                            f"arn:aws:iam::{ACCOUNT}:policy/sandbox/*")]),
    "attach-readonly-only": ("safe", "", [allow("iam:AttachUserPolicy", "*",
                                                Condition={"ArnEquals": {"iam:PolicyARN": READ_ONLY}})]),
    "explicit-deny": ("safe", "", [allow("iam:*"), {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]),
    "passrole-wrong-service": ("safe", "", [allow("iam:PassRole", "*",
                                                  Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
                                            allow("ec2:RunInstances")]),
    "passrole-plain-role": ("safe", "", [allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-worker"),
                                         allow("ec2:RunInstances")]),
    "reader": ("safe", "", [allow(["s3:GetObject", "s3:ListBucket"])]),
}
# Two policies together, inline only, a group's policy, a boundary: built by hand below.
SPECIAL = {
    "two-policies": ("escalate", "PassRole+ec2:RunInstances"),
    "inline-only": ("escalate", "iam:PutUserPolicy"),
    "group-member": ("escalate", "iam:AttachUserPolicy"),
    "set-default-version": ("escalate", "iam:SetDefaultPolicyVersion"),
    "boundary-limited": ("safe", ""),
    "victim-admin": ("admin", ""),
}
ROLES = {
    "attach-role-policy": ("escalate", "iam:AttachRolePolicy", [allow("iam:AttachRolePolicy")]),
    "put-role-policy": ("escalate", "iam:PutRolePolicy", [allow("iam:PutRolePolicy")]),
    "app-worker": ("safe", "", [allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"])]),
    "service-admin": ("admin", "", []),
    "admin-assumable": ("admin", "", []),
}


def seed_escalation_account() -> int:
    """Seed the account; returns the number of customer-managed policies created."""
    iam = seed.client("iam")
    created = 0

    def policy(name: str, document: str) -> str:
        nonlocal created
        created += 1
        return str(iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"])

    # Targets the methods need.
    iam.create_user(UserName="victim-admin")
    iam.attach_user_policy(UserName="victim-admin", PolicyArn=ADMIN)
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    trust_services = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": SERVICES}, "Action": "sts:AssumeRole"}]})
    trust_account = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="service-admin", AssumeRolePolicyDocument=trust_services)
    iam.attach_role_policy(RoleName="service-admin", PolicyArn=ADMIN)
    iam.create_role(RoleName="admin-assumable", AssumeRolePolicyDocument=trust_account)
    iam.attach_role_policy(RoleName="admin-assumable", PolicyArn=ADMIN)

    for name, (_, _, statements) in USERS.items():
        iam.create_user(UserName=name)
        iam.attach_user_policy(UserName=name, PolicyArn=policy(f"p-{name}", doc(*statements)))
    for name, (_, _, statements) in ROLES.items():
        if statements:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_services)
            iam.attach_role_policy(RoleName=name, PolicyArn=policy(f"p-{name}", doc(*statements)))

    iam.create_user(UserName="two-policies")
    iam.attach_user_policy(UserName="two-policies", PolicyArn=policy("p-two-a", doc(allow("iam:PassRole"))))
    iam.attach_user_policy(UserName="two-policies", PolicyArn=policy("p-two-b", doc(allow("ec2:RunInstances"))))
    iam.create_user(UserName="inline-only")
    iam.put_user_policy(UserName="inline-only", PolicyName="oops", PolicyDocument=doc(allow("iam:PutUserPolicy")))
    iam.create_group(GroupName="helpdesk")
    iam.put_group_policy(GroupName="helpdesk", PolicyName="attach", PolicyDocument=doc(allow("iam:AttachUserPolicy")))
    iam.create_user(UserName="group-member")
    iam.add_user_to_group(GroupName="helpdesk", UserName="group-member")
    # A policy whose older version was admin: SetDefaultPolicyVersion brings it back.
    versioned = policy("p-versioned", doc(allow("*")))
    iam.create_policy_version(PolicyArn=versioned, PolicyDocument=doc(allow(["iam:SetDefaultPolicyVersion", "iam:GetPolicy"])),
                              SetAsDefault=True)
    iam.create_user(UserName="set-default-version")
    iam.attach_user_policy(UserName="set-default-version", PolicyArn=versioned)
    # AttachRolePolicy on *, but a permissions boundary that allows only S3 (a role: moto's GAAD
    # omits users' boundaries; the user case is covered without a server in test_aws_iam_eval).
    boundary = policy("p-boundary-s3", doc(allow("s3:*")))
    iam.create_role(RoleName="boundary-limited", AssumeRolePolicyDocument=trust_services, PermissionsBoundary=boundary)
    iam.attach_role_policy(RoleName="boundary-limited", PolicyArn=policy("p-boundary-role", doc(allow("iam:AttachRolePolicy"))))
    # The group methods need a group to belong to.
    iam.create_group(GroupName="staff")
    for name in ("attach-group-policy", "put-group-policy"):
        iam.add_user_to_group(GroupName="staff", UserName=name)
    return created


@pytest.fixture(scope="module")
def scanned(moto_server: RecordingMotoServer) -> Iterator[tuple[CollectResult, int]]:
    moto_server.reset()
    created = seed_escalation_account()
    yield collect({}), created


def principals(result: CollectResult) -> dict[str, dict[str, Any]]:
    return {r.name: r.attributes for r in result.resources if r.type in ("aws.iam_user", "aws.iam_role")}


def verdict(attributes: dict[str, Any]) -> str:
    if attributes["admin_equivalent"]:
        return "admin"
    return "escalate" if attributes["can_escalate_to_admin"] else "safe"


EXPECTED = {**{k: v[:2] for k, v in USERS.items()}, **SPECIAL, **{k: v[:2] for k, v in ROLES.items()}}


def test_the_seeded_account_is_large_enough(scanned) -> None:
    _, created = scanned
    assert created >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_principal_gets_its_verdict_and_method(scanned, name: str) -> None:
    result, _ = scanned
    attributes = principals(result)[name]
    expected, method = EXPECTED[name]
    assert verdict(attributes) == expected, (attributes["escalation_methods"], attributes["escalation_blocked"])
    if expected == "escalate":
        assert any(m.startswith(method) for m in attributes["escalation_methods"]), attributes["escalation_methods"]
        first = attributes["escalation_path"][0]
        assert first["statements"], "each step names the statements that allow it"
        assert attributes["effective_access"] == "admin"
    if expected == "admin":
        assert attributes["admin_evidence"]


def test_the_stopping_condition_or_deny_is_named(scanned) -> None:
    result, _ = scanned
    found = principals(result)
    readonly = " ".join(b["stopped_by"] for b in found["attach-readonly-only"]["escalation_blocked"])
    assert "iam:policyarn" in readonly and "ReadOnlyAccess" in readonly
    denied = " ".join(b["stopped_by"] for b in found["explicit-deny"]["escalation_blocked"])
    assert "explicit Deny" in denied
    bounded = " ".join(b["stopped_by"] for b in found["boundary-limited"]["escalation_blocked"])
    assert "permissions boundary" in bounded
    wrong_service = " ".join(b["stopped_by"] for b in found["passrole-wrong-service"]["escalation_blocked"])
    assert "iam:passedtoservice" in wrong_service


def test_assumable_roles_are_trust_times_identity(scanned) -> None:
    result, _ = scanned
    found = principals(result)
    admin_role = f"arn:aws:iam::{ACCOUNT}:role/admin-assumable"
    assert found["assume-admin-role"]["assumable_roles"] == [admin_role]
    assert admin_role not in found["reader"]["assumable_roles"]  # trusted account, but no sts:AssumeRole
    assert f"arn:aws:iam::{ACCOUNT}:user/assume-admin-role" in found["admin-assumable"]["reachable_by"]
    assert f"arn:aws:iam::{ACCOUNT}:user/passrole-ec2" in found["service-admin"]["reachable_by"]


def test_policy_level_findings_for_authors(scanned) -> None:
    result, _ = scanned
    escalation = {r.name: r.attributes["privilege_escalation_actions"] for r in result.resources if r.type == "aws.iam_policy"}
    assert escalation["p-lambda-update-code"] == ["lambda:UpdateFunctionCode"]
    assert escalation["p-glue-update-endpoint"] == ["glue:UpdateDevEndpoint"]
    assert "iam:PassRole" in escalation["p-passrole-role-star"]
    assert "lambda:UpdateFunctionCode" in escalation["p-power-user"]
    for safe in ("p-scoped-self", "p-sandbox-versions", "p-attach-readonly-only", "p-explicit-deny", "p-passrole-plain-role"):
        assert escalation[safe] == [], safe
    full_admin = {r.name: r.attributes["grants_full_admin"] for r in result.resources if r.type == "aws.iam_policy"}
    assert full_admin["p-iam-star"] and full_admin["p-notaction-deny-list"] and not full_admin["p-power-user"]


def test_principal_policies_pass_and_fail(scanned) -> None:
    result, _ = scanned
    table = outcomes(result.resources)
    users = table["aws_iam_user_cannot_escalate_to_admin"]
    assert users["lambda-update-code"] == "FAIL" and users["two-policies"] == "FAIL" and users["inline-only"] == "FAIL"
    assert users["scoped-self"] == "PASS" and users["explicit-deny"] == "PASS" and users["full-star"] == "PASS"
    roles = table["aws_iam_role_cannot_escalate_to_admin"]
    assert roles["attach-role-policy"] == "FAIL" and roles["app-worker"] == "PASS"
