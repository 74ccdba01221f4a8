"""The thin GitHub client and the App credential, with injected sessions and clocks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from scanner.collectors.base import CallCounter
from scanner.collectors.github.auth import AppInstallationCredential, TokenCredential
from scanner.collectors.github.client import GitHubApiError, GitHubAuthError, GitHubClient, GitHubNotAllowed
from tests.fakes.github import OWNER_TOKEN, FakeGitHub, default_world
from tests.fakes.github.fixtures import make_large_org

SECRET = "ghp_SuperSecretToken000000000000000001"


class ScriptedSession(requests.Session):
    """Answers requests from a script of (status, headers, body) and records what was asked."""

    def __init__(self, script: list[tuple[int, dict[str, str], Any]]) -> None:
        super().__init__()
        self.script = list(script)
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append((method, url, dict(kwargs.get("headers") or {})))
        status, headers, body = self.script.pop(0)
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = json.dumps(body).encode() if body is not None else b""
        response.url = url
        return response


def client_for(session: requests.Session, *, sleeps: list[float] | None = None, now: float = 1_000_000.0,
               patience: float = 900.0) -> GitHubClient:
    clock = [now]

    def sleep(seconds: float) -> None:
        (sleeps if sleeps is not None else []).append(seconds)
        clock[0] += seconds

    return GitHubClient(rest_url="https://api.github.com", credential=TokenCredential(SECRET), session=session,
                        counter=CallCounter(), sleep=sleep, wall_clock=lambda: clock[0], patience=patience)


def test_errors_are_redacted_and_classified() -> None:
    session = ScriptedSession([
        (401, {}, {"message": f"Bad credentials for {SECRET}"}),
        (403, {}, {"message": "Resource not accessible by integration"}),
        (404, {}, {"message": "Not Found"}),
    ])
    client = client_for(session)
    with pytest.raises(GitHubAuthError) as auth:
        client.get_json("/user")
    assert SECRET not in str(auth.value) and "***" in str(auth.value)
    with pytest.raises(GitHubNotAllowed) as forbidden:
        client.get_json("/orgs/{org}/hooks", org="acme")
    assert forbidden.value.status == 403 and forbidden.value.endpoint == "GET /orgs/{org}/hooks"
    with pytest.raises(GitHubNotAllowed):
        client.get_json("/orgs/{org}/hooks", org="acme")
    assert session.sent[0][2]["Authorization"] == f"token {SECRET}"


def test_primary_limit_on_success_pauses_the_next_request_until_reset() -> None:
    now = 1_000_000.0
    session = ScriptedSession([
        (200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(now) + 30)}, {"login": "ana"}),
        (200, {}, {"login": "ana"}),
    ])
    sleeps: list[float] = []
    client = client_for(session, sleeps=sleeps, now=now)
    client.get_json("/user")
    assert sleeps == []
    client.get_json("/user")
    assert sleeps == [31.0]


def test_a_wait_beyond_patience_fails_instead_of_hanging() -> None:
    session = ScriptedSession([(403, {"Retry-After": "3600"}, {"message": "secondary rate limit"})])
    with pytest.raises(GitHubApiError) as info:
        client_for(session, patience=60).get_json("/orgs/{org}", org="acme")
    assert "rate limit" in str(info.value) and "--cache" in str(info.value)


def test_secondary_limit_without_header_waits_a_minute_then_retries() -> None:
    session = ScriptedSession([
        (403, {}, {"message": "You have exceeded a secondary rate limit."}),
        (200, {}, {"login": "acme"}),
    ])
    sleeps: list[float] = []
    assert client_for(session, sleeps=sleeps).get_json("/orgs/{org}", org="acme") == {"login": "acme"}
    assert sleeps == [60.0]


def test_5xx_retried_three_times_then_api_error() -> None:
    session = ScriptedSession([(502, {}, {"message": "Bad Gateway"})] * 4)
    with pytest.raises(GitHubApiError) as info:
        client_for(session).get_json("/orgs/{org}", org="acme")
    assert info.value.status == 502 and len(session.sent) == 4


def test_client_refuses_writes() -> None:
    client = client_for(ScriptedSession([]))
    with pytest.raises(AssertionError):
        client.graphql("mutation { addStar(input: {starrableId: \"x\"}) { clientMutationId } }")
    with pytest.raises(AssertionError):
        client.request_without_credential("POST", "/orgs/{org}/hooks", "Bearer x", org="acme")


def test_link_pagination_reads_every_page_at_100_per_page() -> None:
    org = make_large_org(repos=230, members=5, teams=1, login="bigcorp")
    world = default_world([org])
    org.members.append(type(org.members[0])("ana-silva", role="admin"))
    with FakeGitHub(world, validate=True) as server:
        client = GitHubClient(rest_url=server.url, credential=TokenCredential(OWNER_TOKEN), session=requests.Session(),
                              counter=CallCounter())
        repos = client.paginate("/orgs/{org}/repos", {"type": "all"}, org="bigcorp")
        assert len(repos) == 230 and len({r["name"] for r in repos}) == 230
        assert client.counter.snapshot() == {"GET /orgs/{org}/repos": 3}
        assert all(r.query.get("per_page") == ["100"] for r in server.requests)


class _ExchangeClient:
    """Stands in for GitHubClient in the App credential: records the token exchanges."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.issued = 0

    def request_without_credential(self, method: str, template: str, authorization: str, **path: str) -> Any:
        assert authorization.startswith("Bearer ey")
        self.calls.append((method, template))
        if method == "GET":
            return {"id": 77}
        self.issued += 1
        expires = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc) + timedelta(hours=self.issued - 1)
        return {"token": f"ghs_token{self.issued}", "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_app_credential_refreshes_the_installation_token_before_expiry() -> None:
    from tests.fakes.github.fixtures import app_key_pair

    now = [datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)]
    credential = AppInstallationCredential(app_id="42", private_key=app_key_pair()[0], org="acme", clock=lambda: now[0])
    exchange = _ExchangeClient()
    assert credential.authorization(exchange) == "token ghs_token1"  # type: ignore[arg-type]
    now[0] += timedelta(minutes=50)
    assert credential.authorization(exchange) == "token ghs_token1"  # type: ignore[arg-type]
    now[0] += timedelta(minutes=6)  # 4 minutes before expiry: inside the refresh margin
    assert credential.authorization(exchange) == "token ghs_token2"  # type: ignore[arg-type]
    assert exchange.calls == [("GET", "/orgs/{org}/installation"),
                              ("POST", "/app/installations/{installation_id}/access_tokens"),
                              ("POST", "/app/installations/{installation_id}/access_tokens")]
    assert "ghs_token2" in credential.secrets()
    assert credential.describe() == "GitHub App 42 installation 77"
