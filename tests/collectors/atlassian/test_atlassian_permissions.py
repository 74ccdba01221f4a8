"""A permission the scanning identity lacks: the affected attributes are Unknown naming the
permission, the checks that read them ERROR (never PASS), and the rest completes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scanner.collectors.base import CollectResult
from scanner.findings import Status
from scanner.inventory.model import Unknown
from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.atlassian.server import FakeAtlassian

ROOT = Path(__file__).resolve().parents[3]


def _findings(result: CollectResult) -> dict[tuple[str, str], tuple[Status, str]]:
    inventory = Inventory(result.resources, result.sources)
    return {(f.policy, f.resource.id): (f.status, f.message) for f in evaluate(load_policies([ROOT / "policies" / "atlassian"]), inventory)}


def test_scanner_without_administer_jira(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    fake.org.sites[0].scanner_is_admin = False
    result = run()
    _org, site = result.sources
    assert site.status == "partial" and site.error_kind == "permission"
    assert any("Administer Jira global permission (ADMINISTER)" in e for e in site.errors)
    assert all("\n" not in e for e in site.errors)
    resources = {r.id: r for r in result.resources}
    assert resources["atlassian:site/northwind"].attributes["scanner_is_jira_admin"] is False
    road = resources["atlassian:jira/northwind/ROAD"].attributes
    assert isinstance(road["anonymous_browse"], Unknown) and "ADMINISTER" in road["anonymous_browse"].reason
    findings = _findings(result)
    assert findings[("atlassian_jira_project_no_anonymous_browse", "atlassian:jira/northwind/ROAD")][0] == Status.ERROR
    assert findings[("atlassian_site_jira_admins_few", "atlassian:site/northwind")][0] == Status.ERROR
    # Site admins come from the group, which the account can still read.
    assert findings[("atlassian_site_admins_few", "atlassian:site/northwind")][0] == Status.PASS
    # No permission-scheme call was made after the scheme list was refused.
    assert fake.calls("/permissionscheme") and not [r for r in fake.calls("/permissionscheme") if "/project/" in r.path]


def test_group_membership_denied(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    fake.fail(r"^GET /site/northwind/rest/api/3/group/member", 403)
    result = run()
    site = result.sources[1]
    assert site.status == "partial"
    assert any("group/member" in e and "Browse users and groups" in e for e in site.errors)
    findings = _findings(result)
    assert findings[("atlassian_site_admins_few", "atlassian:site/northwind")][0] == Status.ERROR
    # An external account's admin status is unknown too: ERROR, not PASS.
    status, message = findings[("atlassian_account_external_not_admin", "atlassian:account/ext-kai")]
    assert status == Status.ERROR and "Browse users and groups" in message


def test_space_permissions_denied(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    fake.fail(r"^GET /site/northwind/wiki/rest/api/space/HAND", 403)
    result = run()
    findings = _findings(result)
    assert findings[("atlassian_confluence_space_no_anonymous_access", "atlassian:confluence/northwind/HAND")][0] == Status.ERROR
    assert findings[("atlassian_confluence_space_no_anonymous_access", "atlassian:confluence/northwind/ENG")][0] == Status.PASS
    site = {r.id: r for r in result.resources}["atlassian:site/northwind"].attributes
    assert isinstance(site["anonymous_spaces"], Unknown)


def test_organization_users_denied(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    fake.fail(r"^GET /admin/v1/orgs/[^/]+/users", 403)
    result = run()
    org = result.sources[0]
    assert org.status == "partial" and org.error_kind == "permission"
    assert any("read:users:admin" in e for e in org.errors)
    findings = _findings(result)
    # Site users are still accounts; whether they are managed is unknown, so the SSO check ERRORs.
    status, _ = findings[("atlassian_account_authentication_policy_enforced", "atlassian:account/nw-ana")]
    assert status == Status.ERROR
