"""The HTTP seam (scanner/http.py) against a scripted server on 127.0.0.1: retries through
urllib3, rate-limit pauses and the stop, the origin guard, counting and per-route pacing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from scanner.http import (
    Budget,
    ForeignHostError,
    RateLimitSpent,
    RetryAfterSignals,
    RouteLimit,
    RoutePacer,
    Transport,
    TransportError,
)

SECRET = "s3cr3t-token-value-0001"


@dataclass
class Script:
    """Answers (status, headers, body) in order, then 200 {}; records (method, path, headers)."""

    answers: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        script: Script = self.server.script
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        script.seen.append((self.command, self.path, dict(self.headers)))
        status, headers, body = script.answers.pop(0) if script.answers else (200, {}, {})
        payload = json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.script = Script()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.script  # type: ignore[attr-defined]
    httpd.shutdown()
    httpd.server_close()


def transport(base: str, sleeps: list[float], **kwargs: Any) -> Transport:
    clock = [1_000_000.0]

    def sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 3))
        clock[0] += seconds

    budget = kwargs.pop("budget", None) or Budget("test credential", patience=kwargs.pop("patience", 900.0),
                                                  sleep=sleep, clock=lambda: clock[0])
    return Transport(base, secrets=(SECRET,), budget=budget, sleep=sleep, **kwargs)


def test_transient_failures_are_retried_by_urllib3_with_backoff_and_counted(server) -> None:
    base, script = server
    script.answers = [(502, {}, {}), (503, {}, {}), (500, {}, {})]
    sleeps: list[float] = []
    http = transport(base, sleeps, backoff_factor=0.5, backoff_jitter=0.25)
    response = http.request("GET", f"{base}/things", route="GET /things")
    assert response.status_code == 200 and len(script.seen) == 4
    assert http.counter.counts == {"GET /things": 4}  # type: ignore[attr-defined]
    # Exponential backoff with jitter: no wait before the first retry, then ~1 s, ~2 s.
    assert len(sleeps) == 2 and 1.0 <= sleeps[0] <= 1.25 and 2.0 <= sleeps[1] <= 2.25, sleeps


def test_retry_after_on_503_is_honoured(server) -> None:
    base, script = server
    script.answers = [(503, {"Retry-After": "7"}, {})]
    sleeps: list[float] = []
    assert transport(base, sleeps).request("GET", f"{base}/x", route="GET /x").status_code == 200
    assert sleeps == [7.0]


def test_a_post_is_retried_only_when_the_caller_says_it_is_a_read(server) -> None:
    base, script = server
    script.answers = [(502, {}, {}), (502, {}, {})]
    sleeps: list[float] = []
    http = transport(base, sleeps)
    assert http.request("POST", f"{base}/events", route="POST /events", json={"a": 1}).status_code == 502
    assert len(script.seen) == 1
    assert http.request("POST", f"{base}/graphql", route="POST /graphql", json={}, idempotent=True).status_code == 200
    assert len(script.seen) == 3


def test_persistent_failure_ends_in_one_line_without_secrets(server) -> None:
    base, script = server
    script.answers = [(500, {}, {})] * 4
    sleeps: list[float] = []
    response = transport(base, sleeps).request("GET", f"{base}/x?token={SECRET}", route="GET /x")
    assert response.status_code == 500 and len(script.seen) == 4
    with pytest.raises(TransportError) as info:
        transport("http://127.0.0.1:9", sleeps, retries=1).request("GET", f"http://127.0.0.1:9/x?t={SECRET}", route="GET /x")
    assert "cannot reach" in str(info.value) and SECRET not in str(info.value) and "\n" not in str(info.value)


def test_nothing_is_sent_to_another_origin(server) -> None:
    base, script = server
    sleeps: list[float] = []
    http = transport(base, sleeps)
    other_port = base.rsplit(":", 1)[0] + ":1"
    for foreign in (other_port + "/x", base.replace("http://", "https://") + "/x", "http://localhost:1/x"):
        with pytest.raises(ForeignHostError):
            http.request("GET", foreign, route="GET /x", headers={"Authorization": f"token {SECRET}"})
    assert script.seen == []
    assert http.same_origin(base + "/next?page=2") == base + "/next?page=2"


def test_a_redirect_to_another_host_is_refused(server) -> None:
    base, script = server
    script.answers = [(301, {"Location": "http://127.0.0.2:1/moved"}, {})]
    with pytest.raises(ForeignHostError):
        transport(base, []).request("GET", f"{base}/old", route="GET /old")
    assert len(script.seen) == 1
    script.answers = [(301, {"Location": "/new"}, {})]
    assert transport(base, []).request("GET", f"{base}/old", route="GET /old").status_code == 200
    assert script.seen[-1][1] == "/new"


def test_a_refusal_pauses_and_one_beyond_patience_stops_every_client_of_the_credential(server) -> None:
    base, script = server
    sleeps: list[float] = []
    clock = [1_000_000.0]
    budget = Budget("token A", patience=60, sleep=lambda s: (sleeps.append(s), clock.__setitem__(0, clock[0] + s)) and None,
                    clock=lambda: clock[0])
    first = Transport(base, budget=budget, signals=RetryAfterSignals())
    second = Transport(base, budget=budget, signals=RetryAfterSignals())
    script.answers = [(429, {"Retry-After": "5"}, {})]
    assert first.request("GET", f"{base}/a", route="GET /a").status_code == 200
    assert sleeps == [5.0]
    script.answers = [(429, {"Retry-After": "3600"}, {})]
    with pytest.raises(RateLimitSpent) as info:
        first.request("GET", f"{base}/a", route="GET /a")
    assert "token A" in str(info.value) and "re-run after the reset" in str(info.value)
    sent = len(script.seen)
    with pytest.raises(RateLimitSpent):
        second.request("GET", f"{base}/b", route="GET /b")
    assert len(script.seen) == sent  # the other client sent nothing either


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_route_pacer_holds_each_route_to_its_rate_after_the_burst() -> None:
    clock = _Clock()
    pacer = RoutePacer([RouteLimit("GET ", 60.0)], burst=5, clock=lambda: clock.now, sleep=clock.sleep)
    for _ in range(5):
        pacer.acquire("GET /a")
        pacer.release("GET /a", 0.01)
    assert clock.now == 0.0  # the burst goes out at once
    for _ in range(10):
        pacer.acquire("GET /a")
        pacer.release("GET /a", 0.01)
    assert 9.5 <= clock.now <= 10.5  # then one a second
    pacer.acquire("GET /b")  # another route has its own bucket
    pacer.release("GET /b", 0.01)
    assert 9.5 <= clock.now <= 10.5


def test_route_pacer_keeps_request_time_within_its_budget() -> None:
    clock = _Clock()
    pacer = RoutePacer(request_seconds_per_minute=90.0, clock=lambda: clock.now, sleep=clock.sleep)
    for _ in range(3):  # 3 requests of 40 s each finished at t=0
        pacer.acquire("GET /slow")
        pacer.release("GET /slow", 40.0)
    pacer.acquire("GET /slow")  # 120 s spent in the last minute: wait until the window moves
    assert clock.now >= 60.0
    pacer.release("GET /slow", 1.0)


def test_route_pacer_never_waits_on_nothing() -> None:
    """A request longer than the whole budget delays the next one until it leaves the window,
    and no longer (a request cost estimate alone never blocks: that would wait forever)."""
    clock = _Clock()
    pacer = RoutePacer(request_seconds_per_minute=0.1, window=1.0, clock=lambda: clock.now, sleep=clock.sleep)
    pacer.acquire("GET /a")
    pacer.release("GET /a", 0.5)
    pacer.acquire("GET /a")
    assert 1.0 <= clock.now <= 1.1
    pacer.release("GET /a", 0.5)
