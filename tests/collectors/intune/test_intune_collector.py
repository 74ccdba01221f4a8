"""The Intune collector against the fake Graph: what it reads, the policies' verdicts, faults,
paging, read-only, and the declared attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.collectors.base import CollectResult
from scanner.collectors.intune import mapping
from scanner.collectors.intune.platform import PLATFORM
from scanner.errors import ConfigError
from scanner.findings import Status
from scanner.inventory.model import Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.inventory.types.people import DERIVED_ACCOUNT_ATTRIBUTES
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.azure.tenant import NORTHWIND_TENANT, northwind

POLICIES = Path(__file__).resolve().parents[3] / "policies" / "intune"

EXPECTED = {
    ("intune_device_compliant", "NW-MAC-ANA"): "PASS",
    ("intune_device_compliant", "NW-LT-FARID"): "FAIL",
    ("intune_device_compliant", "Dmitri's iPhone"): "PASS",
    ("intune_device_compliant", "eve-pixel"): "FAIL",
    ("intune_device_encrypted", "NW-MAC-ANA"): "PASS",
    ("intune_device_encrypted", "NW-LT-FARID"): "FAIL",
    ("intune_device_encrypted", "Dmitri's iPhone"): "PASS",
    ("intune_device_encrypted", "eve-pixel"): "PASS",
    ("intune_device_synced_recently", "NW-MAC-ANA"): "PASS",
    ("intune_device_synced_recently", "NW-LT-FARID"): "PASS",
    ("intune_device_synced_recently", "Dmitri's iPhone"): "FAIL",  # 80 days
    ("intune_device_synced_recently", "eve-pixel"): "PASS",
    ("intune_device_not_jailbroken", "Dmitri's iPhone"): "PASS",
    ("intune_device_not_jailbroken", "eve-pixel"): "FAIL",
    ("intune_compliance_policy_requires_encryption", "Windows baseline"): "PASS",
    ("intune_compliance_policy_requires_encryption", "macOS baseline"): "PASS",
    ("intune_compliance_policy_requires_encryption", "iOS baseline"): "PASS",  # passcode -> data protection
    ("intune_compliance_policy_requires_encryption", "Android work profile"): "FAIL",
    ("intune_compliance_policy_minimum_os", "Windows baseline"): "PASS",
    ("intune_compliance_policy_minimum_os", "macOS baseline"): "FAIL",
    ("intune_compliance_policy_minimum_os", "iOS baseline"): "PASS",
    ("intune_compliance_policy_minimum_os", "Android work profile"): "PASS",
    ("intune_tenant_platforms_covered", f"Intune {NORTHWIND_TENANT}"): "FAIL",
    ("intune_device_compliant", "Tomas's iPhone"): "PASS",
    ("intune_device_encrypted", "Tomas's iPhone"): "PASS",
    ("intune_device_synced_recently", "Tomas's iPhone"): "PASS",
    ("intune_device_not_jailbroken", "Tomas's iPhone"): "PASS",
    # Tomas's Entra account is disabled: his laptop was retired, his phone was not.
    ("intune_device_of_disabled_owner_retired", "NW-LT-TOMAS"): "PASS",
    ("intune_device_of_disabled_owner_retired", "Tomas's iPhone"): "FAIL",
}


@pytest.fixture(scope="module")
def policies():
    return load_policies([POLICIES])


def outcomes(result: CollectResult, policies) -> dict[tuple[str, str], str]:
    findings = evaluate(policies, Inventory(result.resources, result.sources))
    return {(f.policy, f.resource.name): f.status.value for f in findings if f.status is not Status.SKIPPED}


def by_name(result: CollectResult, type_name: str) -> dict[str, dict]:
    return {r.name: dict(r.attributes) for r in result.resources if r.type == type_name}


def test_every_intune_policy_gives_the_expected_result(serve, policies) -> None:
    fake, run = serve()
    result = run()
    assert outcomes(result, policies) == EXPECTED
    assert [s.status for s in result.sources] == ["ok"]
    assert result.sources[0].name == f"intune:{NORTHWIND_TENANT}"
    assert {r.method for r in fake.requests} == {"GET"}  # read-only
    assert all(r.authorized for r in fake.requests)


def test_devices_carry_owner_state_and_retirement(serve) -> None:
    _, run = serve()
    devices = by_name(run(), "intune.device")
    farid = devices["NW-LT-FARID"]
    assert (farid["platform"], farid["is_compliant"], farid["is_encrypted"]) == ("windows", False, False)
    assert farid["email"] == "farid@northwind.dev" and "a1000006-0000-4000-8000-000000000006" in farid["handles"]
    eve = devices["eve-pixel"]
    assert eve["email"] == "eve@acme-outsourcing.io" and eve["jailbroken"] is True and eve["owner_type"] == "personal"
    tomas = devices["NW-LT-TOMAS"]
    assert tomas["retired_or_wiped"] is True and tomas["active"] is False and tomas["management_state"] == "retireIssued"
    assert devices["Dmitri's iPhone"]["days_since_last_sync"] == 80
    assert devices["NW-MAC-ANA"]["jailbroken"] is False  # desktops report "Unknown": not a mobile notion
    assert (devices["NW-MAC-ANA"]["owner_account_enabled"], devices["Tomas's iPhone"]["owner_account_enabled"]) == (True, False)


def test_without_user_read_the_owner_check_is_error_not_skipped(serve, policies) -> None:
    fake, run = serve()
    fake.fail(r"GET /v1\.0/users", 403, code="Authorization_RequestDenied")
    result = run()
    source = result.sources[0]
    assert source.status == "partial" and any("User.Read.All" in n for n in source.notes)
    found = outcomes(result, policies)
    assert found[("intune_device_of_disabled_owner_retired", "Tomas's iPhone")] == "ERROR"
    assert found[("intune_device_of_disabled_owner_retired", "NW-MAC-ANA")] == "ERROR"  # never a silent SKIP
    assert found[("intune_device_encrypted", "NW-LT-FARID")] == "FAIL"


def test_compliance_policies_and_tenant_coverage(serve) -> None:
    _, run = serve()
    result = run()
    policies = by_name(result, "intune.compliance_policy")
    assert policies["Windows baseline"]["requires_encryption"] is True
    assert isinstance(policies["Windows baseline"]["requires_firewall"], Unknown)  # v1.0: beta only
    assert policies["macOS baseline"]["requires_firewall"] is True
    assert policies["Windows pilot (draft)"]["assigned"] is False
    tenant = next(iter(by_name(result, "intune.tenant").values()))
    assert tenant["device_platforms"] == ["android", "ios", "macos", "windows"]
    assert tenant["platforms_without_encryption_policy"] == ["android"]
    assert tenant["platforms_without_minimum_os_policy"] == ["macos"]


def test_resources_carry_exactly_their_declared_attributes(serve) -> None:
    _, run = serve()
    result = run()
    # Correlation adds the owner link (person, days_since_exit, link_method) to devices later.
    derived = tuple(f"missing attribute {a.name}" for a in DERIVED_ACCOUNT_ATTRIBUTES)
    problems = [p for r in result.resources for p in problems_with(r, RESOURCE_TYPES[r.type])]
    assert [p for p in problems if not p.endswith(derived)] == []
    assert any(p.endswith(derived) for p in problems)  # devices are people-linked after collection


def test_pages_are_followed_and_calls_counted(serve) -> None:
    fake, run = serve()  # the fake serves 2 items per page
    result = run()
    assert len(by_name(result, "intune.device")) == 6
    calls = result.sources[0].api_calls
    assert calls["graph GET /v1.0/deviceManagement/managedDevices"] == 3
    assert calls["graph GET /v1.0/users"] == 4  # 8 users, for their accountEnabled
    assert calls["graph GET /v1.0/deviceManagement/deviceCompliancePolicies"] == 3
    assert sum(calls.values()) == len(fake.requests)
    listed = [r for r in fake.requests if r.path.endswith("/managedDevices")]
    assert "imei" not in listed[0].query["$select"][0] and "serialNumber" not in listed[0].query["$select"][0]


def test_missing_permission_is_unknown_error_and_a_note(serve, policies) -> None:
    fake, run = serve()
    fake.fail(r"GET /v1\.0/deviceManagement/managedDevices", 403, code="Forbidden", message="Application is not authorized to perform this operation.")
    result = run()
    source = result.sources[0]
    assert source.status == "partial" and source.error_kind == "permission"
    assert any("DeviceManagementManagedDevices.Read.All" in n for n in source.notes)
    assert not by_name(result, "intune.device")
    found = outcomes(result, policies)
    assert found[("intune_tenant_platforms_covered", f"Intune {NORTHWIND_TENANT}")] == "ERROR"  # never a PASS
    assert found[("intune_compliance_policy_minimum_os", "macOS baseline")] == "FAIL"  # the other part is intact


def test_server_errors_after_retries_fail_the_source(serve) -> None:
    fake, run = serve()
    fake.fail(r"GET /v1\.0/", 503, code="ServiceUnavailable", retry_after=0)
    result = run()
    source = result.sources[0]
    assert source.status == "failed" and source.error_kind == "api"
    assert result.resources == ()
    assert all("503" in e for e in source.errors)


def test_throttling_is_waited_out(serve, policies) -> None:
    fake, run = serve()
    fake.fail(r"GET /v1\.0/deviceManagement/managedDevices", 429, code="TooManyRequests", times=2, retry_after=0)
    result = run()
    assert result.sources[0].status == "ok"
    assert outcomes(result, policies) == EXPECTED


def test_a_rejected_token_is_one_auth_line_without_the_token(serve) -> None:
    fake, run = serve()

    class Refusing:
        def get_token(self, *scopes: str, **kwargs: object) -> object:
            raise RuntimeError("AADSTS7000215: Invalid client secret provided.")

    result = run(credential=Refusing())
    source = result.sources[0]
    assert source.status == "failed" and source.error_kind == "auth"
    assert len(source.errors) == 1 and "AADSTS7000215" in source.errors[0] and "az login" in source.errors[0]
    assert fake.requests == []


def test_bad_settings_are_one_config_error(serve) -> None:
    _, run = serve()
    with pytest.raises(ConfigError, match="intune.graph_url"):
        run(graph_url="http://graph.example")
    with pytest.raises(ConfigError, match="must not carry a user name or password") as refused:
        run(graph_url="https://me:hunter2@graph.example")
    assert "hunter2" not in str(refused.value)
    with pytest.raises(ConfigError, match="intune.cloud"):
        run(cloud="mars")


def test_the_descriptor_declares_the_platform() -> None:
    assert PLATFORM.name == "intune" and PLATFORM.enable_flag == "--intune" and PLATFORM.extra == "intune"
    assert {o.flag for o in PLATFORM.options} >= {"--intune", "--intune-graph-url", "--intune-tenant"}
    units = PLATFORM.units({"tenant": "contoso.onmicrosoft.com"}) if PLATFORM.units else []
    assert [u.key for u in units] == ["intune:contoso.onmicrosoft.com"]
    assert "DeviceManagementManagedDevices.Read.All" in PLATFORM.notes["permissions"]
    assert PLATFORM.collector_class().__name__ == "IntuneCollector"
    assert PLATFORM.validate is not None
    with pytest.raises(ConfigError, match="intune.max_retries"):
        PLATFORM.validate({"max_retries": -1})


@pytest.mark.parametrize(("os_name", "platform"), [("Windows", "windows"), ("macOS", "macos"), ("iPadOS", "ios"),
                                                   ("Android", "android"), ("Linux", "linux"), ("ChromeOS", "other")])
def test_platform_names(os_name: str, platform: str) -> None:
    assert mapping.device_platform(os_name) == platform


def test_an_unknown_compliance_state_is_unknown_not_a_verdict(serve, policies) -> None:
    estate = northwind()
    estate.managed_devices[0]["complianceState"] = "unknown"
    _, run = serve(estate)
    result = run()
    assert isinstance(by_name(result, "intune.device")["NW-MAC-ANA"]["is_compliant"], Unknown)
    assert outcomes(result, policies)[("intune_device_compliant", "NW-MAC-ANA")] == "ERROR"


def test_a_missing_extra_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "azure.identity", None)  # as if azure-identity were not installed
    monkeypatch.delitem(sys.modules, "scanner.collectors.intune.collector", raising=False)
    with pytest.raises(ConfigError, match=r"pip install 'posture-audit\[intune\]'"):
        PLATFORM.collector_class()
