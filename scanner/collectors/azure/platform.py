"""Azure / Entra ID's platform descriptor: settings, flags, secret variables, units. SDK-free."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit


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
)
