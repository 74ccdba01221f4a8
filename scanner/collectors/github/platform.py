"""GitHub's platform descriptor: settings (``GitHubSettings`` and its one parser), flags, secret variables,
units. SDK-free (no requests)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit
from scanner.errors import ConfigError

DEFAULT_REST_URL = "https://api.github.com"
DEFAULT_CRITICAL_TOPICS = ("critical", "production")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


def graphql_url_for(rest_url: str) -> str:
    """GraphQL endpoint for a REST base URL: api.github.com -> /graphql, GHES /api/v3 -> /api/graphql."""
    base = rest_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base[: -len("/api/v3")] + "/api/graphql"
    return base + "/graphql"


@dataclass(frozen=True)
class GitHubSettings:
    """The validated ``github`` section of the configuration."""

    orgs: tuple[str, ...]
    url: str = DEFAULT_REST_URL
    token_file: Path | None = None
    app_id: str | None = None
    app_key_file: Path | None = None
    app_installation_id: str | None = None
    repos: tuple[str, ...] = ()
    skip_archived: bool = False
    cache_dir: Path | None = None
    critical_topics: tuple[str, ...] = DEFAULT_CRITICAL_TOPICS

    @property
    def graphql_url(self) -> str:
        return graphql_url_for(self.url)


def parse_settings(raw: Mapping[str, Any]) -> GitHubSettings:
    """Validate the ``github`` settings; every problem is a ConfigError naming the key. The one parser:
    config validation (``validate=``) and the collector both use it."""
    orgs_value = raw.get("orgs")
    if isinstance(orgs_value, str):
        orgs_value = [orgs_value]
    if not orgs_value or not isinstance(orgs_value, (list, tuple)):
        raise ConfigError("github.orgs: name at least one organization (--github-org ORG)")
    orgs: list[str] = []
    for org in orgs_value:
        if not isinstance(org, str) or not _LOGIN.match(org):
            raise ConfigError(f"github.orgs: {org!r} is not a GitHub organization login")
        if org not in orgs:
            orgs.append(org)

    url = raw.get("url") or DEFAULT_REST_URL
    if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
        raise ConfigError(f"github.url: {url!r} is not an http(s) URL (e.g. https://github.example.com/api/v3)")

    def path_or_none(key: str) -> Path | None:
        value = raw.get(key)
        if value in (None, ""):
            return None
        if not isinstance(value, (str, Path)):
            raise ConfigError(f"github.{key}: expected a file path, got {type(value).__name__}")
        return Path(value).expanduser()

    repos_value = raw.get("repos")
    if repos_value in (None, ""):
        repos: tuple[str, ...] = ()
    elif isinstance(repos_value, str):
        repos = tuple(p.strip() for p in repos_value.split(",") if p.strip())
    elif isinstance(repos_value, (list, tuple)) and all(isinstance(p, str) for p in repos_value):
        repos = tuple(repos_value)
    else:
        raise ConfigError("github.repos: expected a glob on repository names, e.g. 'api-*'")

    skip_archived = raw.get("skip_archived", False)
    if not isinstance(skip_archived, bool):
        raise ConfigError("github.skip_archived: expected true or false")

    topics_value = raw.get("critical_topics", DEFAULT_CRITICAL_TOPICS)
    if isinstance(topics_value, str):
        topics_value = [topics_value]
    if not isinstance(topics_value, (list, tuple)) or not all(isinstance(t, str) for t in topics_value):
        raise ConfigError("github.critical_topics: expected a list of repository topics")

    app_id = raw.get("app_id")
    if app_id is not None and not re.match(r"^\d+$", str(app_id)):
        raise ConfigError(f"github.app_id: {app_id!r} is not a numeric GitHub App id")
    installation = raw.get("app_installation_id")
    if installation is not None and not re.match(r"^\d+$", str(installation)):
        raise ConfigError(f"github.app_installation_id: {installation!r} is not a numeric installation id")
    app_key_file = path_or_none("app_key_file")
    if app_id is not None and app_key_file is None:
        raise ConfigError("github.app_key_file: a GitHub App needs its private key file (--github-app-key FILE)")

    cache_dir = path_or_none("cache_dir")  # None: the collector uses the run's cache directory
    return GitHubSettings(
        orgs=tuple(orgs),
        url=url.rstrip("/"),
        token_file=path_or_none("token_file"),
        app_id=str(app_id) if app_id is not None else None,
        app_key_file=app_key_file,
        app_installation_id=str(installation) if installation is not None else None,
        repos=repos,
        skip_archived=skip_archived,
        cache_dir=cache_dir,
        critical_topics=tuple(topics_value),
    )




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
    validate=parse_settings,
    notes={"required": "github: name at least one organization with --github-org ORG (or github.orgs in the config)"},
)
