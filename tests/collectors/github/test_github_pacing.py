"""GitHub's secondary rate limits, modelled by the fake, and the collector's per-route pacing
under them (issue 16 §4). The limits and the window are scaled down together (a one-second
"minute") so the test runs in seconds; the rates are those of the real limits' order."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timezone

import pytest

from scanner.collectors.base import CollectContext, CollectResult, Progress
from scanner.collectors.github.client import SecondaryLimits as ClientLimits
from scanner.collectors.github.collector import GitHubCollector
from tests.fakes.github import OWNER_TOKEN, FakeGitHub, SecondaryLimits, large_world

# A four-second "minute": the same rates as a one-second one, but a scheduling hiccup of a loaded
# CI machine (100 ms of a request's time) is a small share of the window's request-time budget.
WINDOW = 4.0
FAKE_LIMITS = SecondaryLimits(max_concurrent=100, rest_points=80, graphql_points=160, request_seconds=1.6, window=WINDOW)
# The client budgets request time with a margin: the fake measures its own handling time too, which
# a loaded machine (CI running tests side by side) stretches beyond what the client can observe.
PACED = ClientLimits(max_concurrent=100, rest_points=80, graphql_points=160, request_seconds=1.2, window=WINDOW, burst=3)
UNPACED = ClientLimits(max_concurrent=100, rest_points=10**6, graphql_points=10**6, request_seconds=10**6,
                       window=WINDOW, burst=10**6)


def _scan(fake: FakeGitHub, limits: ClientLimits, concurrency: int = 8) -> CollectResult:
    context = CollectContext(concurrency=concurrency, progress=Progress(),
                             clock=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc),
                             environ={"GITHUB_TOKEN": OWNER_TOKEN})
    collector = GitHubCollector({"orgs": ["bigcorp"], "url": fake.url}, context,
                                sleep=lambda seconds: time.sleep(min(seconds, 0.02)), secondary_limits=limits)
    return collector.collect()


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (dataclasses.replace(FAKE_LIMITS, request_seconds=10**6, rest_points=20), "points per minute on GET /repos/"),
        (dataclasses.replace(FAKE_LIMITS, rest_points=10**6, graphql_points=10**6), "request time per minute"),
    ],
)
def test_the_fake_refuses_what_github_would(limits: SecondaryLimits, reason: str) -> None:
    """Without pacing the scan trips each limit: the model is live, so the paced test can fail."""
    with FakeGitHub(large_world(60, 10, 2), latency_ms=5, secondary_limits=limits) as fake:
        _scan(fake, UNPACED)
        assert any(r.startswith(reason) for r in fake.secondary_refusals), fake.secondary_refusals


def test_the_fake_caps_requests_in_flight() -> None:
    limits = SecondaryLimits(max_concurrent=2)
    with FakeGitHub(large_world(20, 5, 1), latency_ms=30, secondary_limits=limits) as fake:
        _scan(fake, UNPACED, concurrency=8)
        assert fake.secondary_refusals["concurrent requests"] > 0


def test_paced_scan_gets_no_secondary_limit_refusals() -> None:
    with FakeGitHub(large_world(60, 10, 2), latency_ms=5, secondary_limits=FAKE_LIMITS) as fake:
        result = _scan(fake, PACED)
        assert dict(fake.secondary_refusals) == {}
        assert [s.status for s in result.sources] == ["ok"]
        assert len([r for r in result.resources if r.type == "github.repository"]) == 60
