"""Helpers to run a real rsyslog (config template, ports, the received-messages file)."""

from __future__ import annotations

import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

RSYSLOGD = shutil.which("rsyslogd") or ("/usr/sbin/rsyslogd" if Path("/usr/sbin/rsyslogd").exists() else None)
GTLS = any(Path(p).exists() for p in ("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so", "/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_gtls.so"))

CONFIG = """
global(workDirectory="{work}" maxMessageSize="256k"
  DefaultNetstreamDriverCAFile="{work}/ca.pem" DefaultNetstreamDriverCertFile="{work}/cert.pem"
  DefaultNetstreamDriverKeyFile="{work}/key.pem")
module(load="imtcp" maxSessions="20")
module(load="imudp")
template(name="posture" type="list") {{
  property(name="syslogfacility") constant(value="|") property(name="syslogseverity") constant(value="|")
  property(name="app-name") constant(value="|") property(name="msgid") constant(value="|")
  property(name="msg" droplastlf="on") constant(value="\\n")
}}
ruleset(name="received") {{ action(type="omfile" file="{work}/received.log" template="posture") }}
input(type="imudp" address="127.0.0.1" port="{udp}" ruleset="received")
input(type="imtcp" address="127.0.0.1" port="{tcp}" ruleset="received")
{tls_input}
"""
TLS_INPUT = (
    'input(type="imtcp" address="127.0.0.1" port="{tls}" ruleset="received" '
    'streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")'
)


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Rsyslog:
    work: Path
    udp: int
    tcp: int
    tls: int | None
    ca: Path

    @property
    def log(self) -> Path:
        return self.work / "received.log"

    def received(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []

    def wait_for(self, predicate, timeout: float = 10.0) -> list[str]:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while True:
            lines = self.received()
            if predicate(lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def clear(self) -> None:
        # rsyslog keeps the file open: truncate in place rather than unlink.
        if self.log.exists():
            with self.log.open("r+") as handle:
                handle.truncate(0)
