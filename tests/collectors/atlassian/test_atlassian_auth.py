"""Credentials: missing or rejected is one line per source naming the variable; secrets never
reach a snapshot or an error; the snapshot evaluates through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.collectors.atlassian.collector import AtlassianCollector
from scanner.collectors.base import CollectContext, CollectResult
from scanner.errors import ConfigError
from scanner.inventory.snapshot import Inventory
from tests.fakes.atlassian.client import NOW, environ_for, settings_for
from tests.fakes.atlassian.server import FakeAtlassian


def test_no_credentials_at_all(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    result = run(environ={})
    org, site = result.sources
    assert org.status == site.status == "failed" and org.error_kind == site.error_kind == "auth"
    assert org.errors == ("atlassian: no organization admin API key: set ATLASSIAN_ADMIN_API_KEY (admin.atlassian.com -> Settings -> API keys)",)
    (line,) = site.errors
    assert "ATLASSIAN_EMAIL and ATLASSIAN_API_TOKEN" in line
    assert fake.requests == []


def test_only_the_site_token(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    result = run(environ=environ_for(fake, ATLASSIAN_ADMIN_API_KEY=None))
    org, site = result.sources
    assert org.status == "failed" and site.status == "ok"
    assert not fake.calls("/admin/")
    assert any(r.type == "atlassian.jira_project" for r in result.resources)


@pytest.mark.parametrize(
    ("override", "failed", "hint"),
    [
        ({"ATLASSIAN_ADMIN_API_KEY": "wrong-admin-key-value"}, 0, "ATLASSIAN_ADMIN_API_KEY"),
        ({"ATLASSIAN_API_TOKEN": "wrong-site-token-value"}, 1, "ATLASSIAN_EMAIL and ATLASSIAN_API_TOKEN"),
    ],
)
def test_a_rejected_credential_is_one_line(fake: FakeAtlassian, run: Callable[..., CollectResult], override: dict[str, str], failed: int, hint: str) -> None:
    result = run(environ=environ_for(fake, **override))
    source = result.sources[failed]
    assert source.status == "failed" and source.error_kind == "auth"
    (line,) = source.errors
    assert "HTTP 401" in line and hint in line and "\n" not in line
    assert "wrong-" not in line
    assert result.sources[1 - failed].status == "ok"


def test_no_secret_in_the_snapshot_or_errors(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    fake.fail(r"project/search", 500)
    result = run(max_retries=0)
    text = json.dumps(Inventory(result.resources, result.sources).to_json())
    for secret in (fake.org.admin_key, fake.org.api_token):
        assert secret not in text
    assert "still answered HTTP 500" in text


def test_settings_are_checked_before_any_request(fake: FakeAtlassian) -> None:
    context = CollectContext(clock=lambda: NOW, environ=environ_for(fake))
    for bad, field in (
        ({"org": "no spaces allowed"}, "atlassian.org"),
        ({"sites": ["Bad_Site!"]}, "atlassian.sites"),
        ({"admin_api_base": "http://example.com"}, "atlassian.admin_api_base"),
        ({"authentication_policies": [{"name": "x", "members": ["not-an-email"]}]}, "members"),
        ({"authentication_policies": [{"name": "a", "default": True}, {"name": "b", "default": True}]}, "only one policy"),
        ({"sso_licensed": "yes"}, "atlassian.sso_licensed"),
    ):
        with pytest.raises(ConfigError, match=field):
            AtlassianCollector(settings_for(fake, **bad), context)
    with pytest.raises(ConfigError, match="--atlassian-org"):
        AtlassianCollector({}, context)
    assert fake.requests == []


def test_snapshot_evaluates_through_the_cli(run: Callable[..., CollectResult], posture: Callable[..., object], tmp_path: Path) -> None:
    result = run()
    snapshot = tmp_path / "atlassian.json"
    snapshot.write_text(json.dumps(Inventory(result.resources, result.sources, collected_at="2026-11-20T09:00:00Z").to_json()))
    outcome = posture("evaluate", str(snapshot), "--no-history", "--format", "json")
    document = json.loads(outcome.out)  # type: ignore[attr-defined]
    by_policy: dict[str, set[str]] = {}
    for finding in document["findings"]:
        if finding["policy"].startswith("atlassian_"):
            by_policy.setdefault(finding["policy"], set()).add(finding["status"])
    assert by_policy["atlassian_jira_project_no_anonymous_browse"] >= {"PASS", "FAIL"}
    assert by_policy["atlassian_account_authentication_policy_enforced"] >= {"PASS", "FAIL"}
    assert outcome.code == 1  # type: ignore[attr-defined]


def test_sites_only_never_skips_the_account_checks(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    from scanner.findings import Status
    from scanner.policy.engine import evaluate
    from scanner.policy.loader import load_policies

    result = run(org=None, domains=None)
    (site,) = result.sources
    assert site.name == "atlassian:site/northwind" and site.status == "ok"
    assert not fake.calls("/admin/")
    root = Path(__file__).resolve().parents[3]
    findings = evaluate(load_policies([root / "policies" / "atlassian"]), Inventory(result.resources, result.sources))
    sso = {f.resource.id: f.status for f in findings if f.policy == "atlassian_account_authentication_policy_enforced"}
    assert sso["atlassian:account/nw-ana"] == Status.ERROR
    external = {f.resource.id: (f.status, f.message) for f in findings if f.policy == "atlassian_account_external_not_admin"}
    assert external["atlassian:account/ext-kai"][0] == Status.ERROR and "atlassian.domains" in external["atlassian:account/ext-kai"][1]
    # With the company domains given, the external check runs.
    findings = evaluate(load_policies([root / "policies" / "atlassian"]), Inventory(run(org=None).resources, ()))
    assert {f.status for f in findings if f.policy == "atlassian_account_external_not_admin" and f.resource.id.endswith("ext-kai")} == {Status.PASS}


def test_a_wrong_organization_id_is_one_line(fake: FakeAtlassian, run: Callable[..., CollectResult]) -> None:
    result = run(org="00000000-0000-0000-0000-000000000000")
    org, site = result.sources
    assert org.status == "failed"
    (line,) = org.errors
    assert "not found (HTTP 404)" in line and "organization id" in line
    assert site.status == "ok"
