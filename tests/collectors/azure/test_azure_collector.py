"""The Azure collector against the fake ARM + Graph HTTPS server: policies, faults, read-only."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult
from scanner.errors import ConfigError
from scanner.findings import Status
from scanner.inventory.model import Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.inventory.types.people import DERIVED_ACCOUNT_ATTRIBUTES
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.azure.client import NOW, StaticTokenCredential, settings_for
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import NORTHWIND_TENANT, NW_DEV, NW_PROD

POLICIES = Path(__file__).resolve().parents[3] / "policies" / "azure"
Run = Callable[..., CollectResult]

# Every non-skipped (policy, resource name) outcome on the fake Northwind tenant.
EXPECTED = {
    ("azure_tenant_mfa_all_users", "Northwind Labs"): "PASS",
    ("azure_tenant_mfa_admins", "Northwind Labs"): "PASS",
    ("azure_tenant_legacy_auth_blocked", "Northwind Labs"): "FAIL",  # policy is report-only
    ("azure_tenant_managed_device_required", "Northwind Labs"): "FAIL",
    ("azure_tenant_global_admin_count", "Northwind Labs"): "PASS",  # Ana + two break-glass accounts
    ("azure_tenant_global_admins_just_in_time", "Northwind Labs"): "FAIL",  # Ana standing next to them
    ("azure_user_mfa_registered", "breakglass2@northwind.onmicrosoft.com"): "PASS",
    ("azure_user_inactive_disabled", "breakglass2@northwind.onmicrosoft.com"): "PASS",
    ("azure_role_assignment_no_guest_privileged", "Owner for nw-platform-admins"): "FAIL",  # Eve, nested group
    ("azure_role_assignment_no_permanent_owner", "Owner for nw-platform-admins"): "FAIL",
    ("azure_tenant_guest_invites_restricted", "Northwind Labs"): "FAIL",
    ("azure_user_mfa_registered", "ana@northwind.dev"): "PASS",
    ("azure_user_mfa_registered", "dmitri@northwind.dev"): "PASS",
    ("azure_user_mfa_registered", "farid@northwind.dev"): "FAIL",
    ("azure_user_mfa_registered", "breakglass@northwind.onmicrosoft.com"): "PASS",
    ("azure_user_mfa_registered", "lab-admin@northwind.onmicrosoft.com"): "FAIL",
    ("azure_user_inactive_disabled", "ana@northwind.dev"): "PASS",
    ("azure_user_inactive_disabled", "dmitri@northwind.dev"): "PASS",
    ("azure_user_inactive_disabled", "eve_acme-outsourcing.io#EXT#@northwind.onmicrosoft.com"): "PASS",
    ("azure_user_inactive_disabled", "farid@northwind.dev"): "PASS",
    ("azure_user_inactive_disabled", "breakglass@northwind.onmicrosoft.com"): "PASS",
    ("azure_user_inactive_disabled", "lab-admin@northwind.onmicrosoft.com"): "FAIL",  # 203 days
    ("azure_role_assignment_no_guest_privileged", "Owner for ana@northwind.dev"): "PASS",
    ("azure_role_assignment_no_guest_privileged", "Owner for eve@acme-outsourcing.io"): "FAIL",
    ("azure_role_assignment_no_guest_privileged", "Owner for farid@northwind.dev"): "PASS",
    ("azure_role_assignment_no_guest_privileged", "Contributor for github-deployer"): "PASS",
    ("azure_role_assignment_no_guest_privileged", "Owner for dmitri@northwind.dev"): "PASS",
    ("azure_role_assignment_no_guest_privileged", "Contributor for farid@northwind.dev"): "PASS",
    ("azure_role_assignment_no_permanent_owner", "Owner for ana@northwind.dev"): "FAIL",
    ("azure_role_assignment_no_permanent_owner", "Owner for eve@acme-outsourcing.io"): "FAIL",
    ("azure_role_assignment_no_permanent_owner", "Owner for farid@northwind.dev"): "PASS",  # activated (JIT)
    ("azure_role_assignment_no_permanent_owner", "Owner for dmitri@northwind.dev"): "PASS",  # eligible
    ("azure_subscription_max_owners", "nw-prod"): "FAIL",
    ("azure_subscription_max_owners", "nw-dev"): "PASS",
    ("azure_subscription_no_classic_admins", "nw-prod"): "FAIL",
    ("azure_subscription_no_classic_admins", "nw-dev"): "PASS",
    ("azure_subscription_activity_log_exported", "nw-prod"): "PASS",
    ("azure_subscription_activity_log_exported", "nw-dev"): "FAIL",
    ("azure_custom_role_no_wildcard", "NW Ops Superuser"): "FAIL",
    ("azure_custom_role_no_wildcard", "NW Log Reader"): "PASS",
    ("azure_application_secret_max_lifetime", "github-deployer"): "FAIL",
    ("azure_application_secret_max_lifetime", "legacy-sync"): "PASS",
    ("azure_application_no_expired_secrets", "github-deployer"): "PASS",
    ("azure_application_no_expired_secrets", "legacy-sync"): "FAIL",
    ("azure_service_principal_secret_max_lifetime", "github-deployer"): "PASS",
    ("azure_service_principal_secret_max_lifetime", "legacy-sync"): "FAIL",
    ("azure_service_principal_no_expired_secrets", "github-deployer"): "PASS",
    ("azure_service_principal_no_expired_secrets", "legacy-sync"): "FAIL",
    ("azure_service_principal_no_high_privilege", "posture-scanner"): "PASS",
    ("azure_service_principal_no_high_privilege", "github-deployer"): "PASS",
    ("azure_service_principal_no_high_privilege", "legacy-sync"): "FAIL",
    # Privileged roles at any scope, not only the subscription (a custom role on a resource group).
    ("azure_role_assignment_no_guest_privileged", "NW Ops Superuser for nw-ops"): "PASS",
    ("azure_role_assignment_no_guest_privileged", "Role Based Access Control Administrator for ana@northwind.dev"): "PASS",
    ("azure_role_assignment_no_guest_privileged", "User Access Administrator for dmitri@northwind.dev"): "PASS",
    ("azure_role_assignment_no_guest_privileged", "User Access Administrator for github-deployer"): "PASS",
    ("azure_role_assignment_no_permanent_access_admin", "Role Based Access Control Administrator for ana@northwind.dev"): "PASS",  # eligible
    ("azure_role_assignment_no_permanent_access_admin", "User Access Administrator for dmitri@northwind.dev"): "FAIL",
    ("azure_subscription_max_access_admins", "nw-dev"): "PASS",
    ("azure_subscription_max_access_admins", "nw-prod"): "FAIL",  # Dmitri, the deployer app, Ana (eligible)
    # Separation: who writes in nw-prod and also in nw-dev (issue 18 §3).
    ("azure_role_assignment_no_cross_environment_write", "Contributor for github-deployer"): "PASS",
    ("azure_role_assignment_no_cross_environment_write", "NW Ops Superuser for nw-ops"): "FAIL",  # Ana and Farid
    ("azure_role_assignment_no_cross_environment_write", "Owner for ana@northwind.dev"): "FAIL",
    ("azure_role_assignment_no_cross_environment_write", "Owner for dmitri@northwind.dev"): "PASS",
    ("azure_role_assignment_no_cross_environment_write", "Owner for eve@acme-outsourcing.io"): "FAIL",  # Owner on dev via nested group
    ("azure_role_assignment_no_cross_environment_write", "Owner for farid@northwind.dev"): "FAIL",
    ("azure_role_assignment_no_cross_environment_write", "Role Based Access Control Administrator for ana@northwind.dev"): "FAIL",
    ("azure_role_assignment_no_cross_environment_write", "User Access Administrator for dmitri@northwind.dev"): "PASS",
    ("azure_role_assignment_no_cross_environment_write", "User Access Administrator for github-deployer"): "PASS",
    ("azure_subscription_environment_designated", "nw-dev"): "PASS",
    ("azure_subscription_environment_designated", "nw-prod"): "PASS",
    # A named security owner (issue 18 §5).
    ("azure_subscription_security_contact", "nw-dev"): "FAIL",
    ("azure_subscription_security_contact", "nw-prod"): "PASS",
}


@pytest.fixture(scope="module")
def policies():
    return load_policies([POLICIES])


def outcomes(result: CollectResult, policies) -> dict[tuple[str, str], str]:
    findings = evaluate(policies, Inventory(result.resources, result.sources))
    return {(f.policy, f.resource.name): f.status.value for f in findings if f.status is not Status.SKIPPED}


def by_name(result: CollectResult, type_name: str) -> dict[str, dict]:
    return {r.name: dict(r.attributes) for r in result.resources if r.type == type_name}


def source(result: CollectResult, suffix: str):
    return next(s for s in result.sources if s.name.endswith(suffix))


def test_every_azure_policy_gives_the_expected_result_on_the_fake_tenant(run: Run, policies) -> None:
    result = run()
    assert outcomes(result, policies) == EXPECTED
    assert {p.id for p in policies} == {policy for policy, _ in EXPECTED}
    assert [s.status for s in result.sources] == ["ok", "ok", "ok"]


def test_resources_carry_exactly_their_declared_attributes(run: Run) -> None:
    derived = {a.name for a in DERIVED_ACCOUNT_ATTRIBUTES}  # correlation adds these later
    result = run()
    problems = [
        p for r in result.resources for p in problems_with(r, RESOURCE_TYPES[r.type])
        if not any(p.endswith(f"missing attribute {name}") for name in derived)
    ]
    assert problems == []
    assert len({r.id for r in result.resources}) == len(result.resources)  # inherited MG assignment kept once


def test_account_contract_of_entra_users(run: Run) -> None:
    users = by_name(run(), "azure.user")
    ana = users["ana@northwind.dev"]
    assert ana["email"] == "ana@northwind.dev"
    assert ana["is_admin"] is True and ana["directory_roles"] == ["Global Administrator"]
    assert ana["mfa_enabled"] is True and ana["active"] is True
    assert ana["last_activity_at"] == "2026-11-19T16:02:11Z" and ana["days_since_last_activity"] == 0
    assert "a1000001-0000-4000-8000-000000000001" in ana["handles"]
    eve = users["eve_acme-outsourcing.io#EXT#@northwind.onmicrosoft.com"]
    assert eve["email"] == "eve@acme-outsourcing.io" and eve["is_guest"] is True and eve["is_admin"] is False
    dmitri = users["dmitri@northwind.dev"]
    assert dmitri["active"] is True and dmitri["days_since_last_activity"] == 10  # left on 10 Nov, still enabled
    tomas = users["tomas@northwind.dev"]
    assert tomas["active"] is False and tomas["mfa_registered"] is False  # not in the registration report
    lab = users["lab-admin@northwind.onmicrosoft.com"]
    assert lab["is_admin"] is True and lab["directory_roles"] == ["User Administrator"]


def test_role_assignments_know_principals_scopes_and_pim(run: Run) -> None:
    result = run()
    assignments = {r.id.rsplit("/", 1)[-1]: r.attributes for r in result.resources if r.type == "azure.role_assignment"}
    eve = assignments["00000002-5555-4666-8777-555555555555"]
    assert (eve["principal_is_guest"], eve["principal_is_external"], eve["principal_email"]) == (True, True, "eve@acme-outsourcing.io")
    assert eve["assignment_type"] == "permanent" and eve["privileged"] is True
    farid = assignments["00000003-5555-4666-8777-555555555555"]
    assert farid["assignment_type"] == "activated" and farid["end_at"] == "2026-11-20T15:00:00Z"
    deployer = assignments["00000004-5555-4666-8777-555555555555"]
    assert deployer["assignment_type"] == "time_bound" and deployer["principal_type"] == "ServicePrincipal"
    group = assignments["00000006-5555-4666-8777-555555555555"]
    assert group["principal_name"] == "nw-ops" and group["scope_level"] == "resource_group"
    assert group["role_type"] == "CustomRole" and group["privileged"] is True  # custom role with *
    inherited = assignments["00000005-5555-4666-8777-555555555555"]
    assert inherited["scope_level"] == "management_group" and inherited["role_name"] == "Reader"
    acme = assignments["00000013-5555-4666-8777-000000000000"]
    assert acme["principal_is_external"] is True  # third-party app (another tenant owns it)
    eligible = assignments["00000001-9999-4aaa-8bbb-555555555555"]
    assert eligible["assignment_type"] == "eligible" and eligible["principal_name"] == "dmitri@northwind.dev"


def test_subscription_and_tenant_attributes(run: Run) -> None:
    result = run()
    prod = by_name(result, "azure.subscription")["nw-prod"]
    assert prod["owner_count"] == 4 and prod["permanent_owner_count"] == 2
    assert prod["activity_log_destinations"] == ["log_analytics:law-nw-security"]
    assert prod["tags"] == {"environment": "production"} and prod["pim_available"] is True
    tenant = by_name(result, "azure.tenant")["Northwind Labs"]
    assert tenant["global_admins"] == ["ana@northwind.dev", "breakglass2@northwind.onmicrosoft.com", "breakglass@northwind.onmicrosoft.com"]
    assert tenant["report_only_conditional_access_policies"] == ["Block legacy authentication"]
    assert tenant["verified_domains"] == ["northwind.onmicrosoft.com", "northwind.dev"]


def test_only_get_requests_and_every_one_authorized(run: Run, fake: FakeAzure) -> None:
    run()
    assert fake.requests, "the collector sent nothing"
    assert {r.method for r in fake.requests} == {"GET"}
    assert all(r.authorized for r in fake.requests)


def test_the_request_guard_refuses_writes() -> None:
    from scanner.collectors.azure.client import RequestGuard
    from scanner.collectors.base import CallCounter

    guard = RequestGuard(CallCounter(), "arm")
    with pytest.raises(PermissionError, match="read-only"):
        guard.check("PUT", "https://management.azure.com/subscriptions/x/providers/Microsoft.Authorization/roleAssignments/y")
    guard.check("GET", "https://management.azure.com/subscriptions")
    assert guard.counter.snapshot() == {"arm GET /subscriptions": 1}


def test_pages_are_followed_and_calls_counted(run: Run, fake: FakeAzure) -> None:
    result = run()  # the fake serves 2 items per page
    assert len(by_name(result, "azure.user")) == 8
    tenant = source(result, NORTHWIND_TENANT)
    assert tenant.api_calls["graph GET /v1.0/users"] == 4
    assert tenant.api_calls["graph GET /v1.0/groups/{id}/transitiveMembers"] == 3  # nw-ops, nw-platform-admins (2 pages)
    prod = source(result, NW_PROD)
    assert prod.api_calls["arm GET /subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments"] == 4
    served = sum(1 for r in fake.requests if r.path.startswith("/v1.0/"))
    assert sum(tenant.api_calls.values()) == served


def test_throttling_is_waited_out(run: Run, fake: FakeAzure, policies) -> None:
    fake.fail(r"GET /v1\.0/users\?", 429, code="TooManyRequests", times=2, retry_after=0)
    fake.fail(rf"GET /subscriptions/{NW_PROD}/providers/Microsoft.Authorization/roleAssignments", 429, times=1, retry_after=0)
    result = run()
    assert [s.status for s in result.sources] == ["ok", "ok", "ok"]
    assert outcomes(result, policies) == EXPECTED
    assert source(result, NORTHWIND_TENANT).api_calls["graph GET /v1.0/users"] == 6


def test_one_subscription_failing_does_not_lose_the_others(run: Run, fake: FakeAzure) -> None:
    fake.fail(rf"GET /subscriptions/{NW_DEV}/", 500, code="InternalServerError", message="Something went wrong")
    result = run()
    dev, prod = source(result, NW_DEV), source(result, NW_PROD)
    assert dev.status == "failed" and dev.error_kind == "api"
    assert any("500" in e and NW_DEV in e for e in dev.errors)
    assert prod.status == "ok" and source(result, NORTHWIND_TENANT).status == "ok"
    subs = by_name(result, "azure.subscription")
    assert subs["nw-prod"]["owner_count"] == 4
    assert isinstance(subs["nw-dev"]["owner_count"], Unknown)  # known to exist, contents unreadable
    assert not any(r.scope == NW_DEV for r in result.resources if r.type == "azure.role_assignment")


def test_a_forbidden_subscription_part_is_unknown_with_a_note(run: Run, fake: FakeAzure, policies) -> None:
    fake.fail(rf"GET /subscriptions/{NW_DEV}/providers/Microsoft.Insights/diagnosticSettings", 403, code="AuthorizationFailed")
    result = run()
    dev = source(result, NW_DEV)
    assert dev.status == "partial" and dev.error_kind == "permission"
    assert any("diagnosticSettings/read" in n for n in dev.notes)
    found = outcomes(result, policies)
    assert found[("azure_subscription_activity_log_exported", "nw-dev")] == "ERROR"
    assert found[("azure_subscription_activity_log_exported", "nw-prod")] == "PASS"


def test_missing_graph_permission_is_unknown_error_and_a_note(run: Run, fake: FakeAzure, policies) -> None:
    fake.fail(r"GET /v1\.0/reports/authenticationMethods/userRegistrationDetails", 403,
              code="Authorization_RequestDenied", message="Insufficient privileges to complete the operation.")
    result = run()
    tenant = source(result, NORTHWIND_TENANT)
    assert tenant.status == "partial" and tenant.error_kind == "permission"
    assert any("AuditLog.Read.All" in n for n in tenant.notes)
    farid = by_name(result, "azure.user")["farid@northwind.dev"]
    assert farid["mfa_registered"] == Unknown("needs Graph AuditLog.Read.All")
    found = outcomes(result, policies)
    assert found[("azure_user_mfa_registered", "farid@northwind.dev")] == "ERROR"
    assert found[("azure_user_mfa_registered", "ana@northwind.dev")] == "ERROR"  # never a PASS
    # Whether the excluded accounts are break-glass (MFA registered) is now unknown: ERROR, not PASS.
    assert found[("azure_tenant_mfa_all_users", "Northwind Labs")] == "ERROR"
    assert found[("azure_tenant_legacy_auth_blocked", "Northwind Labs")] == "FAIL"  # other parts unaffected


def test_without_entra_p1_p2_mfa_and_sign_in_are_unknown_for_that_reason(run: Run, fake: FakeAzure, policies) -> None:
    premium = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
    fake.fail(r"userRegistrationDetails", 403, code=premium, message="Neither tenant is B2C or tenant doesn't have premium license")
    fake.fail(r"GET /v1\.0/users\?.*signInActivity", 403, code=premium, message="Neither tenant is B2C or tenant doesn't have premium license")
    result = run()
    ana = by_name(result, "azure.user")["ana@northwind.dev"]
    assert "P1 or P2" in ana["mfa_registered"].reason and "P1 or P2" in ana["last_activity_at"].reason
    assert ana["email"] == "ana@northwind.dev"  # users were still read, without signInActivity
    assert any("P1 or P2" in n for n in source(result, NORTHWIND_TENANT).notes)
    found = outcomes(result, policies)
    assert found[("azure_user_inactive_disabled", "lab-admin@northwind.onmicrosoft.com")] == "ERROR"
    assert found[("azure_user_mfa_registered", "farid@northwind.dev")] == "ERROR"


def test_missing_directory_read_makes_principals_unknown(run: Run, fake: FakeAzure, policies) -> None:
    fake.fail(r"GET /v1\.0/users\?", 403, code="Authorization_RequestDenied")
    result = run()
    assert not by_name(result, "azure.user")
    found = outcomes(result, policies)
    assert found[("azure_role_assignment_no_guest_privileged", "Owner for a1000005-0000-4000-8000-000000000005")] == "ERROR"
    assert any("Directory.Read.All" in n for n in source(result, NORTHWIND_TENANT).notes)


def test_a_graph_500_fails_that_part_only(run: Run, fake: FakeAzure, policies) -> None:
    fake.fail(r"GET /v1\.0/identity/conditionalAccess/policies", 500, code="UnknownError")
    result = run()
    tenant = source(result, NORTHWIND_TENANT)
    assert tenant.status == "partial" and tenant.error_kind == "api"
    assert any("conditionalAccess/policies answered 500" in e for e in tenant.errors)
    found = outcomes(result, policies)
    assert found[("azure_tenant_mfa_all_users", "Northwind Labs")] == "ERROR"
    assert found[("azure_tenant_global_admin_count", "Northwind Labs")] == "PASS"


def test_no_token_or_secret_in_any_output(run: Run, fake: FakeAzure) -> None:
    fake.fail(r"GET /v1\.0/applications", 500, message=f"echoing Bearer {fake.token}")
    fake.fail(rf"GET /subscriptions/{NW_DEV}/", 403, code="AuthorizationFailed", message=f"token {fake.token} lacks access")
    result = run()
    text = json.dumps([r.to_json() for r in result.resources] + [s.to_json() for s in result.sources])
    assert fake.token[:20] not in text and fake.token.split(".")[1][:20] not in text
    assert "***" in text  # the echoed token was redacted, not dropped silently
    assert "secretText" not in text and "Q~x" not in text  # secret hints never copied


def test_a_rejected_token_fails_every_source_as_auth(fake: FakeAzure) -> None:
    settings = settings_for(fake, credential=StaticTokenCredential("not-the-right-token"))
    result = load_collector("azure")(settings, CollectContext(clock=lambda: NOW)).collect()
    assert result.resources == ()
    assert [s.status for s in result.sources] == ["failed", "failed"]
    assert {s.error_kind for s in result.sources} == {"auth"}


def test_a_credential_that_cannot_sign_in_is_one_failed_source(fake: FakeAzure) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    class Broken:
        def get_token(self, *scopes, **kwargs):
            raise ClientAuthenticationError("AADSTS7000215: Invalid client secret provided.")

    result = load_collector("azure")(settings_for(fake, credential=Broken(), tenant="northwind.onmicrosoft.com"),
                                     CollectContext(clock=lambda: NOW)).collect()
    (only,) = result.sources
    assert only.status == "failed" and only.error_kind == "auth" and "az login" in only.errors[0]
    assert fake.requests == []


def test_subscription_filter_and_an_invisible_subscription(run: Run) -> None:
    missing = "12345678-1234-1234-1234-123456789012"
    result = run(subscriptions=[NW_PROD, missing])
    names = [s.name for s in result.sources]
    assert names == [f"azure:tenant:{NORTHWIND_TENANT}", f"azure:subscription:{missing}", f"azure:subscription:{NW_PROD}"]
    assert source(result, missing).status == "failed" and "Reader" in source(result, missing).errors[0]
    assert set(by_name(result, "azure.subscription")) == {"nw-prod"}


def test_concurrency_is_bounded(run: Run, fake: FakeAzure) -> None:
    run(concurrency=1)
    assert fake.max_in_flight == 1
    fake.max_in_flight = 0
    run(concurrency=3)
    assert 1 < fake.max_in_flight <= 3


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"cloud": "moon"}, "azure.cloud"),
        ({"subscriptions": ["nw-prod"]}, "azure.subscriptions"),
        ({"subscriptions": "11111111-2222-3333-4444-555555555555"}, "azure.subscriptions"),
        ({"arm_url": "http://127.0.0.1:1"}, "azure.arm_url"),
        ({"graph_url": "graph.local"}, "azure.graph_url"),
        ({"ca_bundle": "/nonexistent/ca.pem"}, "azure.ca_bundle"),
        ({"credential": "a token string"}, "azure.credential"),
        ({"tenant": ""}, "azure.tenant"),
    ],
)
def test_bad_settings_fail_before_any_request(fake: FakeAzure, bad: dict, field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        load_collector("azure")(settings_for(fake, **bad), CollectContext(clock=lambda: NOW))
    assert fake.requests == []
