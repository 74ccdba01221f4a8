"""Resource types collected from Microsoft Intune (Microsoft Graph ``deviceManagement``).

A managed device is named ``intune:<tenant-id>/device/<managed device id>``, a compliance policy
``intune:<tenant-id>/compliance_policy/<id>``, the tenant ``intune:<tenant-id>``. Platforms are
normalised to ``windows``, ``macos``, ``ios``, ``android``, ``linux`` or ``other`` so a device and
the compliance policies of its platform can be compared.

People x devices: a device's owner is named by ``user_principal_name`` / ``email``; correlation
links it to a roster person by that address (ACCOUNT_KINDS: a ``device`` kind). A device is not an
account: it has no MFA and no admin flag, so it never counts in a person's MFA or admin summary;
``roster.person`` lists it under ``devices`` and counts ``compliant_devices``.
"""

from __future__ import annotations

from typing import Final

from scanner.inventory.types import AccountKind, ResourceType, attr

PLATFORMS: Final = ("windows", "macos", "ios", "android", "linux", "other")


TENANT = ResourceType(
    "intune.tenant",
    "The Intune service of one Entra tenant: which device platforms its compliance policies cover.",
    (
        attr("tenant_id", "string", "tenant (directory) id"),
        attr("device_count", "integer", "managed devices enrolled"),
        attr("device_platforms", "list", "platforms with at least one managed device (windows, macos, ios, android, linux, other)"),
        attr("compliance_policy_count", "integer", "device compliance policies"),
        attr("platforms_without_encryption_policy", "list", "device platforms no assigned compliance policy requires encryption on"),
        attr("platforms_without_minimum_os_policy", "list", "device platforms no assigned compliance policy sets a minimum OS version on"),
    ),
)

DEVICE = ResourceType(
    "intune.device",
    "A device enrolled in Intune (managedDevice): compliance, encryption, OS, last check-in, owner.",
    (
        attr("device_id", "string", "Intune managed device id"),
        attr("azure_ad_device_id", "string", "the device's Entra device id", nullable=True),
        attr("device_name", "string", "device name"),
        attr("operating_system", "string", "operating system as Intune reports it (Windows, macOS, iOS, Android)"),
        attr("platform", "string", "windows, macos, ios, android, linux or other"),
        attr("os_version", "string", "OS version", nullable=True),
        attr("compliance_state", "string", "unknown, compliant, noncompliant, conflict, error, inGracePeriod, configManager"),
        attr("is_compliant", "boolean", "complianceState is compliant; Unknown when Intune itself does not know (unknown, error, conflict)"),
        attr("is_encrypted", "boolean", "storage is encrypted (isEncrypted)"),
        attr("jailbroken", "boolean", "the device is jailbroken or rooted (iOS/Android); Unknown where Intune cannot tell"),
        attr("last_sync_at", "timestamp", "last successful check-in with Intune", nullable=True),
        attr("days_since_last_sync", "integer", "whole days since the last check-in", nullable=True),
        attr("enrolled_at", "timestamp", "when the device enrolled", nullable=True),
        attr("owner_type", "string", "company, personal or unknown"),
        attr("management_agent", "string", "mdm, easMdm, intuneClient, configurationManagerClientMdm, jamf, ..."),
        attr("management_state", "string", "managed, retirePending, retireIssued, wipePending, wipeIssued, ..."),
        attr("retired_or_wiped", "boolean", "a retire or wipe was issued or is pending: company data is being removed"),
        attr("active", "boolean", "still managed and holding company data (no retire or wipe issued)"),
        attr("user_principal_name", "string", "the primary user's UPN", nullable=True),
        attr("email", "string", "the primary user's email (emailAddress, else the UPN), lower-cased, for roster matching", nullable=True),
        attr("user_id", "string", "the primary user's Entra object id", nullable=True),
        attr("owner_account_enabled", "boolean", "the primary user's Entra account can still sign in (accountEnabled); false for a disabled or deleted account (someone who left); null for a device without a primary user", nullable=True),
        attr("handles", "list", "identifiers a roster could name the owner by: UPN, email, Entra object id"),
    ),
)

COMPLIANCE_POLICY = ResourceType(
    "intune.compliance_policy",
    "An Intune device compliance policy (deviceCompliancePolicy) and what it requires of its platform.",
    (
        attr("policy_id", "string", "policy id"),
        attr("policy_type", "string", "Graph type, e.g. windows10CompliancePolicy, macOSCompliancePolicy"),
        attr("platform", "string", "windows, macos, ios, android or other"),
        attr("assignment_count", "integer", "groups (or all users/devices) the policy is assigned to"),
        attr("assigned", "boolean", "the policy is assigned to someone (an unassigned policy protects nobody)"),
        attr("requires_encryption", "boolean", "storageRequireEncryption (Windows: or BitLocker); iOS: a passcode, which turns on data protection"),
        attr("os_minimum_version", "string", "minimum OS version required; null when the policy sets none", nullable=True),
        attr("requires_firewall", "boolean", "macOS firewallEnabled; Unknown on Windows (Graph v1.0 exposes the firewall setting only in beta)"),
        attr("requires_threat_protection", "boolean", "deviceThreatProtectionEnabled (Defender for Endpoint / mobile threat defense); Unknown on Windows (beta only in Graph)"),
        attr("blocks_jailbroken", "boolean", "securityBlockJailbrokenDevices (iOS, Android); false elsewhere"),
        attr("requires_password", "boolean", "passwordRequired / passcodeRequired"),
    ),
)

TYPES: tuple[ResourceType, ...] = (TENANT, DEVICE, COMPLIANCE_POLICY)

# How people correlation links a device to a roster person: the owner's UPN (or object id) against
# the roster's entra_upn column, then the owner's email against the roster email. A device kind:
# it gains person / days_since_exit / link_method but is never counted as an account.
ACCOUNT_KINDS: tuple[AccountKind, ...] = (
    AccountKind("intune.device", "intune", roster_fields=("entra_upn",), unique_name=True, device=True),
)
