"""The Microsoft Graph client on the one HTTP seam (scanner.http.Transport), against the fake Graph."""

from __future__ import annotations

import pytest
import requests

from scanner.collectors.azure.client import AccessToken, GraphApiError, GraphClient, GraphPermissionError
from scanner.collectors.base import CallCounter
from tests.fakes.azure.client import StaticTokenCredential
from tests.fakes.azure.server import FakeAzure


def client(fake: FakeAzure, counter: CallCounter, slept: list[float]) -> GraphClient:
    token = AccessToken(StaticTokenCredential(fake.token), "https://graph.microsoft.com/.default", None)
    return GraphClient(token=token, base_url=fake.url, session=requests.Session(), counter=counter,
                       verify=fake.ca_path, max_retries=2, max_retry_after=5.0, backoff=0.01, sleep=slept.append)


def test_a_transient_server_error_is_retried_and_counted(fake: FakeAzure) -> None:
    fake.fail(r"GET /v1\.0/organization", 502, times=1)
    counter, slept = CallCounter(), []
    organization = client(fake, counter, slept).list("/organization")
    assert organization and organization[0]["id"]
    assert counter.snapshot() == {"graph GET /v1.0/organization": 2}  # the failed attempt and the retry


def test_throttling_waits_the_retry_after_then_reads(fake: FakeAzure) -> None:
    fake.fail(r"GET /v1\.0/organization", 429, code="TooManyRequests", times=1, retry_after=3)
    counter, slept = CallCounter(), []
    assert client(fake, counter, slept).list("/organization")
    assert any(2.5 <= s <= 3.0 for s in slept) and counter.snapshot() == {"graph GET /v1.0/organization": 2}


def test_endless_throttling_ends_in_one_graph_error_not_a_hang(fake: FakeAzure) -> None:
    fake.fail(r"GET /v1\.0/organization", 429, code="TooManyRequests", retry_after=4)
    counter, slept = CallCounter(), []
    graph = client(fake, counter, slept)
    with pytest.raises(GraphApiError, match=r"^Graph GET /v1\.0/organization: rate limit of Microsoft Graph") as caught:
        graph.get("/organization")
    assert caught.value.status == 429
    assert sum(slept) <= 10.0  # the patience: max_retries waits of at most max_retry_after


def test_refusals_keep_their_kind_and_the_token_stays_home(fake: FakeAzure) -> None:
    fake.fail(r"GET /v1\.0/applications", 403, code="Authorization_RequestDenied")
    graph = client(fake, CallCounter(), [])
    with pytest.raises(GraphPermissionError):
        graph.get("/applications")
    before = len(fake.requests)
    with pytest.raises(GraphApiError, match="another host"):
        graph.get("https://graph.example.org/v1.0/users?$skiptoken=x")
    assert len(fake.requests) == before  # nothing was sent anywhere
