"""Unit tests of the raw -> Resource mapping: effective protection, rulesets, webhooks, unknowns."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from scanner.collectors.github import mapping
from scanner.inventory.model import Unknown
from scanner.inventory.types import problems_with
from scanner.inventory.types.github import MEMBER, ORGANIZATION

NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)


def classic(**settings: Any) -> dict[str, Any]:
    rule = {
        "pattern": "main", "isAdminEnforced": False, "requiresApprovingReviews": True,
        "requiredApprovingReviewCount": 1, "requiresCodeOwnerReviews": False, "dismissesStaleReviews": False,
        "requireLastPushApproval": False, "requiresStatusChecks": False, "requiredStatusCheckContexts": [],
        "requiresCommitSignatures": False, "requiresLinearHistory": False, "allowsForcePushes": True,
        "allowsDeletions": True,
    }
    return {**rule, **settings}


def ruleset(rules: list[dict[str, Any]], *, enforcement: str = "ACTIVE", include: list[str] | None = None,
            exclude: list[str] | None = None, repos: dict[str, list[str]] | None = None,
            bypass: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    conditions: dict[str, Any] = {"refName": {"include": include or ["~DEFAULT_BRANCH"], "exclude": exclude or []}}
    if repos is not None:
        conditions["repositoryName"] = repos
    return {"name": "rs", "enforcement": enforcement, "target": "BRANCH", "conditions": conditions,
            "rules": {"nodes": rules}, "bypassActors": {"nodes": bypass or []}}


PR_RULE = {"type": "PULL_REQUEST", "parameters": {"requiredApprovingReviewCount": 2, "requireCodeOwnerReview": True,
                                                  "dismissStaleReviewsOnPush": True, "requireLastPushApproval": False}}


def test_unprotected_branch_allows_everything() -> None:
    p = mapping.effective_protection("main", "api", None, [])
    assert p["default_branch_protected"] is False
    assert p["requires_pull_request"] is False and p["required_approving_review_count"] == 0
    assert p["allows_force_pushes"] is True and p["allows_deletions"] is True


def test_classic_and_ruleset_merge_to_the_strictest_value() -> None:
    rules: list[dict[str, Any]] = [PR_RULE, {"type": "NON_FAST_FORWARD", "parameters": None},
             {"type": "REQUIRED_STATUS_CHECKS", "parameters": {"requiredStatusChecks": [{"context": "ci/test"}]}}]
    p = mapping.effective_protection("main", "api", classic(requiredApprovingReviewCount=1), [ruleset(rules)])
    assert p["protection_sources"] == ["classic:main", "ruleset:rs"]
    assert p["required_approving_review_count"] == 2  # ruleset stricter than classic
    assert p["requires_code_owner_review"] and p["dismisses_stale_reviews"]
    assert p["allows_force_pushes"] is False  # blocked by the ruleset although classic allows it
    assert p["allows_deletions"] is True  # nothing blocks deletion
    assert p["required_status_checks"] == ["ci/test"]
    assert p["admins_can_bypass"] is True  # the classic rule does not include administrators


def test_evaluate_mode_and_non_matching_rulesets_are_ignored() -> None:
    trial = ruleset([{"type": "REQUIRED_SIGNATURES"}], enforcement="EVALUATE")
    other_branch = ruleset([{"type": "REQUIRED_SIGNATURES"}], include=["refs/heads/release/*"])
    excluded_repo = ruleset([{"type": "REQUIRED_SIGNATURES"}], include=["~ALL"],
                            repos={"include": ["~ALL"], "exclude": ["api"]})
    p = mapping.effective_protection("main", "api", None, [trial, other_branch, excluded_repo])
    assert p["default_branch_protected"] is False and p["requires_signed_commits"] is False
    matching = ruleset([{"type": "REQUIRED_SIGNATURES"}], include=["refs/heads/ma*"], repos={"include": ["a*"], "exclude": []})
    assert mapping.effective_protection("main", "api", None, [matching])["requires_signed_commits"] is True


def test_admin_bypass_from_ruleset_actors() -> None:
    enforced = mapping.effective_protection("main", "api", classic(isAdminEnforced=True), [ruleset([PR_RULE])])
    assert enforced["admins_can_bypass"] is False
    org_admin = {"organizationAdmin": True, "repositoryRoleName": None, "deployKey": False, "enterpriseOwner": False}
    team = {"organizationAdmin": False, "repositoryRoleName": None, "deployKey": False, "enterpriseOwner": False,
            "actor": {"__typename": "Team", "slug": "release"}}
    bypassed = mapping.effective_protection("main", "api", None, [ruleset([PR_RULE], bypass=[org_admin, team])])
    assert bypassed["admins_can_bypass"] is True
    assert bypassed["bypass_actors"] == ["OrganizationAdmin", "Team:release"]
    team_only = mapping.effective_protection("main", "api", None, [ruleset([PR_RULE], bypass=[team])])
    assert team_only["admins_can_bypass"] is False


def test_classic_rule_choice_prefers_exact_name() -> None:
    wildcard, exact = classic(pattern="ma*"), classic(pattern="main")
    assert mapping.classic_rule_for("main", [wildcard, exact]) is exact
    assert mapping.classic_rule_for("main", [wildcard]) is wildcard
    assert mapping.classic_rule_for("main", [classic(pattern="release/*")]) is None


def test_webhook_security_never_keeps_the_secret() -> None:
    hooks = [
        {"id": 1, "active": True, "events": ["push"], "config": {"url": "https://a.example/h", "insecure_ssl": "0", "secret": "********"}},
        {"id": 2, "active": True, "events": ["push"], "config": {"url": "https://b.example/h", "insecure_ssl": "1"}},
        {"id": 3, "active": True, "events": ["push"], "config": {"url": "http://c.example/h", "insecure_ssl": "0", "secret": "********"}},
    ]
    shaped, no_tls, no_secret = mapping._webhook_lists(hooks)
    assert no_tls == ["2@b.example", "3@c.example"]
    assert no_secret == ["2@b.example"]
    assert "********" not in repr(shaped)
    unknown = Unknown("needs admin")
    assert mapping._webhook_lists(unknown) == (unknown, unknown, unknown)


def test_repository_access_is_unknown_when_any_repo_is_unreadable() -> None:
    access = mapping.repository_access([
        ("o/a", [("ana", "ADMIN"), ("bo", "WRITE")], []),
        ("o/b", [("carla", "ADMIN")], [("carla", "ADMIN")]),
    ])
    assert access == {"ana": {"admin": ["o/a"], "write": ["o/a"]}, "bo": {"admin": [], "write": ["o/a"]},
                      "carla": {"admin": ["o/b"], "write": ["o/b"]}}
    unreadable = mapping.repository_access([("o/a", Unknown(mapping.NEEDS_PUSH), [])])
    assert isinstance(unreadable, Unknown) and "o/a" in unreadable.reason


def _org_raw(**overrides: Any) -> mapping.OrgRaw:
    values: dict[str, Any] = dict(
        login="acme", org={"login": "acme"}, owners=[{"login": "ana", "id": 1}],
        members=[{"login": "ana", "id": 1}, {"login": "bo", "id": 2}], outside_collaborators=[{"login": "cy", "id": 3}],
        two_factor_disabled=Unknown(mapping.NEEDS_OWNER), actions_permissions=Unknown(mapping.NEEDS_ACTIONS_ADMIN),
        selected_actions=Unknown(mapping.NEEDS_ACTIONS_ADMIN), workflow_permissions=Unknown(mapping.NEEDS_ACTIONS_ADMIN),
        fork_pr_approval=Unknown(mapping.NEEDS_ACTIONS_ADMIN), runner_groups=Unknown(mapping.NEEDS_ACTIONS_ADMIN),
        hooks=Unknown(mapping.NEEDS_OWNER), installations=Unknown(mapping.NEEDS_OWNER), rulesets=Unknown(mapping.NEEDS_OWNER),
        saml=Unknown(mapping.NEEDS_OWNER), credential_authorizations=Unknown(mapping.NEEDS_GHEC_OWNER),
        repositories_count=0,
    )
    values.update(overrides)
    return mapping.OrgRaw(**values)


def test_non_owner_view_of_an_org_is_unknown_not_false() -> None:
    raw = _org_raw()
    org = mapping.map_organization(raw)
    assert org.attributes["two_factor_requirement_enabled"] == Unknown(mapping.NEEDS_OWNER)
    assert org.attributes["default_repository_permission"] == Unknown(mapping.NEEDS_OWNER)
    assert org.attributes["owners_count"] == 1
    assert problems_with(org, ORGANIZATION) == []
    members = mapping.map_members(raw, {}, NOW)
    assert [m.name for m in members] == ["ana", "bo", "cy"]
    for member in members:
        assert member.attributes["mfa_enabled"] == Unknown(mapping.NEEDS_OWNER)
        assert problems_with(member, MEMBER) == []
    cy = members[2].attributes
    assert cy["role"] == "outside_collaborator" and cy["saml_identity_linked"] is None and cy["is_admin"] is False
    assert members[0].attributes["is_admin"] is True


def test_member_account_contract_from_saml_and_credential_use() -> None:
    raw = _org_raw(
        two_factor_disabled={"bo"},
        saml=mapping.SamlInfo(configured=True, name_ids={"ana": "ana@acme.dev"}),
        credential_authorizations=[{"login": "ana", "credential_accessed_at": "2026-11-10T00:00:00Z"},
                                   {"login": "ana", "credential_accessed_at": "2026-10-01T00:00:00Z"}],
    )
    ana, bo, _ = mapping.map_members(raw, {"ana": {"admin": ["acme/api"], "write": ["acme/api"]}}, NOW)
    assert ana.attributes["email"] == "ana@acme.dev"
    assert ana.attributes["handles"] == ["ana", "ana@acme.dev"]
    assert ana.attributes["last_activity_at"] == "2026-11-10T00:00:00Z"
    assert ana.attributes["days_since_last_activity"] == 10
    assert ana.attributes["admin_repositories"] == ["acme/api"]
    assert ana.attributes["mfa_enabled"] is True and bo.attributes["mfa_enabled"] is False
    assert bo.attributes["saml_identity_linked"] is False and bo.attributes["last_activity_at"] is None
    org = mapping.map_organization(raw)
    assert org.attributes["members_without_saml_identity"] == ["bo"]
