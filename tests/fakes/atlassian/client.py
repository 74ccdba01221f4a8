"""Settings and environment that point the Atlassian collector at a running fake."""

from __future__ import annotations

from typing import Any

from tests.fakes.atlassian.org import NOW
from tests.fakes.atlassian.server import FakeAtlassian

__all__ = ["NOW", "environ_for", "settings_for"]


def settings_for(fake: FakeAtlassian, **extra: Any) -> dict[str, Any]:
    org = fake.org
    settings: dict[str, Any] = {
        "org": org.org_id,
        "sites": [site.name for site in org.sites],
        "admin_api_base": fake.admin_base,
        "site_base": fake.site_base,
        "domains": [name for name, status in org.domains if status == "verified"],
        "authentication_policies": [dict(p) for p in org.authentication_policies],
        "sso_licensed": bool(org.extra.get("sso_licensed", True)),
        "retry_backoff": 0,
    }
    settings.update(extra)
    return {k: v for k, v in settings.items() if v is not None}


def environ_for(fake: FakeAtlassian, **overrides: str | None) -> dict[str, str]:
    env = {
        "ATLASSIAN_ADMIN_API_KEY": fake.org.admin_key,
        "ATLASSIAN_EMAIL": fake.org.email,
        "ATLASSIAN_API_TOKEN": fake.org.api_token,
    }
    env.update({k: v for k, v in overrides.items() if v is not None})
    return {k: v for k, v in env.items() if k not in {o for o, v in overrides.items() if v is None}}
