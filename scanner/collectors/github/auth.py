"""Credentials for the GitHub collector: a personal access token, or a GitHub App installation.

The App path uses PyGithub's ``github.Auth.AppAuth`` to sign the App JWT (RS256, iat skewed 60 s
back as GitHub recommends), then exchanges it for an installation token per organization:
``GET /orgs/{org}/installation`` (unless the installation id is given) and
``POST /app/installations/{id}/access_tokens``, the one non-GraphQL POST the collector makes.
Installation tokens live one hour; the credential refreshes it five minutes before expiry so a
long scan never runs on an expired token. Tokens are kept in memory only.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from scanner.collectors.base import parse_time
from scanner.errors import AuthError, ConfigError

if TYPE_CHECKING:
    from scanner.collectors.github.client import GitHubClient

REFRESH_MARGIN = timedelta(minutes=5)


class TokenCredential:
    """A classic or fine-grained personal access token (or any OAuth token)."""

    def __init__(self, token: str) -> None:
        self._token = token.strip()
        if not self._token:
            raise ConfigError("the GitHub token is empty; set GITHUB_TOKEN or pass --github-token-file")

    def authorization(self, client: GitHubClient) -> str:
        return f"token {self._token}"

    def secrets(self) -> tuple[str, ...]:
        return (self._token,)

    def cache_label(self) -> str:
        # A digest, never the token: GitHub varies answers by who asks, the cache must too.
        return "pat:" + hashlib.sha256(self._token.encode()).hexdigest()[:16]

    def describe(self) -> str:
        return "token"


class AppInstallationCredential:
    """A GitHub App acting as its installation on one organization."""

    def __init__(
        self,
        *,
        app_id: str,
        private_key: str,
        org: str,
        installation_id: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        from github import Auth  # PyGithub: imported here so the module loads without the extra

        try:
            self._app_auth = Auth.AppAuth(app_id, private_key)
        except (ValueError, AssertionError) as exc:
            raise ConfigError(f"GitHub App {app_id}: the private key (--github-app-key) is not usable") from exc
        self.app_id = str(app_id)
        self.org = org
        self.installation_id = installation_id
        self._private_key = private_key
        self._clock = clock
        self._token: str | None = None
        self._expires_at: datetime | None = None
        self._lock = threading.Lock()

    def _jwt(self) -> str:
        try:
            return str(self._app_auth.token)
        except Exception as exc:  # PyJWT/cryptography raise many types for a bad key
            raise AuthError(
                f"GitHub App {self.app_id}: cannot sign the App JWT with the private key ({type(exc).__name__}); "
                "check --github-app-key"
            ) from None

    def authorization(self, client: GitHubClient) -> str:
        with self._lock:
            now = self._clock()
            if self._token is None or self._expires_at is None or now >= self._expires_at - REFRESH_MARGIN:
                self._exchange(client, now)
            return f"token {self._token}"

    def _exchange(self, client: GitHubClient, now: datetime) -> None:
        from scanner.collectors.github.client import GitHubNotAllowed

        jwt = self._jwt()
        bearer = f"Bearer {jwt}"
        try:
            if self.installation_id is None:
                installation = client.request_without_credential(
                    "GET", "/orgs/{org}/installation", bearer, org=self.org
                )
                self.installation_id = str(installation["id"])
            answer = client.request_without_credential(
                "POST", "/app/installations/{installation_id}/access_tokens", bearer,
                installation_id=self.installation_id,
            )
        except GitHubNotAllowed as exc:
            raise AuthError(
                f"GitHub App {self.app_id} is not installed on organization {self.org} (or cannot act there): "
                f"HTTP {exc.status}; install the App on the organization or pass --github-app-installation"
            ) from None
        except (KeyError, TypeError) as exc:
            raise AuthError(f"GitHub App {self.app_id}: unexpected answer to the installation lookup") from exc
        token = answer.get("token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError(f"GitHub App {self.app_id}: the installation token exchange returned no token")
        self._token = token
        self._expires_at = parse_time(answer.get("expires_at")) or now + timedelta(hours=1)

    def secrets(self) -> tuple[str, ...]:
        values = [self._private_key]
        if self._token:
            values.append(self._token)
        return tuple(values)

    def cache_label(self) -> str:
        return f"app:{self.app_id}:{self.org}"

    def describe(self) -> str:
        return f"GitHub App {self.app_id}" + (f" installation {self.installation_id}" if self.installation_id else "")


