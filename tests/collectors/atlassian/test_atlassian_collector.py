"""The collector against the fake: every resource as the policies expect, paging in each API's
style, permission gaps as Unknown (then ERROR), read-only, and no secret anywhere."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from scanner.collectors.base import CollectResult
from scanner.findings import Status
from scanner.inventory.model import Resource, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES
from tests.fakes.people.accounts import collected_problems
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.atlassian.server import FakeAtlassian

ROOT = Path(__file__).resolve().parents[3]
ORG = "atlassian:org/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def _by_id(result: CollectResult) -> dict[str, Resource]:
    return {r.id: r for r in result.resources}


def _statuses(result: CollectResult) -> dict[tuple[str, str], Status]:
    inventory = Inventory(result.resources, result.sources)
    findings = evaluate(load_policies([ROOT / "policies" / "atlassian"]), inventory)
    return {(f.policy, f.resource.id): f.status for f in findings}


def test_every_policy_gets_its_expected_status(run: Callable[..., CollectResult]) -> None:
    result = run()
    assert [s.status for s in result.sources] == ["ok", "ok"]
    for resource in result.resources:
        assert collected_problems(resource, RESOURCE_TYPES[resource.type]) == []
    status = _statuses(result)
    expected = {
        ("atlassian_account_authentication_policy_enforced", "atlassian:account/nw-ana"): Status.PASS,
        ("atlassian_account_authentication_policy_enforced", "atlassian:account/nw-ben"): Status.FAIL,  # 2SV only, SSO licensed
        ("atlassian_account_authentication_policy_enforced", "atlassian:account/nw-erin"): Status.FAIL,  # policy enforces nothing
        ("atlassian_account_authentication_policy_enforced", "atlassian:account/nw-gus"): Status.SKIPPED,  # closed
        ("atlassian_account_authentication_policy_enforced", "atlassian:account/ext-kai"): Status.SKIPPED,  # not managed
        ("atlassian_account_external_not_admin", "atlassian:account/ext-kai"): Status.PASS,
        ("atlassian_account_external_not_admin", "atlassian:account/nw-ana"): Status.SKIPPED,
        ("atlassian_account_external_not_admin", "atlassian:account/app-bot"): Status.SKIPPED,  # an app is never external
        ("atlassian_account_inactive_reviewed", "atlassian:account/nw-chloe"): Status.PASS,
        ("atlassian_account_inactive_reviewed", "atlassian:account/nw-dmitri"): Status.FAIL,  # 202 days
        ("atlassian_account_inactive_reviewed", "atlassian:account/nw-farah"): Status.FAIL,  # never active
        ("atlassian_site_admins_few", "atlassian:site/northwind"): Status.PASS,
        ("atlassian_site_jira_admins_few", "atlassian:site/northwind"): Status.PASS,
        ("atlassian_jira_project_no_anonymous_browse", "atlassian:jira/northwind/CORE"): Status.PASS,
        ("atlassian_jira_project_no_anonymous_browse", "atlassian:jira/northwind/ROAD"): Status.FAIL,
        ("atlassian_jira_project_no_anonymous_browse", "atlassian:jira/northwind/OLD"): Status.SKIPPED,  # archived
        ("atlassian_confluence_space_no_anonymous_access", "atlassian:confluence/northwind/ENG"): Status.PASS,
        ("atlassian_confluence_space_no_anonymous_access", "atlassian:confluence/northwind/HAND"): Status.FAIL,
        ("atlassian_confluence_space_no_anonymous_access", "atlassian:confluence/northwind/ARCH"): Status.SKIPPED,
    }
    assert {key: status[key] for key in expected} == expected
    resources = _by_id(result)
    ben = resources["atlassian:account/nw-ben"].attributes
    assert (ben["authentication_policy"], ben["sso_enforced"], ben["two_step_enforced"], ben["mfa_enabled"]) == ("Break-glass", False, True, True)
    road = resources["atlassian:jira/northwind/ROAD"].attributes
    assert road["browse_holders"] == ["anyone", "group:jira-users"] and road["permission_scheme"] == "Public roadmap scheme"
    assert resources["atlassian:jira/northwind/CORE"].attributes["browse_holders"] == ["applicationRole:jira-software", "group:jira-users"]
    site = resources["atlassian:site/northwind"].attributes
    assert site["site_admins"] == ["Ana Pereira", "Ben Okafor"] and site["anonymous_projects"] == ["ROAD"] and site["anonymous_spaces"] == ["HAND"]
    org = resources[ORG].attributes
    assert org["verified_domains"] == ["northwind.dev"] and org["ip_allowlist_enabled"] is True
    assert isinstance(org["admins"], Unknown) and isinstance(org["audit_log_retention"], Unknown)
    assert "not exposed" in org["audit_log_retention"].reason


def test_sso_not_licensed_lets_two_step_count(run: Callable[..., CollectResult]) -> None:
    status = _statuses(run(sso_licensed=False))
    assert status[("atlassian_account_authentication_policy_enforced", "atlassian:account/nw-ben")] == Status.PASS
    assert status[("atlassian_account_authentication_policy_enforced", "atlassian:account/nw-erin")] == Status.FAIL


def test_without_declared_authentication_policies_the_check_errors_never_passes(run: Callable[..., CollectResult]) -> None:
    result = run(authentication_policies=None)
    status = _statuses(result)
    checks = {k: v for k, v in status.items() if k[0] == "atlassian_account_authentication_policy_enforced" and v != Status.SKIPPED}
    assert checks and set(checks.values()) == {Status.ERROR}
    org = _by_id(result)[ORG].attributes
    assert org["authentication_policy_source"] == "not_exposed"
    assert any("does not expose authentication policies" in n for n in result.sources[0].notes)


def test_paging_in_each_apis_style(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    fake.max_page = 2
    result = run(page_size=2)
    users = fake.calls("/admin/v1/orgs/")
    user_pages = [r for r in users if r.path.endswith("/users")]
    assert [r.query.get("cursor") for r in user_pages] == [None, ["c2"], ["c4"], ["c6"]]  # 7 users, links.next cursors
    projects = fake.calls("/rest/api/3/project/search")
    assert [r.query["startAt"] for r in projects] == [["0"], ["2"]]  # isLast on the second page
    searches = fake.calls("/rest/api/3/users/search")
    assert [r.query["startAt"] for r in searches] == [["0"], ["2"], ["4"], ["6"], ["8"], ["9"]]  # plain arrays: until an empty page
    spaces = fake.calls("/wiki/api/v2/spaces")
    assert [r.query.get("cursor") for r in spaces] == [None, ["2"]]  # _links.next relative URL
    assert len([r for r in result.resources if r.type == "atlassian.account"]) == 9
    assert len([r for r in result.resources if r.type == "atlassian.jira_project"]) == 4
    assert len([r for r in result.resources if r.type == "atlassian.confluence_space"]) == 3


def test_a_next_link_to_another_host_is_not_followed(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    from scanner.collectors.atlassian.client import _cursor_of

    assert _cursor_of("https://evil.example/wiki/api/v2/spaces?cursor=abc") == "abc"  # only the cursor is kept
    run()
    hosts = {r.path.split("/")[1] for r in fake.requests}
    assert hosts <= {"admin", "site"}


def test_a_429_with_retry_after_is_waited_for_and_retried(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    fake.fail(r"^GET /site/northwind/rest/api/3/project/search", 429, times=2, retry_after="0")
    fake.fail(r"^GET /admin/v1/orgs/[^/]+/users", 429, times=1, retry_after="0")
    result = run()
    assert [s.status for s in result.sources] == ["ok", "ok"]
    assert len(fake.calls("/rest/api/3/project/search")) == 4  # two 429s, then two pages of two
    assert len([r for r in fake.calls("/admin/v1/orgs/") if r.path.endswith("/users")]) == 5  # one 429, then four pages
    assert len([r for r in result.resources if r.type == "atlassian.jira_project"]) == 4


def test_throttled_beyond_patience_is_one_line_and_the_source_fails(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    fake.fail(r"^GET /site/northwind/rest/api/3/myself", 429, retry_after="0")
    result = run(max_retries=2)
    org, site = result.sources
    assert org.status == "ok" and site.status == "failed"
    (error,) = site.errors
    assert "\n" not in error and "still answered HTTP 429 after 3 attempts" in error
    assert len(fake.calls("/rest/api/3/myself")) == 3
    # The organization's accounts are still there; the site's admin facts are Unknown.
    ana = _by_id(result)["atlassian:account/nw-ana"].attributes
    assert isinstance(ana["is_admin"], Unknown)
    assert "atlassian:site/northwind" not in _by_id(result)
