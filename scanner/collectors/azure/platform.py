"""Azure / Entra ID's platform descriptor: settings (``AzureSettings`` and its one parser), flags, secret
variables, units. SDK-free."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Both SDK-free: the endpoints of each cloud, and the environment rule the mapping applies.
from scanner.collectors.azure import mapping
from scanner.collectors.azure.client import CLOUDS, Cloud, check_https
from scanner.collectors.descriptor import Option, Platform, Unit
from scanner.errors import ConfigError

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class AzureSettings:
    """The validated ``azure`` settings (flags --azure-*, or the azure: section of posture.yaml).

    ``credential`` is an injected azure-core TokenCredential (tests, embedding); None: the default chain.
    """

    tenant: str | None
    subscriptions: tuple[str, ...]
    cloud: Cloud
    arm_url: str
    graph_url: str
    ca_bundle: str | None
    credential: Any
    retry_backoff: float
    max_retries: int
    environment: mapping.EnvironmentRule = mapping.EnvironmentRule()



def parse_settings(settings: Mapping[str, Any]) -> AzureSettings:
    """Validate the ``azure`` settings; every problem is a ConfigError naming the key. The one parser:
    config validation (``validate=``) and the collector both use it."""
    tenant = settings.get("tenant")
    if tenant is not None and (not isinstance(tenant, str) or not tenant.strip()):
        raise ConfigError("azure.tenant must be a tenant id or domain (e.g. contoso.onmicrosoft.com)")
    subs = settings.get("subscriptions") or []
    if isinstance(subs, str) or not isinstance(subs, (list, tuple)):
        raise ConfigError("azure.subscriptions must be a list of subscription ids")
    for sub in subs:
        if not isinstance(sub, str) or not _GUID.match(sub):
            raise ConfigError(f"azure.subscriptions: {sub!r} is not a subscription id (a GUID)")
    cloud_name = settings.get("cloud") or "public"
    if cloud_name not in CLOUDS:
        raise ConfigError(f"azure.cloud must be one of {', '.join(CLOUDS)}, not {cloud_name!r}")
    cloud = CLOUDS[cloud_name]
    arm_url = check_https("arm_url", settings["arm_url"]) if settings.get("arm_url") else cloud.arm_url
    graph_url = check_https("graph_url", settings["graph_url"]) if settings.get("graph_url") else cloud.graph_url
    ca_bundle = settings.get("ca_bundle")
    if ca_bundle is not None:
        ca_bundle = str(ca_bundle)
        if not os.path.isfile(ca_bundle):
            raise ConfigError(f"azure.ca_bundle: no such file {ca_bundle}")
    credential = settings.get("credential")
    if credential is not None and not callable(getattr(credential, "get_token", None)):
        raise ConfigError("azure.credential must be an azure-core TokenCredential (with get_token)")
    backoff = settings.get("retry_backoff", 0.8)
    if not isinstance(backoff, (int, float)) or isinstance(backoff, bool) or backoff < 0:
        raise ConfigError("azure.retry_backoff must be a number of seconds >= 0")
    retries = settings.get("max_retries", 3)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ConfigError("azure.max_retries must be a whole number >= 0")
    tags = settings.get("environment_tags")
    if tags is None:
        tags = list(mapping.DEFAULT_ENVIRONMENT_TAGS)
    if isinstance(tags, str) or not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ConfigError("azure.environment_tags must be a list of tag names (e.g. [environment, env])")
    patterns: dict[str, re.Pattern[str] | None] = {}
    for key in ("production_name_pattern", "nonproduction_name_pattern"):
        value = settings.get(key)
        if value is None:
            patterns[key] = None
            continue
        if not isinstance(value, str) or not value:
            raise ConfigError(f"azure.{key} must be a regular expression matched against subscription names")
        try:
            patterns[key] = re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"azure.{key}: {value!r} is not a regular expression ({exc})") from None
    return AzureSettings(
        environment=mapping.EnvironmentRule(
            tuple(t.strip() for t in tags), patterns["production_name_pattern"], patterns["nonproduction_name_pattern"]
        ),
        tenant=tenant.strip() if isinstance(tenant, str) else None,
        subscriptions=tuple(s.lower() for s in subs),
        cloud=cloud,
        arm_url=arm_url,
        graph_url=graph_url,
        ca_bundle=ca_bundle,
        credential=credential,
        retry_backoff=float(backoff),
        max_retries=retries,
    )


def _units(settings: Mapping[str, Any]) -> list[Unit]:
    """The tenant is one unit; each named subscription another (unnamed ones are discovered)."""
    tenant = str(settings.get("tenant") or "default")
    credential = f"azure:{tenant}"
    units = [Unit("azure", f"azure:tenant:{tenant}", credential, {**settings, "subscriptions": []})]
    units += [Unit("azure", f"azure:subscription:{s}", credential, {**settings, "subscriptions": [s]})
              for s in settings.get("subscriptions") or ()]
    return units


PLATFORM = Platform(
    name="azure",
    title="Azure",
    extra="azure",
    collector="scanner.collectors.azure.collector:AzureCollector",
    options=(
        Option("enabled", "boolean", "Audit every readable Azure subscription and the Entra tenant.", flag="--azure"),
        Option("tenant", "string", "Entra tenant id or domain.", flag="--azure-tenant", metavar="TENANT"),
        Option("subscriptions", "list", "Only this subscription (repeatable).", flag="--azure-subscription",
               metavar="ID"),
        Option("cloud", "string", "Sovereign cloud (default public).", flag="--azure-cloud",
               choices=("public", "usgov", "china")),
        Option("arm_url", "string", "Override the Resource Manager endpoint.", flag="--azure-arm-url", metavar="URL"),
        Option("graph_url", "string", "Override the Microsoft Graph endpoint.", flag="--azure-graph-url", metavar="URL"),
        Option("ca_bundle", "string", "CA bundle to verify the Azure endpoints with.", flag="--azure-ca-bundle",
               path=True),
        # Which subscriptions are production: the first of these tags present decides, else the
        # name patterns (file-only: set once per estate, not per run).
        Option("environment_tags", "list", "Subscription tag names read as the environment, first found wins "
               "(default: environment, env, stage)."),
        Option("production_name_pattern", "string", "Regular expression: a subscription whose name matches is "
               "production when no environment tag says otherwise."),
        Option("nonproduction_name_pattern", "string", "Regular expression: a subscription whose name matches is "
               "not production when no environment tag says otherwise."),
    ),
    secret_env=("AZURE_CLIENT_SECRET",),
    enable_flag="--azure",
    account_types=("azure.user",),
    units=_units,
    cis_benchmark="CIS Microsoft Azure Foundations Benchmark",
    validate=parse_settings,
)
