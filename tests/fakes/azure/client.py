"""What a test needs to point the collector at the fake: a static-token credential and settings."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from tests.fakes.azure.server import FakeAzure

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


class StaticToken:
    """azure-core AccessToken shape."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.expires_on = int(time.time()) + 3600


class StaticTokenCredential:
    """A TokenCredential that always returns the same token, and records what it was asked."""

    def __init__(self, token: str) -> None:
        self._token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> StaticToken:
        self.scopes.append(scopes)
        return StaticToken(self._token)


def settings_for(fake: FakeAzure, **extra: Any) -> dict[str, Any]:
    return {
        "tenant": None,
        "subscriptions": [],
        "cloud": "public",
        "arm_url": fake.url,
        "graph_url": fake.url,
        "ca_bundle": fake.ca_path,
        "credential": StaticTokenCredential(fake.token),
        "retry_backoff": 0.01,
        "max_retries": 2,
        **extra,
    }


