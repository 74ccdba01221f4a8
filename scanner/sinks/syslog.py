"""Syslog sink: each OCSF finding as one RFC 5424 message, over UDP, TCP or TLS.

    <PRI>1 TIMESTAMP HOSTNAME posture PROCID MSGID - {"activity_id":1,...}

PRI = facility * 8 + severity: facility from ``?facility=`` (default ``local0``), severity from
the finding (critical 2, high 3, medium 4, low 5, info 6; findings that are not problems 6).
MSGID is ``ocsf-2003``. No structured data: the message is the OCSF JSON, unchanged, so a SIEM
parses it as JSON. TCP and TLS frame each message with octet counting (RFC 6587 §3.4.1,
``LEN SP MSG``), which keeps messages intact whatever they contain. Over UDP a datagram is
counted as sent when the kernel accepts it (UDP has no acknowledgement); keep the receiver's
maximum message size (rsyslog ``maxMessageSize``, default 8 KiB) above the largest finding.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from scanner.errors import ConfigError
from scanner.findings import Report, Severity, Status
from scanner.outputs import ocsf
from scanner.sinks import SinkResult, SinkURL

FACILITIES = {
    "kern": 0, "user": 1, "daemon": 3, "auth": 4, "syslog": 5, "authpriv": 10,
    "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}
SEVERITY = {Severity.CRITICAL: 2, Severity.HIGH: 3, Severity.MEDIUM: 4, Severity.LOW: 5, Severity.INFO: 6}
MSGID = "ocsf-2003"
APP_NAME = "posture"
MAX_UDP_PAYLOAD = 65_000


def _now() -> datetime:
    return datetime.now(UTC)


def _header_field(value: str, limit: int) -> str:
    """RFC 5424 header fields: printable US-ASCII without spaces, or '-' when empty."""
    cleaned = "".join(ch for ch in value if 33 <= ord(ch) <= 126)[:limit]
    return cleaned or "-"


class SyslogSink:
    """Delivers to a syslog receiver. ``connect`` and ``clock`` are injectable for tests."""

    def __init__(
        self,
        url: SinkURL,
        *,
        environ: Mapping[str, str] | None = None,
        hostname: str | None = None,
        clock: Callable[[], datetime] = _now,
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.transport = {"syslog": "udp", "syslog+udp": "udp"}.get(url.scheme, url.scheme.split("+", 1)[-1])
        facility = url.options.get("facility", "local0")
        if facility not in FACILITIES:
            raise ConfigError(f"--sink {url.display}: unknown facility {facility!r}; use one of {', '.join(FACILITIES)}")
        self.facility = FACILITIES[facility]
        unknown = set(url.options) - {"facility", "ca"}
        if unknown:
            raise ConfigError(f"--sink {url.display}: unknown option {sorted(unknown)[0]!r} (known: facility, ca)")
        self.ca = url.options.get("ca")
        if self.ca and self.transport != "tls":
            raise ConfigError(f"--sink {url.display}: 'ca' applies to syslog+tls:// only")
        if self.ca and not os.path.isfile(self.ca):
            raise ConfigError(f"--sink {url.display}: CA file {self.ca} does not exist")
        self.hostname = _header_field(hostname or socket.gethostname(), 255)
        self.clock = clock
        self.timeout = timeout

    def format(self, event_json: str, severity: Severity, status: str) -> bytes:
        """One RFC 5424 message (without transport framing)."""
        level = SEVERITY[severity] if status in (Status.FAIL.value, Status.WAIVED.value, Status.ERROR.value) else 6
        pri = self.facility * 8 + level
        timestamp = self.clock().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        header = f"<{pri}>1 {timestamp} {self.hostname} {APP_NAME} {os.getpid()} {MSGID} -"
        return f"{header} {event_json}".encode()

    def _messages(self, report: Report, ocsf_version: str | None = None) -> list[bytes]:
        messages = []
        version = ocsf_version or ocsf.OCSF_VERSION
        for event, line in zip(ocsf.events(report, version), ocsf.lines(report, version)):
            status = event["unmapped"]["posture"]["status"]
            severity = Severity(event["compliance"]["checks"][0]["severity"])
            messages.append(self.format(line, severity, status))
        return messages

    def _connect(self) -> socket.socket:
        if self.transport == "udp":
            family = socket.getaddrinfo(self.url.host, self.url.port, type=socket.SOCK_DGRAM)[0]
            sock = socket.socket(family[0], socket.SOCK_DGRAM)
            sock.connect(family[4])
            return sock
        sock = socket.create_connection((self.url.host, self.url.port), timeout=self.timeout)
        if self.transport == "tls":
            context = ssl.create_default_context(cafile=self.ca)
            try:
                return context.wrap_socket(sock, server_hostname=self.url.host)
            except BaseException:
                sock.close()
                raise
        return sock

    def send(self, report: Report, ocsf_version: str | None = None) -> SinkResult:
        messages = self._messages(report, ocsf_version)
        if not messages:
            return SinkResult(0, 0)
        sent = 0
        try:
            sock = self._connect()
        except (OSError, ssl.SSLError) as exc:
            return SinkResult(0, len(messages), f"{self.url.display}: cannot connect ({_reason(exc)})")
        try:
            with sock:
                for message in messages:
                    if self.transport == "udp":
                        if len(message) > MAX_UDP_PAYLOAD:
                            raise OSError(f"a finding of {len(message)} bytes does not fit a UDP datagram; use syslog+tcp")
                        sock.send(message)
                    else:
                        sock.sendall(str(len(message)).encode() + b" " + message)
                    sent += 1
        except (OSError, ssl.SSLError) as exc:
            return SinkResult(sent, len(messages) - sent, f"{self.url.display}: sending failed after {sent} ({_reason(exc)})")
        return SinkResult(sent, 0)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}; pass ?ca=/path/to/ca.pem"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
