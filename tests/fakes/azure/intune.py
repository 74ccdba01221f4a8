"""Intune data for the fake Graph: managed devices and device compliance policies.

Bodies carry every property of their Graph v1.0 type (CSDL cut in tests/fakes/azure/spec/
intune.json; test_intune_fake_shapes checks types, nullability and enum members), defaults as
Graph writes them (0001-01-01 for an unset date, enum first members), the example values on top.
"""

from __future__ import annotations

from typing import Any

_DEVICE_DEFAULTS: dict[str, Any] = {
    "activationLockBypassCode": None, "androidSecurityPatchLevel": None, "azureADDeviceId": None, "azureADRegistered": None,
    "complianceGracePeriodExpirationDateTime": "9999-12-31T23:59:59Z", "complianceState": "unknown",
    "configurationManagerClientEnabledFeatures": None, "deviceActionResults": [], "deviceCategoryDisplayName": None,
    "deviceEnrollmentType": "userEnrollment", "deviceHealthAttestationState": None, "deviceName": None,
    "deviceRegistrationState": "registered", "easActivated": False, "easActivationDateTime": "0001-01-01T00:00:00Z",
    "easDeviceId": None, "emailAddress": None, "enrolledDateTime": "0001-01-01T00:00:00Z", "enrollmentProfileName": None,
    "ethernetMacAddress": None, "exchangeAccessState": "none", "exchangeAccessStateReason": "none",
    "exchangeLastSuccessfulSyncDateTime": "0001-01-01T00:00:00Z", "freeStorageSpaceInBytes": 0, "iccid": None, "imei": None,
    "isEncrypted": False, "isSupervised": False, "jailBroken": "Unknown", "lastSyncDateTime": "0001-01-01T00:00:00Z",
    "managedDeviceName": None, "managedDeviceOwnerType": "company", "managementAgent": "mdm",
    "managementCertificateExpirationDate": "0001-01-01T00:00:00Z", "managementState": "managed", "manufacturer": None,
    "meid": None, "model": None, "notes": None, "operatingSystem": None, "osVersion": None, "partnerReportedThreatState": "unknown",
    "phoneNumber": None, "physicalMemoryInBytes": 0, "remoteAssistanceSessionErrorDetails": None,
    "remoteAssistanceSessionUrl": None, "requireUserEnrollmentApproval": None, "serialNumber": None, "subscriberCarrier": None,
    "totalStorageSpaceInBytes": 0, "udid": None, "userDisplayName": None, "userId": None, "userPrincipalName": None,
    "wiFiMacAddress": None,
}

_POLICY_DEFAULTS: dict[str, dict[str, Any]] = {
    "windows10CompliancePolicy": {
        "bitLockerEnabled": False, "codeIntegrityEnabled": False, "earlyLaunchAntiMalwareDriverEnabled": False,
        "mobileOsMaximumVersion": None, "mobileOsMinimumVersion": None, "osMaximumVersion": None, "osMinimumVersion": None,
        "passwordBlockSimple": False, "passwordExpirationDays": None, "passwordMinimumCharacterSetCount": None,
        "passwordMinimumLength": None, "passwordMinutesOfInactivityBeforeLock": None, "passwordPreviousPasswordBlockCount": None,
        "passwordRequired": False, "passwordRequiredToUnlockFromIdle": False, "passwordRequiredType": "deviceDefault",
        "requireHealthyDeviceReport": False, "secureBootEnabled": False, "storageRequireEncryption": False,
    },
    "macOSCompliancePolicy": {
        "deviceThreatProtectionEnabled": False, "deviceThreatProtectionRequiredSecurityLevel": "unavailable",
        "firewallBlockAllIncoming": False, "firewallEnableStealthMode": False, "firewallEnabled": False, "osMaximumVersion": None,
        "osMinimumVersion": None, "passwordBlockSimple": False, "passwordExpirationDays": None, "passwordMinimumCharacterSetCount": None,
        "passwordMinimumLength": None, "passwordMinutesOfInactivityBeforeLock": None, "passwordPreviousPasswordBlockCount": None,
        "passwordRequired": False, "passwordRequiredType": "deviceDefault", "storageRequireEncryption": False,
        "systemIntegrityProtectionEnabled": False,
    },
    "iosCompliancePolicy": {
        "deviceThreatProtectionEnabled": False, "deviceThreatProtectionRequiredSecurityLevel": "unavailable",
        "managedEmailProfileRequired": False, "osMaximumVersion": None, "osMinimumVersion": None, "passcodeBlockSimple": False,
        "passcodeExpirationDays": None, "passcodeMinimumCharacterSetCount": None, "passcodeMinimumLength": None,
        "passcodeMinutesOfInactivityBeforeLock": None, "passcodePreviousPasscodeBlockCount": None, "passcodeRequired": False,
        "passcodeRequiredType": "deviceDefault", "securityBlockJailbrokenDevices": False,
    },
    "androidWorkProfileCompliancePolicy": {
        "deviceThreatProtectionEnabled": False, "deviceThreatProtectionRequiredSecurityLevel": "unavailable",
        "minAndroidSecurityPatchLevel": None, "osMaximumVersion": None, "osMinimumVersion": None, "passwordExpirationDays": None,
        "passwordMinimumLength": None, "passwordMinutesOfInactivityBeforeLock": None, "passwordPreviousPasswordBlockCount": None,
        "passwordRequired": False, "passwordRequiredType": "deviceDefault", "securityBlockJailbrokenDevices": False,
        "securityDisableUsbDebugging": False, "securityPreventInstallAppsFromUnknownSources": False,
        "securityRequireCompanyPortalAppIntegrity": False, "securityRequireGooglePlayServices": False,
        "securityRequireSafetyNetAttestationBasicIntegrity": False, "securityRequireSafetyNetAttestationCertifiedDevice": False,
        "securityRequireUpToDateSecurityProviders": False, "securityRequireVerifyApps": False, "storageRequireEncryption": False,
    },
}


