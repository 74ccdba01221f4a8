"""Raw Graph ``deviceManagement`` JSON -> Resources. Pure functions: no network, no clock.

Inputs are what Graph v1.0 returns (managedDevice, deviceCompliancePolicy and its platform
subtypes, told apart by ``@odata.type``). A part that could not be read arrives as an
``Unknown`` and every attribute that depends on it becomes that ``Unknown`` too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from scanner.collectors.azure.mapping import parse_time
from scanner.collectors.base import days_between, iso
from scanner.inventory.model import Resource, Unknown

Part = Any  # a list read from Graph, or Unknown("needs ...")

# managementState values under which the device's company data is being (or has been) removed.
RETIRED_OR_WIPED = frozenset({"retirePending", "retireIssued", "wipePending", "wipeIssued", "deletePending"})
# complianceState values that say Intune itself does not know.
UNDECIDED = frozenset({"unknown", "error", "conflict"})

_POLICY_PLATFORMS = {
    "windows10CompliancePolicy": "windows",
    "windows81CompliancePolicy": "windows",
    "windowsPhone81CompliancePolicy": "windows",
    "macOSCompliancePolicy": "macos",
    "iosCompliancePolicy": "ios",
    "androidCompliancePolicy": "android",
    "androidWorkProfileCompliancePolicy": "android",
    "androidDeviceOwnerCompliancePolicy": "android",
}
_BETA_ONLY = "Graph v1.0 does not expose this setting for Windows compliance policies (beta only)"


def device_platform(operating_system: str | None) -> str:
    """windows / macos / ios / android / linux / other from managedDevice.operatingSystem."""
    text = (operating_system or "").strip().lower()
    if text.startswith("windows"):
        return "windows"
    if text in ("macos", "mac os x", "osx", "mac"):
        return "macos"
    if text in ("ios", "ipados"):
        return "ios"
    if text.startswith("android"):
        return "android"
    if text.startswith("linux") or text == "ubuntu":
        return "linux"
    return "other"


def _jailbroken(value: Any, platform: str) -> Any:
    text = str(value or "").strip().lower()
    if text == "true":
        return True
    if text == "false":
        return False
    if platform not in ("ios", "android"):
        return False  # jailbreak detection is a mobile notion; desktops report "Unknown"
    return Unknown(f"Intune reports jailBroken={value!r} for this device")


def owner_enabled(device: Mapping[str, Any], accounts: Part) -> Any:
    """Can the device's primary user still sign in? ``accounts``: Entra object id -> accountEnabled
    (or Unknown). A user id no longer in the directory is a deleted account: False."""
    user_id = device.get("userId")
    if not user_id:
        return None
    if isinstance(accounts, Unknown):
        return accounts
    return bool(accounts.get(str(user_id), False))


def map_device(device: Mapping[str, Any], *, tenant_id: str, now: datetime, accounts: Part = None) -> Resource:
    device_id = str(device["id"])
    platform = device_platform(device.get("operatingSystem"))
    state = str(device.get("complianceState") or "unknown")
    management = str(device.get("managementState") or "managed")
    upn = device.get("userPrincipalName") or None
    email = str(device.get("emailAddress") or upn or "").lower() or None
    user_id = device.get("userId") or None
    last_sync = parse_time(device.get("lastSyncDateTime"))
    compliant: Any = Unknown(f"Intune reports complianceState={state}") if state in UNDECIDED else state == "compliant"
    retired = management in RETIRED_OR_WIPED
    handles = sorted({h for h in (upn, email, user_id) if h})
    return Resource(
        type="intune.device",
        id=f"intune:{tenant_id}/device/{device_id}",
        name=str(device.get("deviceName") or device.get("managedDeviceName") or device_id),
        scope=tenant_id,
        attributes={
            "device_id": device_id,
            "azure_ad_device_id": device.get("azureADDeviceId") or None,
            "device_name": str(device.get("deviceName") or device_id),
            "operating_system": str(device.get("operatingSystem") or "unknown"),
            "platform": platform,
            "os_version": device.get("osVersion") or None,
            "compliance_state": state,
            "is_compliant": compliant,
            "is_encrypted": bool(device.get("isEncrypted")),
            "jailbroken": _jailbroken(device.get("jailBroken"), platform),
            "last_sync_at": iso(last_sync),
            "days_since_last_sync": days_between(last_sync, now),
            "enrolled_at": iso(parse_time(device.get("enrolledDateTime"))),
            "owner_type": str(device.get("managedDeviceOwnerType") or "unknown"),
            "management_agent": str(device.get("managementAgent") or "unknown"),
            "management_state": management,
            "retired_or_wiped": retired,
            "active": not retired,
            "user_principal_name": upn,
            "email": email,
            "user_id": user_id,
            "owner_account_enabled": owner_enabled(device, accounts if accounts is not None else Unknown("owner accounts were not read")),
            "handles": handles,
        },
    )


def policy_type(policy: Mapping[str, Any]) -> str:
    return str(policy.get("@odata.type") or "").rsplit(".", 1)[-1]


def policy_platform(policy: Mapping[str, Any]) -> str:
    return _POLICY_PLATFORMS.get(policy_type(policy), "other")


def _requires_encryption(policy: Mapping[str, Any], platform: str) -> bool:
    if platform == "ios":
        # iOS has no encryption setting: data protection is on whenever a passcode is set.
        return bool(policy.get("passcodeRequired"))
    if platform == "windows":
        return bool(policy.get("storageRequireEncryption") or policy.get("bitLockerEnabled"))
    return bool(policy.get("storageRequireEncryption"))


def map_compliance_policy(policy: Mapping[str, Any], *, tenant_id: str) -> Resource:
    policy_id = str(policy["id"])
    platform = policy_platform(policy)
    assignments = policy.get("assignments")
    assignment_count: Any = len(assignments) if isinstance(assignments, list) else Unknown("the policy's assignments were not returned")
    firewall: Any = Unknown(_BETA_ONLY) if platform == "windows" else bool(policy.get("firewallEnabled"))
    threat: Any = Unknown(_BETA_ONLY) if platform == "windows" else bool(policy.get("deviceThreatProtectionEnabled"))
    return Resource(
        type="intune.compliance_policy",
        id=f"intune:{tenant_id}/compliance_policy/{policy_id}",
        name=str(policy.get("displayName") or policy_id),
        scope=tenant_id,
        attributes={
            "policy_id": policy_id,
            "policy_type": policy_type(policy) or "deviceCompliancePolicy",
            "platform": platform,
            "assignment_count": assignment_count,
            "assigned": assignment_count if isinstance(assignment_count, Unknown) else assignment_count > 0,
            "requires_encryption": _requires_encryption(policy, platform),
            "os_minimum_version": policy.get("osMinimumVersion") or None,
            "requires_firewall": firewall,
            "requires_threat_protection": threat,
            "blocks_jailbroken": bool(policy.get("securityBlockJailbrokenDevices")),
            "requires_password": bool(policy.get("passwordRequired") or policy.get("passcodeRequired")),
        },
    )


def map_tenant(*, tenant_id: str, name: str, devices: Part, policies: Sequence[Resource] | Unknown) -> Resource:
    """Which device platforms no assigned compliance policy covers for encryption / minimum OS."""
    platforms: Any = devices if isinstance(devices, Unknown) else sorted({device_platform(d.get("operatingSystem")) for d in devices})

    def uncovered(test: Any) -> Any:
        if isinstance(platforms, Unknown):
            return platforms
        if isinstance(policies, Unknown):
            return policies
        covered = set()
        for policy in policies:
            attrs = policy.attributes
            if attrs["assigned"] is True and test(attrs):
                covered.add(attrs["platform"])
        # A platform Intune has no compliance policy type for (linux, other) cannot be covered
        # here; it is named so the gap is visible.
        return sorted(p for p in platforms if p not in covered)

    return Resource(
        type="intune.tenant",
        id=f"intune:{tenant_id}",
        name=name,
        scope=tenant_id,
        attributes={
            "tenant_id": tenant_id,
            "device_count": devices if isinstance(devices, Unknown) else len(devices),
            "device_platforms": platforms,
            "compliance_policy_count": policies if isinstance(policies, Unknown) else len(policies),
            "platforms_without_encryption_policy": uncovered(lambda a: a["requires_encryption"] is True),
            "platforms_without_minimum_os_policy": uncovered(lambda a: a["os_minimum_version"] is not None),
        },
    )
