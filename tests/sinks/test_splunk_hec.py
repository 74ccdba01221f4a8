"""Splunk HEC sink against a local HTTP(S) server that speaks HEC's event endpoint."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from report_factory import make_finding, make_report

from scanner.errors import ConfigError
from scanner.outputs import ocsf
from scanner.sinks import open_sink

TOKEN = "11111111-2222-3333-4444-hec-token-secret"


@dataclass
class FakeHec:
    """Answers each POST with the next scripted (status, body, headers); 200 Success after."""

    port: int = 0
    script: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[dict[str, Any]]:
        """Every event of every accepted (2xx) request, decoded from HEC's concatenated JSON."""
        found = []
        for request in self.requests:
            if request["status"] // 100 != 2:
                continue
            decoder, body, index = json.JSONDecoder(), request["body"], 0
            while index < len(body):
                item, index = decoder.raw_decode(body, index)
                found.append(item)
        return found


def _handler(fake: FakeHec) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            with fake.lock:
                status, answer, headers = fake.script.pop(0) if fake.script else (200, {"text": "Success", "code": 0}, {})
                fake.requests.append({"path": self.path, "auth": self.headers["Authorization"], "body": body,
                                      "status": status, "content_type": self.headers["Content-Type"]})
            payload = json.dumps(answer).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _serve(fake: FakeHec, tls_context: ssl.SSLContext | None = None) -> Iterator[FakeHec]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hec() -> Iterator[FakeHec]:
    yield from _serve(FakeHec())


def sink(fake: FakeHec, query: str = "", sleeps: list[float] | None = None, scheme: str = "splunk-hec+http"):  # type: ignore[no-untyped-def]
    record = sleeps if sleeps is not None else []
    s = open_sink(f"{scheme}://127.0.0.1:{fake.port}{query}", {"POSTURE_HEC_TOKEN": TOKEN})
    s.sleep = record.append  # no real waiting in tests; the waits are recorded instead
    return s


def many(n: int):  # type: ignore[no-untyped-def]
    return make_report([make_finding(resource_id=f"github:northwind-labs/repo-{i}") for i in range(n)])


def test_batches_every_event_with_the_token(hec: FakeHec) -> None:
    report = many(250)
    result = sink(hec, "?batch=100&index=security&sourcetype=ocsf").send(report)
    assert (result.sent, result.failed, result.error) == (250, 0, None)
    assert len(hec.requests) == 3  # 100 + 100 + 50
    assert {r["path"] for r in hec.requests} == {"/services/collector/event"}
    assert {r["auth"] for r in hec.requests} == {f"Splunk {TOKEN}"}
    events = hec.events()
    assert [e["event"] for e in events] == list(ocsf.events(report))
    assert {(e["index"], e["sourcetype"], e["source"]) for e in events} == {("security", "ocsf", "posture")}
    assert events[0]["time"] == ocsf.epoch_ms(report.run.finished_at) / 1000


def test_retries_with_backoff_then_succeeds(hec: FakeHec) -> None:
    hec.script = [(503, {"text": "Server is busy", "code": 9}, {}), (503, {"text": "Server is busy", "code": 9}, {}),
                  (429, {"text": "slow down"}, {"Retry-After": "3"})]
    sleeps: list[float] = []
    result = sink(hec, sleeps=sleeps).send(many(5))
    assert (result.sent, result.failed) == (5, 0)
    # urllib3 retries the 503s (at once, then ~1 s with jitter); the 429's Retry-After is honoured.
    assert len(sleeps) == 2 and 1.0 <= sleeps[0] <= 1.25 and abs(sleeps[1] - 3.0) < 0.1, sleeps
    assert len(hec.requests) == 4 and len(hec.events()) == 5


