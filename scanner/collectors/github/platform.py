"""GitHub's platform descriptor: settings, flags, secret variables, units. SDK-free (no requests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit


def _units(settings: Mapping[str, Any]) -> list[Unit]:
    """One unit per organization; they share the token's (or the App's) rate budget."""
    url = str(settings.get("url") or "https://api.github.com")
    credential = f"github:app:{settings['app_id']}" if settings.get("app_id") else f"github:token@{url}"
    return [Unit("github", f"github:{org}", credential, {**settings, "orgs": [org]}) for org in settings.get("orgs") or ()]


PLATFORM = Platform(
    name="github",
    title="GitHub",
    extra="github",
    collector="scanner.collectors.github.collector:GitHubCollector",
    options=(
        Option("orgs", "list", "GitHub organization to audit (repeatable).", flag="--github-org", metavar="ORG"),
        Option("url", "string", "REST base URL for GitHub Enterprise Server / ghe.com (https://HOST/api/v3).",
               flag="--github-url", metavar="URL"),
        Option("token_file", "string", "File holding a GitHub token (else GITHUB_TOKEN / GH_TOKEN).",
               flag="--github-token-file", path=True),
        Option("app_id", "string_or_integer", "Authenticate as this GitHub App instead of a token.",
               flag="--github-app-id", metavar="ID"),
        Option("app_key_file", "string", "The GitHub App's private key (PEM file).", flag="--github-app-key", path=True),
        Option("app_installation_id", "string_or_integer", "App installation id (default: found per org).",
               flag="--github-app-installation", metavar="ID"),
        Option("repos", "string", "Only repositories whose name matches this glob.", flag="--repos", metavar="PATTERN"),
        Option("skip_archived", "boolean", "Leave archived repositories out.", flag="--skip-archived"),
        Option("cache_dir", "string", "Directory for the HTTP ETag cache of this platform.", path=True),
        Option("critical_topics", "list",
               "Repository topics marking critical repos that need 2 approvals (default critical,production).",
               flag="--github-critical-topics", metavar="TOPICS", csv=True),
    ),
    secret_env=("GITHUB_TOKEN", "GH_TOKEN"),
    required=("orgs",),
    account_types=("github.member",),
    units=_units,
    cis_benchmark="CIS GitHub Benchmark",
    notes={"required": "github: name at least one organization with --github-org ORG (or github.orgs in the config)"},
)