def managed_device(n: int, name: str, owner: dict[str, Any] | None, *, os: str, version: str, state: str, encrypted: bool,
                   last_sync: str, jailbroken: str = "False", management: str = "managed", owner_type: str = "company",
                   agent: str = "mdm", enrolled: str = "2025-03-01T09:00:00Z") -> dict[str, Any]:
    """A managedDevice as GET /deviceManagement/managedDevices returns it (every v1.0 property)."""
    upn = owner["userPrincipalName"] if owner else None
    return {
        **_DEVICE_DEFAULTS,
        "id": f"e5{n:06d}-0000-4000-8000-{n:012d}",
        "userId": owner["id"] if owner else None,
        "deviceName": name,
        "managedDeviceName": f"{(upn or 'shared').split('@')[0]}_{os}_{enrolled[:10].replace('-', '/')}",
        "managedDeviceOwnerType": owner_type,
        "enrolledDateTime": enrolled,
        "lastSyncDateTime": last_sync,
        "operatingSystem": os,
        "complianceState": state,
        "jailBroken": jailbroken,
        "managementAgent": agent,
        "managementState": management,
        "osVersion": version,
        "emailAddress": (owner or {}).get("mail") or upn,
        "azureADDeviceId": f"f6{n:06d}-0000-4000-8000-{n:012d}",
        "azureADRegistered": True,
        "deviceEnrollmentType": "windowsAzureADJoin" if os == "Windows" else "userEnrollment",
        "userDisplayName": (owner or {}).get("displayName"),
        "userPrincipalName": upn,
        "isEncrypted": encrypted,
        "model": {"Windows": "Latitude 7440", "macOS": "MacBookPro18,3", "iOS": "iPhone 15", "Android": "Pixel 8"}.get(os),
        "manufacturer": {"Windows": "Dell Inc.", "macOS": "Apple", "iOS": "Apple", "Android": "Google"}.get(os),
    }


def compliance_policy(n: int, kind: str, name: str, *, assigned: bool = True, **settings: Any) -> dict[str, Any]:
    """A deviceCompliancePolicy of one platform subtype, with its assignments (what
    GET /deviceManagement/deviceCompliancePolicies?$expand=assignments returns)."""
    policy_id = f"a7{n:06d}-0000-4000-8000-{n:012d}"
    body = {
        "@odata.type": f"#microsoft.graph.{kind}",
        "id": policy_id,
        "createdDateTime": "2025-02-01T09:00:00Z",
        "description": name,
        "lastModifiedDateTime": "2026-06-01T09:00:00Z",
        "displayName": name,
        "version": 3,
        **_POLICY_DEFAULTS[kind],
        **settings,
    }
    body["assignments"] = [
        {"id": f"{policy_id}_all", "target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}
    ] if assigned else []
    return body