def test_gives_up_after_the_last_retry_and_counts_failures(hec: FakeHec) -> None:
    hec.script = [(500, {"text": "Internal error"}, {})] * 10
    sleeps: list[float] = []
    result = sink(hec, "?batch=2", sleeps=sleeps).send(many(5))
    assert (result.sent, result.failed) == (0, 5)
    assert len(hec.requests) == 5  # four retries of the first batch; the others are not tried
    assert len(sleeps) == 3 and [round(s) for s in sleeps] == [1, 2, 4], sleeps  # backoff with jitter
    assert result.error and "gave up after 5 attempts" in result.error and "Internal error" in result.error


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_stop_at_once_with_a_clear_message(hec: FakeHec, status: int) -> None:
    hec.script = [(status, {"text": "Invalid token", "code": 4}, {})]
    result = sink(hec, "?batch=2").send(many(5))
    assert (result.sent, result.failed) == (0, 5)
    assert len(hec.requests) == 1  # no retry, no further batches
    assert result.error and "rejected the token" in result.error and "POSTURE_HEC_TOKEN" in result.error
    assert TOKEN not in result.error


def test_a_refused_batch_does_not_stop_the_others(hec: FakeHec) -> None:
    hec.script = [(200, {"text": "Success"}, {}), (400, {"text": "Invalid data format", "code": 6}, {})]
    result = sink(hec, "?batch=2").send(many(5))
    assert (result.sent, result.failed) == (3, 2)
    assert result.error and "Invalid data format" in result.error


def test_server_down_fails_every_event() -> None:
    fake = FakeHec()
    gen = _serve(fake)
    next(gen)
    port = fake.port
    gen.close()  # stopped: nothing listens on the port any more
    s = open_sink(f"splunk-hec+http://127.0.0.1:{port}", {"POSTURE_HEC_TOKEN": TOKEN})
    s.sleep = lambda _seconds: None
    result = s.send(many(3))
    assert (result.sent, result.failed) == (0, 3)
    assert "gave up" in (result.error or "") and "cannot reach" in (result.error or "")
    assert TOKEN not in (result.error or "")


def test_a_429_beyond_patience_gives_up_instead_of_hanging(hec: FakeHec) -> None:
    hec.script = [(429, {"text": "slow down"}, {"Retry-After": "3600"})]
    sleeps: list[float] = []
    result = sink(hec, "?batch=2", sleeps=sleeps).send(many(5))
    assert (result.sent, result.failed) == (0, 5) and len(hec.requests) == 1 and sleeps == []
    assert "rate limit" in (result.error or "")


def test_https_with_a_private_ca(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import trustme

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    for fake in _serve(FakeHec(), server_context):
        s = open_sink(f"splunk-hec://localhost:{fake.port}?ca={ca_file}", {"POSTURE_HEC_TOKEN": TOKEN})
        assert s.send(many(3)).sent == 3
        untrusted = open_sink(f"splunk-hec://localhost:{fake.port}", {"POSTURE_HEC_TOKEN": TOKEN})
        result = untrusted.send(many(3))
        assert result.failed == 3 and "TLS certificate not trusted" in (result.error or "")


def test_missing_token_and_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="POSTURE_HEC_TOKEN"):
        open_sink("splunk-hec://127.0.0.1:8088", {})
    with pytest.raises(ConfigError, match="batch"):
        open_sink("splunk-hec://127.0.0.1:8088?batch=0", {"POSTURE_HEC_TOKEN": TOKEN})
    with pytest.raises(ConfigError, match="unknown option"):
        open_sink("splunk-hec://127.0.0.1:8088?token=abc", {"POSTURE_HEC_TOKEN": TOKEN})


def test_the_ocsf_version_chosen_for_outputs_reaches_the_sink(hec: FakeHec) -> None:
    report = many(3)
    result = sink(hec, "").send(report, "1.1.0")
    assert result.sent == 3
    events = [e["event"] for e in hec.events()]
    assert events == list(ocsf.events(report, "1.1.0")) and events != list(ocsf.events(report))
    assert {e["metadata"]["version"] for e in events} == {"1.1.0"}
