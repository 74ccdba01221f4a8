"""The Intune platform's declaration (see scanner/collectors/descriptor.py). Imports no SDK.

Registry line for ``scanner.collectors.PLATFORMS``:
``"intune": "scanner.collectors.intune.platform:PLATFORM"``.

Managed devices are one *device source*; the descriptor leaves room for others (Jamf Pro is the
next: its Classic and Pro APIs list computers and mobile devices with FileVault state, OS version
and last check-in), each mapping onto the same ``*.device`` attribute vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit


def _units(settings: Mapping[str, Any]) -> list[Unit]:
    tenant = settings.get("tenant") or "default"
    # One Entra tenant; it spends the same Graph budget as the Entra collector of that tenant.
    return [Unit("intune", f"intune:{tenant}", f"azure-graph:{tenant}", settings)]


def _validate(settings: Mapping[str, Any]) -> object:
    # Imported here: the settings check lives beside the collector.
    from scanner.collectors.intune.collector import IntuneCollector

    return IntuneCollector.validate_settings(settings)


PLATFORM = Platform(
    name="intune",
    title="Microsoft Intune (managed devices)",
    extra="intune",
    collector="scanner.collectors.intune.collector:IntuneCollector",
    options=(
        Option("enabled", "boolean", "Audit the Intune managed devices and compliance policies of the tenant.", flag="--intune"),
        Option("tenant", "string", "Entra tenant id or domain (default: the credential's).", flag="--intune-tenant", metavar="TENANT"),
        Option("cloud", "string", "Sovereign cloud (default public).", flag="--intune-cloud", choices=("public", "usgov", "china")),
        Option("graph_url", "string", "Override the Microsoft Graph endpoint.", flag="--intune-graph-url", metavar="URL"),
        Option("ca_bundle", "string", "CA bundle to verify the Graph endpoint with.", flag="--intune-ca-bundle", metavar="FILE", path=True),
    ),
    secret_env=("AZURE_CLIENT_SECRET", "AZURE_PASSWORD"),
    enable_flag="--intune",
    account_types=(),  # a device is not an account: a device kind (types/intune.py ACCOUNT_KINDS) links it by owner
    units=_units,
    validate=_validate,
    notes={
        "permissions": "Microsoft Graph application permissions DeviceManagementManagedDevices.Read.All and "
        "DeviceManagementConfiguration.Read.All, and User.Read.All (whether each device owner's account is enabled), "
        "with admin consent, and an Intune licence in the tenant",
        "sign_in": "the same as --azure: azure-identity's DefaultAzureCredential (az login, AZURE_CLIENT_* variables, managed identity)",
        "other_device_sources": "Jamf Pro (macOS and iOS fleets) is the next device source the descriptor leaves room for",
    },
)
