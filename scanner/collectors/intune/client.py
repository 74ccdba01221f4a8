"""Sign-in and the Graph client for Intune: the same as the Entra collector's.

Intune is read through Microsoft Graph v1.0 (``/deviceManagement/...``) with the token the Azure
collector uses (azure-identity's DefaultAzureCredential, Graph audience), the same GET-only
``GraphClient`` (paging over ``@odata.nextLink``, throttling, token kept on the Graph host), and
the same cloud table, so ``--intune`` works wherever ``--azure`` signs in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scanner.collectors.azure.client import CLOUDS, AccessToken, Cloud, GraphClient
from scanner.collectors.azure.collector import TenantCredential
from scanner.collectors.base import CallCounter

# Graph application permissions the collector needs (read-only; admin consent).
PERMISSIONS = ("DeviceManagementManagedDevices.Read.All", "DeviceManagementConfiguration.Read.All", "User.Read.All")

# The fields of a managedDevice the collector reads: no IMEI, serial or phone number.
DEVICE_FIELDS = (
    "id,deviceName,managedDeviceName,operatingSystem,osVersion,complianceState,isEncrypted,jailBroken,"
    "lastSyncDateTime,enrolledDateTime,userPrincipalName,emailAddress,userId,managementAgent,"
    "managementState,managedDeviceOwnerType,azureADDeviceId"
)


def credential(explicit: Any, *, tenant: str | None, cloud: Cloud, environ: Mapping[str, str]) -> Any:
    """The injected credential (tests), else DefaultAzureCredential for the cloud; pinned to ``tenant``."""
    chosen = explicit
    if chosen is None:
        from azure.identity import DefaultAzureCredential

        kwargs: dict[str, Any] = {}
        if not environ.get("AZURE_AUTHORITY_HOST"):
            kwargs["authority"] = cloud.authority_host
        if tenant:
            kwargs["additionally_allowed_tenants"] = [tenant]
        chosen = DefaultAzureCredential(**kwargs)
    return TenantCredential(chosen, tenant) if tenant else chosen


def graph_client(
    *, token: AccessToken, base_url: str, counter: CallCounter, verify: str | bool, max_retries: int, backoff: float,
    on_wait: Callable[[str], None],
) -> GraphClient:
    import requests

    return GraphClient(
        token=token, base_url=base_url, session=requests.Session(), counter=counter, verify=verify,
        max_retries=max_retries, backoff=backoff, on_wait=on_wait,
    )


__all__ = ["CLOUDS", "DEVICE_FIELDS", "PERMISSIONS", "AccessToken", "credential", "graph_client"]
