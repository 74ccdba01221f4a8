"""Settings that point the GCP collector at a running fake, with a static-token credential."""

from __future__ import annotations

from typing import Any

from tests.fakes.gcp.org import NOW
from tests.fakes.gcp.server import FakeGcp

__all__ = ["NOW", "settings_for", "static_credential"]


def static_credential(token: str) -> Any:
    from google.oauth2.credentials import Credentials

    return Credentials(token=token)


def settings_for(fake: FakeGcp, **extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "organization": fake.org.org_id,
        "endpoint_base": fake.url,
        "credential": static_credential(fake.token),
        "domains": ["northwind.dev", "tidewater.io"],
        "retry_backoff": 0,
    }
    settings.update(extra)
    return {k: v for k, v in settings.items() if v is not None}
