"""IAM policy-document analysis, without any server."""

from __future__ import annotations

import json
from urllib.parse import quote

from scanner.collectors.aws import policydoc
from scanner.collectors.aws.mapping import environment_from, management_events_from, parse_credential_report


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_full_admin_needs_all_actions_on_all_resources() -> None:
    assert policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": "*", "Resource": "*"})])
    assert policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": ["s3:*", "*:*"], "Resource": ["*"]})])
    assert not policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"})])
    assert not policydoc.grants_full_admin([doc({"Effect": "Deny", "Action": "*", "Resource": "*"})])
    assert not policydoc.grants_full_admin([doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"})])
    # URL-encoded JSON text, as the raw API returns it.
    encoded = quote(json.dumps(doc({"Effect": "Allow", "Action": "*", "Resource": "*"})))
    assert policydoc.grants_full_admin([encoded])


def test_privilege_escalation_actions_match_wildcards() -> None:
    found = policydoc.privilege_escalation_actions([doc({"Effect": "Allow", "Action": "iam:Put*Policy", "Resource": "*"})])
    assert found == ["iam:PutGroupPolicy", "iam:PutRolePolicy", "iam:PutUserPolicy"]
    scoped = doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/app"})
    assert policydoc.privilege_escalation_actions([scoped]) == []
    assert policydoc.privilege_escalation_actions([doc({"Effect": "Allow", "Action": "IAM:createpolicyversion", "Resource": "x"})]) == [
        "iam:CreatePolicyVersion"
    ]


def test_trust_star_is_open_unless_a_caller_condition_restricts_it() -> None:
    star = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
    assert policydoc.analyse_trust(doc(star), "111122223333").allows_any_principal
    restricted = {**star, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}
    assert not policydoc.analyse_trust(doc(restricted), "111122223333").allows_any_principal
    unrelated = {**star, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    assert policydoc.analyse_trust(doc(unrelated), "111122223333").allows_any_principal


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
