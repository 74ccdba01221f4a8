"""Atlassian Cloud's platform descriptor: settings, flags, secrets, units. Imports no HTTP library.

Registry line for ``scanner.collectors.PLATFORMS``:
``"atlassian": "scanner.collectors.atlassian.platform:PLATFORM"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit

OPTIONS: tuple[Option, ...] = (
    Option("org", "string", "Atlassian organization id to audit (admin.atlassian.com/o/<id>)", flag="--atlassian-org", metavar="ORG_ID"),
    Option("sites", "list", "Jira / Confluence sites to audit (SITE in SITE.atlassian.net); repeatable.", flag="--atlassian-site", metavar="SITE"),
    Option("domains", "list", "company domains; accounts outside them are external (default: the organization's verified domains)", flag="--atlassian-domain", metavar="DOMAIN"),
    Option("admin_groups", "list", "groups whose members are site admins (default: site-admins)"),
    Option("authentication_policies", "list", "Authentication policies as set at admin.atlassian.com (the API does not expose them): [{name, sso_enforced, two_step_enforced, members: [emails], default}]."),
    Option("sso_licensed", "boolean", "SSO enforcement is licensed (Atlassian Guard); false: two-step verification is the control (default true)"),
    Option("admin_api_base", "string", "Organizations REST API base (default https://api.atlassian.com/admin; a test double)", flag="--atlassian-admin-api-base", metavar="URL"),
    Option("site_base", "string", "serve each site under BASE/<site> instead of https://<site>.atlassian.net (a test double)", flag="--atlassian-site-base", metavar="URL"),
    Option("max_retries", "integer", "retries on 429 / 5xx per request (default 4)"),
    Option("page_size", "integer", "page size for Jira / Confluence lists (default 50)"),
)


def units(settings: Mapping[str, Any]) -> list[Unit]:
    """One unit: the organization with its sites (accounts join the org's users to each site's
    admins, so they are read together)."""
    org = settings.get("org")
    sites = settings.get("sites") or []
    if isinstance(sites, str):
        sites = [s.strip() for s in sites.split(",") if s.strip()]
    if not org and not sites:
        return []
    key = f"atlassian:org/{org}" if org else f"atlassian:site/{sites[0]}"
    return [Unit("atlassian", key, "atlassian", dict(settings))]


def validate(settings: Mapping[str, Any]) -> object:
    # Imported here: the settings check lives beside the collector (requests is imported only
    # when a session is opened).
    from scanner.collectors.atlassian.collector import validate_settings

    return validate_settings(settings)


PLATFORM = Platform(
    name="atlassian",
    title="Atlassian Cloud (Jira, Confluence)",
    extra="atlassian",
    collector="scanner.collectors.atlassian.collector:AtlassianCollector",
    options=OPTIONS,
    secret_env=("ATLASSIAN_ADMIN_API_KEY", "ATLASSIAN_EMAIL", "ATLASSIAN_API_TOKEN"),
    enable_flag=None,
    required=("org", "sites"),
    account_types=("atlassian.account",),
    units=units,
    validate=validate,
    notes={
        "credentials": "ATLASSIAN_ADMIN_API_KEY: organization admin API key (Bearer) for the Organizations REST API; ATLASSIAN_EMAIL + ATLASSIAN_API_TOKEN: an Atlassian account's API token (Basic) for Jira and Confluence",
        "roles": "org admin API key (read scopes where scoped); a site account with Administer Jira (or site admin), Browse users and groups, Browse Projects, Confluence 'Can use' + View on spaces",
    },
)
