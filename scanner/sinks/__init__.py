"""SIEM sinks: where ``--sink URL`` delivers the OCSF findings. An explicit scheme -> class mapping.

    syslog://host:port         RFC 5424 over UDP
    syslog+tcp://host:port     RFC 5424 over TCP, octet-counting framing (RFC 6587)
    syslog+tls://host:port     RFC 5424 over TLS (RFC 5425); ?ca=/path/ca.pem to trust a private CA
    splunk-hec://host:port     Splunk HTTP Event Collector over HTTPS; token from POSTURE_HEC_TOKEN
    splunk-hec+http://host:port   the same over plain HTTP (lab setups only)

``send(report)`` never raises for a delivery problem: it returns how many events were sent and
how many failed, with a one-line reason, so the CLI writes every other output first and then
exits 3. A malformed URL raises ``ConfigError`` when the sink is opened, before any output.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from scanner.errors import ConfigError
from scanner.findings import Report

SINKS: dict[str, str] = {
    "syslog": "scanner.sinks.syslog:SyslogSink",
    "syslog+udp": "scanner.sinks.syslog:SyslogSink",
    "syslog+tcp": "scanner.sinks.syslog:SyslogSink",
    "syslog+tls": "scanner.sinks.syslog:SyslogSink",
    "splunk-hec": "scanner.sinks.splunk_hec:SplunkHecSink",
    "splunk-hec+http": "scanner.sinks.splunk_hec:SplunkHecSink",
}


@dataclass(frozen=True)
class SinkResult:
    """What one sink delivered. ``error`` is one line for a person, never a secret."""

    sent: int
    failed: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.error is None


@dataclass(frozen=True)
class SinkURL:
    """A parsed ``--sink`` URL: scheme, host, port and single-valued query options."""

    raw: str
    scheme: str
    host: str
    port: int
    options: Mapping[str, str]

    @property
    def display(self) -> str:
        """The URL as it is safe to print (no user info, no query secrets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


class Sink(Protocol):
    url: SinkURL

    def send(self, report: Report, ocsf_version: str | None = None) -> SinkResult: ...


DEFAULT_PORTS = {"syslog": 514, "syslog+udp": 514, "syslog+tcp": 514, "syslog+tls": 6514,
                 "splunk-hec": 8088, "splunk-hec+http": 8088}


def parse_sink_url(url: str) -> SinkURL:
    """Validate a ``--sink`` URL. Raises ``ConfigError`` naming the problem."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SINKS:
        raise ConfigError(f"--sink {url!r}: unknown scheme {parts.scheme!r}; use one of {', '.join(SINKS)}")
    if parts.username or parts.password:
        raise ConfigError(f"--sink {scheme}://...: do not put credentials in the URL (Splunk: set POSTURE_HEC_TOKEN)")
    if not parts.hostname:
        raise ConfigError(f"--sink {url!r}: missing host, e.g. {scheme}://siem.example.com:{DEFAULT_PORTS[scheme]}")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise ConfigError(f"--sink {url!r}: invalid port") from exc
    if parts.path not in ("", "/"):
        raise ConfigError(f"--sink {url!r}: unexpected path {parts.path!r}")
    options: dict[str, str] = {}
    for key, values in parse_qs(parts.query, keep_blank_values=True).items():
        if len(values) != 1:
            raise ConfigError(f"--sink {scheme}://{parts.hostname}: option {key!r} given more than once")
        options[key] = values[0]
    return SinkURL(url, scheme, parts.hostname, port, options)


def open_sink(url: str, environ: Mapping[str, str]) -> Sink:
    """The sink for ``url`` (validated, nothing sent yet). ``environ`` supplies POSTURE_HEC_TOKEN."""
    parsed = parse_sink_url(url)
    module_name, _, class_name = SINKS[parsed.scheme].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    sink: Sink = cls(parsed, environ=environ)
    return sink
