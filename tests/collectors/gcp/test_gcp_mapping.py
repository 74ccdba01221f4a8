"""Pure mapping rules: member parsing, role classes, environment convention, WIF conditions,
effective org policy parsing."""

from __future__ import annotations

import pytest

from scanner.collectors.gcp.collector import _enforced
from scanner.collectors.gcp.mapping import (
    EnvironmentConvention,
    Options,
    RawScope,
    build_resources,
    is_privileged_role,
    is_write_role,
    member_parts,
)
from scanner.inventory.model import Unknown
from tests.fakes.gcp.org import NOW


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("user:Ana@Northwind.dev", ("user", "ana@northwind.dev", "northwind.dev")),
        ("serviceAccount:x@p.iam.gserviceaccount.com", ("serviceAccount", "x@p.iam.gserviceaccount.com", "p.iam.gserviceaccount.com")),
        ("domain:northwind.dev", ("domain", None, "northwind.dev")),
        ("allUsers", ("allUsers", None, None)),
        ("deleted:user:old@northwind.dev?uid=123", ("deleted", None, None)),
        ("principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*", ("principalSet", None, None)),
    ],
)
def test_member_parts(member: str, expected: tuple[str, str | None, str | None]) -> None:
    assert member_parts(member) == expected


def test_role_classes() -> None:
    assert not is_write_role("roles/viewer") and not is_write_role("roles/iam.securityReviewer")
    assert not is_write_role("roles/bigquery.dataViewer") and not is_write_role("roles/browser")
    assert is_write_role("roles/editor") and is_write_role("organizations/1/roles/custom")
    assert is_privileged_role("roles/owner") and is_privileged_role("roles/storage.admin")
    assert not is_privileged_role("roles/run.developer")


def test_environment_convention_label_then_folders() -> None:
    convention = EnvironmentConvention()
    assert convention.classify({"environment": "PROD"}, ["Development"]) == "production"
    assert convention.classify({}, ["team-a", "Production"]) == "production"
    assert convention.classify({"environment": "staging"}, []) == "non-production"
    assert convention.classify({}, ["misc"]) == "unclassified"


def _provider(condition: str | None) -> dict[str, object]:
    raw = RawScope("projects/p-000001", projects={"p-000001": {"projectId": "p-000001", "number": "1", "labels": {"environment": "production"}}})
    raw.providers = [
        {
            "name": "projects/1/locations/global/workloadIdentityPools/gh/providers/github",
            "oidc": {"issuerUri": "https://token.actions.githubusercontent.com"},
            **({"attributeCondition": condition} if condition else {}),
        }
    ]
    resources = build_resources(raw, Options((), EnvironmentConvention(), False), NOW)
    (provider,) = [r for r in resources if r.type == "gcp.wif_provider"]
    return dict(provider.attributes)


def test_wif_condition_pinning() -> None:
    assert _provider(None)["pins_repository"] is False
    assert _provider("assertion.repository_owner == 'acme'")["pins_repository"] is False
    pinned = _provider("assertion.repository in ['acme/api', 'acme/web'] && assertion.ref == 'refs/heads/main'")
    assert pinned["pins_repository"] is True and pinned["pins_ref"] is True
    assert pinned["environment"] == "production"


def test_effective_org_policy_parsing() -> None:
    assert _enforced({"spec": {"rules": [{"enforce": True}]}}, list_constraint=False) is True
    assert _enforced({"spec": {"rules": [{"enforce": False}]}}, list_constraint=False) is False
    assert _enforced({"name": "x"}, list_constraint=False) is False
    assert _enforced({"spec": {"rules": [{"values": {"allowedValues": ["is:C01"]}}]}}, list_constraint=True) is True
    assert _enforced({"spec": {"rules": [{"allowAll": True}]}}, list_constraint=True) is False
    # A conditional rule alone does not enforce everywhere.
    assert _enforced({"spec": {"rules": [{"enforce": True, "condition": {"expression": "x"}}]}}, list_constraint=False) is False


def test_unread_policy_makes_derived_checks_unknown_not_false() -> None:
    raw = RawScope(
        "projects/p-000001",
        projects={"p-000001": {"projectId": "p-000001", "number": "1", "labels": {"environment": "production"}}},
        policy_unknown={"projects/p-000001": "gcp: projects/p-000001: permission denied (x)"},
    )
    raw.service_accounts = [{"email": "a@p-000001.iam.gserviceaccount.com", "projectId": "p-000001", "keys": []}]
    resources = {r.type: r for r in build_resources(raw, Options((), EnvironmentConvention(), True), NOW)}
    assert isinstance(resources["gcp.project"].attributes["data_access_logs_all_services"], Unknown)
    assert isinstance(resources["gcp.service_account"].attributes["privileged"], Unknown)
