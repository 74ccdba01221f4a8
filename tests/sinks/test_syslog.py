"""Syslog sink against a real rsyslog: every finding arrives, intact, over UDP, TCP and TLS."""

from __future__ import annotations

import json
import socket
from datetime import UTC

import pytest
from report_factory import history_report, make_finding, make_report
from rsyslog_server import Rsyslog, free_port

from scanner.errors import ConfigError
from scanner.findings import Severity, Status
from scanner.outputs import ocsf
from scanner.sinks import open_sink, parse_sink_url
from scanner.sinks.syslog import SyslogSink
from tests.servers import server_missing


def expected_events() -> list[str]:
    return list(ocsf.lines(history_report()))


def url_for(server: Rsyslog, transport: str) -> str:
    if transport == "udp":
        return f"syslog://127.0.0.1:{server.udp}"
    if transport == "tcp":
        return f"syslog+tcp://127.0.0.1:{server.tcp}"
    if server.tls is None:
        server_missing("rsyslog's gtls driver is not installed (Debian: apt-get install -y rsyslog-gnutls)")
    return f"syslog+tls://localhost:{server.tls}?ca={server.ca}"


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_every_finding_arrives_intact(rsyslog: Rsyslog, transport: str) -> None:
    rsyslog.clear()
    report = history_report()
    expected = expected_events()
    result = open_sink(url_for(rsyslog, transport), {}).send(report)
    assert (result.sent, result.failed, result.error) == (len(expected), 0, None)
    lines = rsyslog.wait_for(lambda got: len(got) >= len(expected))
    assert len(lines) == len(expected)
    received = []
    for line in lines:
        facility, severity, app, msgid, message = line.split("|", 4)
        assert (facility, app, msgid) == ("16", "posture", "ocsf-2003")  # local0
        received.append((int(severity), message))
    # Intact: the message is the OCSF line byte for byte (markup, quotes, non-ASCII included).
    assert sorted(m for _, m in received) == sorted(expected)
    severities = {json.loads(m)["finding_info"]["uid"]: s for s, m in received}
    critical_fail = next(f for f in report.findings if f.severity is Severity.CRITICAL and f.status is Status.FAIL)
    assert severities[critical_fail.uid] == 2
    passing = next(f for f in report.findings if f.status is Status.PASS)
    assert severities[passing.uid] == 6


def test_many_findings_over_tcp_keep_their_framing(rsyslog: Rsyslog) -> None:
    rsyslog.clear()
    findings = [make_finding(resource_id=f"github:northwind-labs/repo-{i}", message=f"line one\nline two {i} ") for i in range(300)]
    result = open_sink(f"syslog+tcp://127.0.0.1:{rsyslog.tcp}", {}).send(make_report(findings))
    assert (result.sent, result.failed) == (300, 0)
    lines = rsyslog.wait_for(lambda got: len(got) >= 300)
    assert len(lines) == 300
    uids = {json.loads(line.split("|", 4)[4])["finding_info"]["uid"] for line in lines}
    assert uids == {f.uid for f in findings}


@pytest.mark.parametrize("scheme", ["syslog+tcp", "syslog+tls"])
def test_receiver_down_counts_every_event_as_failed(scheme: str) -> None:
    port = free_port(socket.SOCK_STREAM)  # nothing listens there
    result = open_sink(f"{scheme}://127.0.0.1:{port}", {}).send(make_report())
    assert (result.sent, result.failed) == (0, len(make_report().findings))
    assert result.error and "cannot connect" in result.error and f"{scheme}://127.0.0.1:{port}" in result.error


def test_untrusted_certificate_is_a_clear_failure(rsyslog: Rsyslog) -> None:
    if rsyslog.tls is None:
        server_missing("rsyslog's gtls driver is not installed (Debian: apt-get install -y rsyslog-gnutls)")
    result = open_sink(f"syslog+tls://localhost:{rsyslog.tls}", {}).send(make_report())
    assert result.sent == 0 and "TLS certificate not trusted" in (result.error or "") and "?ca=" in (result.error or "")


def test_rfc5424_header() -> None:
    from datetime import datetime

    sink = SyslogSink(parse_sink_url("syslog://127.0.0.1:514?facility=auth"), hostname="scan host",
                      clock=lambda: datetime(2026, 11, 20, 9, 0, 1, 250000, tzinfo=UTC))
    message = sink.format('{"a":1}', Severity.HIGH, "FAIL").decode()
    prefix = message.split(" ", 4)[:4]
    assert prefix == ["<35>1", "2026-11-20T09:00:01.250Z", "scanhost", "posture"]  # auth(4)*8 + err(3)
    assert message.endswith(' ocsf-2003 - {"a":1}')


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("syslog+tcp://127.0.0.1:514?facility=nope", "unknown facility"),
        ("syslog+tcp://127.0.0.1:514?ca=/x.pem", r"syslog\+tls:// only"),
        ("syslog+tls://127.0.0.1:6514?ca=/does/not/exist.pem", "does not exist"),
        ("syslog+tcp://127.0.0.1:514?colour=red", "unknown option"),
        ("syslog+smoke://127.0.0.1", "unknown scheme"),
        ("syslog+tcp://user:secret@127.0.0.1", "credentials"),
        ("syslog+tcp://:514", "missing host"),
        ("syslog+tcp://host:99999", "invalid port"),
    ],
)
def test_bad_urls_are_config_errors(url: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle) as caught:
        open_sink(url, {})
    assert "secret" not in str(caught.value)
