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
from scanner.http import RateLimitSpent
from tests.fakes.github import OWNER_TOKEN, FakeGitHub, default_world
from tests.fakes.github.fixtures import make_large_org

SECRET = "ghp_SuperSecretToken000000000000000001"


def client_for(server: FakeGitHub, *, sleeps: list[float] | None = None, patience: float = 900.0,
               token: str = OWNER_TOKEN) -> GitHubClient:
    """A client on the fake whose waits are recorded instead of slept (retries' backoff too)."""
    record = sleeps if sleeps is not None else []
    return GitHubClient(rest_url=server.url, credential=TokenCredential(token), counter=CallCounter(),
                        sleep=record.append, patience=patience)


def test_errors_are_redacted_and_classified() -> None:
    world = default_world()
    world.tokens[SECRET] = world.tokens[OWNER_TOKEN]
    with FakeGitHub(world) as server:
        server.inject_body("/user", {"message": f"Bad credentials for {SECRET}"}, status=401)
        server.inject_body("/orgs/acme/hooks", {"message": "Resource not accessible by integration"}, status=403)
        client = client_for(server, token=SECRET)
        with pytest.raises(GitHubAuthError) as auth:
            client.get_json("/user")
        assert SECRET not in str(auth.value) and "***" in str(auth.value)
        with pytest.raises(GitHubNotAllowed) as forbidden:
            client.get_json("/orgs/{org}/hooks", org="acme")
        assert forbidden.value.status == 403 and forbidden.value.endpoint == "GET /orgs/{org}/hooks"
        with pytest.raises(GitHubNotAllowed) as missing:
            client.get_json("/orgs/{org}/hooks", org="acme")
        assert missing.value.status == 404


def test_primary_limit_on_success_pauses_the_next_request_until_reset() -> None:
    with FakeGitHub() as server:
        server.set_rate_limit(OWNER_TOKEN, remaining=1, reset_in=30)
        sleeps: list[float] = []
        client = client_for(server, sleeps=sleeps)
        client.get_json("/user")  # answered with X-RateLimit-Remaining: 0, reset in 30 s
        assert sleeps == []
        server.set_rate_limit(OWNER_TOKEN, remaining=100)  # what the reset would do
        client.get_json("/user")
        assert len(sleeps) == 1 and 28 <= sleeps[0] <= 32, sleeps


def test_a_wait_beyond_patience_stops_the_credential_instead_of_hanging() -> None:
    with FakeGitHub() as server:
        server.inject_body("/orgs/acme", {"message": "You have exceeded a secondary rate limit."}, status=403,
                           headers={"Retry-After": "3600"})
        sleeps: list[float] = []
        client = client_for(server, sleeps=sleeps, patience=60)
        with pytest.raises(RateLimitSpent) as info:
            client.get_json("/orgs/{org}", org="acme")
        assert "rate limit" in str(info.value) and "re-run after the reset" in str(info.value)
        assert OWNER_TOKEN not in str(info.value)
        with pytest.raises(RateLimitSpent):
            client.get_json("/user")
        assert len(server.requests) == 1 and sleeps == []  # nothing more was sent, nothing waited


def test_secondary_limit_without_header_waits_a_minute_then_retries() -> None:
    with FakeGitHub() as server:
        server.inject_body("/orgs/northwind-labs", {"message": "You have exceeded a secondary rate limit."}, status=403)
        sleeps: list[float] = []
        assert client_for(server, sleeps=sleeps).get_json("/orgs/{org}", org="northwind-labs")["login"] == "northwind-labs"
        assert len(sleeps) == 1 and 59.9 <= sleeps[0] <= 60.0, sleeps


def test_5xx_retried_three_times_with_backoff_then_api_error() -> None:
    with FakeGitHub() as server:
        server.inject("/orgs/acme", status=502, times=None)
        sleeps: list[float] = []
        client = client_for(server, sleeps=sleeps)
        with pytest.raises(GitHubApiError) as info:
            client.get_json("/orgs/{org}", org="acme")
        assert info.value.status == 502 and len(server.requests) == 4
        assert client.counter.snapshot() == {"GET /orgs/{org}": 4}
        # urllib3's exponential backoff with jitter: 0, then about 0.5 s, then about 1 s.
        assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 0.75 and 1.0 <= sleeps[1] <= 1.25, sleeps


def test_a_next_link_to_another_host_is_refused_before_sending() -> None:
    with FakeGitHub() as server, FakeGitHub() as elsewhere:
        server.inject_body("/orgs/northwind-labs/members", [{"login": "ana-silva", "id": 1}],
                           headers={"Link": f'<{elsewhere.url}/orgs/northwind-labs/members?page=2>; rel="next"'})
        with pytest.raises(GitHubApiError) as info:
            client_for(server).paginate("/orgs/{org}/members", org="northwind-labs")
        assert "another host" in str(info.value) and elsewhere.requests == []


def test_client_refuses_writes() -> None:
    client = GitHubClient(rest_url="https://api.github.com", credential=TokenCredential(SECRET), counter=CallCounter())
    with pytest.raises(AssertionError):
        client.graphql("mutation { addStar(input: {starrableId: \"x\"}) { clientMutationId } }")
    with pytest.raises(AssertionError):
        client.request_without_credential("POST", "/orgs/{org}/hooks", "Bearer x", org="acme")


def test_link_pagination_reads_every_page_at_100_per_page() -> None:
    org = make_large_org(repos=230, members=5, teams=1, login="bigcorp")
    world = default_world([org])
    org.members.append(type(org.members[0])("ana-silva", role="admin"))
    with FakeGitHub(world, validate=True) as server:
        client = GitHubClient(rest_url=server.url, credential=TokenCredential(OWNER_TOKEN), counter=CallCounter())
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
