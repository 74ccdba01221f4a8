"""IAM policy-document analysis, without any server."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from scanner.collectors.aws import iam_eval, policydoc
from scanner.collectors.aws.mapping import environment_from, management_events_from, parse_credential_report


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_full_admin_needs_all_actions_on_all_resources() -> None:
    assert policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": "*", "Resource": "*"})])
    assert policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": ["s3:*", "*:*"], "Resource": ["*"]})])
    assert not policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"})])
    assert not policydoc.grants_full_admin([doc({"Effect": "Deny", "Action": "*", "Resource": "*"})])
    # iam:* on * lets its holder attach AdministratorAccess to itself: admin-equivalent (issue 19).
    assert policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"})])
    assert not policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"})])
    # URL-encoded JSON text, as the raw API returns it.
    encoded = quote(json.dumps(doc({"Effect": "Allow", "Action": "*", "Resource": "*"})))
    assert policydoc.grants_full_admin([encoded])


def test_not_action_on_every_resource_is_seen() -> None:
    # Issue 11: Allow + NotAction + Resource * grants everything it does not name.
    deny_list = doc({"Effect": "Allow", "NotAction": ["s3:*", "ec2:*"], "Resource": "*"})
    assert policydoc.grants_full_admin([deny_list])
    assert policydoc.grants_action_on_all([deny_list], "iam:*")
    assert "iam:PassRole" in iam_eval.policy_escalation_actions(deny_list, "111122223333")
    # PowerUser style (NotAction iam:*): not admin by itself, no IAM escalation action, but the
    # non-IAM methods (code of existing functions) remain.
    power_user = doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    assert not policydoc.grants_full_admin([power_user])
    assert not policydoc.grants_action_on_all([power_user], "iam:*")
    assert iam_eval.policy_escalation_actions(power_user, "111122223333") == ["glue:UpdateDevEndpoint", "lambda:UpdateFunctionCode"]
    scoped = doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "arn:aws:iam::1:user/me"})
    assert not policydoc.grants_full_admin([scoped])
    assert iam_eval.policy_escalation_actions(scoped, "111122223333") == []  # one named user only


def test_privilege_escalation_actions_match_wildcards() -> None:
    found = iam_eval.policy_escalation_actions(doc({"Effect": "Allow", "Action": "iam:Put*Policy", "Resource": "*"}), "1")
    assert found == ["iam:PutGroupPolicy", "iam:PutRolePolicy", "iam:PutUserPolicy"]
    scoped = doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/app"})
    assert iam_eval.policy_escalation_actions(scoped, "1") == []
    assert iam_eval.policy_escalation_actions(doc({"Effect": "Allow", "Action": "IAM:createpolicyversion", "Resource": "*"}), "1") == [
        "iam:CreatePolicyVersion"
    ]


def test_trust_star_is_open_unless_a_caller_condition_restricts_it() -> None:
    star = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
    assert policydoc.analyse_trust(doc(star), "111122223333").allows_any_principal
    restricted = {**star, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}
    assert not policydoc.analyse_trust(doc(restricted), "111122223333").allows_any_principal
    unrelated = {**star, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    assert policydoc.analyse_trust(doc(unrelated), "111122223333").allows_any_principal


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalArn": "*"}},
        {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy"}},
        {"StringLike": {"aws:PrincipalOrgID": "*"}},
        {"StringLike": {"aws:PrincipalAccount": "1111222233?3"}},
        {"StringNotEquals": {"aws:PrincipalOrgID": "o-other"}},
        {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}},
        {"Null": {"aws:PrincipalOrgID": "false"}},
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": ["o-1/r-1/ou-1/"]}},
        {"StringLike": {"sts:ExternalId": "*"}},
    ],
)
def test_conditions_that_restrict_nothing_leave_a_star_principal_open(condition: dict) -> None:
    # Issue 11: any condition used to count; only one narrowing the caller to something concrete may.
    star = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": condition}
    assert policydoc.analyse_trust(doc(star), "111122223333").allows_any_principal


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/deploy-*"}},
        {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}},
        {"StringEquals": {"aws:SourceAccount": ["111122223333", "444455556666"]}},
        {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-abc123/r-ab12/ou-ab12-11111111/"]}},
        {"StringEquals": {"sts:ExternalId": "nw-7f3a"}},
    ],
)
def test_conditions_naming_the_caller_restrict_a_star_principal(condition: dict) -> None:
    star = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": condition}
    assert not policydoc.analyse_trust(doc(star), "111122223333").allows_any_principal


def test_a_wildcard_external_id_does_not_protect_a_foreign_account() -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringLike": {"sts:ExternalId": "*"}}}
    assert policydoc.analyse_trust(doc(statement), "111122223333").foreign_accounts_without_external_id == ("999988887777",)


def test_foreign_accounts_need_an_external_id() -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": ["999988887777", "arn:aws:iam::444455556666:role/x"]}, "Action": "sts:AssumeRole"}
    analysis = policydoc.analyse_trust(doc(statement), "111122223333", {"444455556666"})
    assert analysis.foreign_accounts_without_external_id == ("999988887777",)
    assert analysis.accounts == ("444455556666", "999988887777")
    pinned = {**statement, "Condition": {"StringEquals": {"sts:ExternalId": "abc"}}}
    assert policydoc.analyse_trust(doc(pinned), "111122223333").foreign_accounts_without_external_id == ()


def gha(sub: object | None) -> dict:
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
    }
    if sub is not None:
        statement["Condition"]["StringLike"] = {"token.actions.githubusercontent.com:sub": sub}
    return doc(statement)


def test_github_oidc_subject_pinning() -> None:
    def pins(sub: object | None) -> tuple[bool, bool]:
        a = policydoc.analyse_trust(gha(sub), "1")
        assert a.github_oidc
        return a.github_repo_pinned, a.github_ref_pinned

    assert pins(None) == (False, False)  # no sub condition: any repository on GitHub
    assert pins("repo:*") == (False, False)
    assert pins("repo:northwind-labs/*") == (False, False)
    assert pins("repo:northwind-labs/api:*") == (True, False)
    assert pins("repo:northwind-labs/api:ref:refs/heads/main") == (True, True)
    assert pins("repo:northwind-labs/api:environment:production") == (True, True)
    assert pins(["repo:northwind-labs/api:ref:refs/heads/main", "repo:northwind-labs/web:*"]) == (True, False)
    assert pins("repo:northwind-labs/api:ref:refs/heads/*") == (True, False)
    # Issue 11: any pull request (reviewed or not, from any branch) gets this sub: not a pin.
    assert pins("repo:northwind-labs/api:pull_request") == (True, False)
    assert pins(["repo:northwind-labs/api:environment:production", "repo:northwind-labs/api:pull_request"]) == (True, False)
    assert pins("repo:northwind-labs/api:ref:refs/tags/v1.2.0") == (True, True)


def test_environment_from_tags_and_ou() -> None:
    assert environment_from({"environment": "Production"}, None) == "production"
    assert environment_from({"env": "prd"}, None) == "production"
    assert environment_from({}, "Staging") == "staging"
    assert environment_from({}, "Workloads") is None
    assert environment_from({"Environment": "shared-services"}, "Sandbox") == "shared-services"


def test_management_events_from_selectors() -> None:
    assert management_events_from({}, {"HasCustomEventSelectors": False})
    assert not management_events_from({"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]}, {})
    advanced = {"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]}
    assert management_events_from(advanced, {"HasCustomEventSelectors": True})


def test_credential_report_rows_by_user() -> None:
    text = "user,arn,password_enabled\n<root_account>,arn:aws:iam::1:root,not_supported\nana,arn:aws:iam::1:user/ana,true\n"
    rows = parse_credential_report(text.encode())
    assert set(rows) == {"<root_account>", "ana"} and rows["ana"]["password_enabled"] == "true"
