"""A real rsyslog for the syslog sink tests: UDP, TCP and TLS inputs writing what arrives to a file.

Started once per module from a config in a temp dir (Debian's ``rsyslog`` and ``rsyslog-gnutls``),
with a trustme CA for TLS. Tests that need it skip with a clear reason when rsyslogd is absent
(fail under ``POSTURE_REQUIRE_SERVERS=1``, as in CI: see ``tests/servers.py``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "outputs"))

from rsyslog_server import CONFIG, GTLS, RSYSLOGD, TLS_INPUT, Rsyslog, free_port

from tests.servers import server_missing


@pytest.fixture(scope="module")
def rsyslog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rsyslog]:
    if RSYSLOGD is None:
        server_missing("rsyslogd not installed (Debian: apt-get install -y rsyslog rsyslog-gnutls)")
    import trustme

    work = tmp_path_factory.mktemp("rsyslog")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    ca.cert_pem.write_to_path(str(work / "ca.pem"))
    cert.private_key_pem.write_to_path(str(work / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(work / "cert.pem"))
    udp, tcp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    tls = free_port(socket.SOCK_STREAM) if GTLS else None
    config = work / "rsyslog.conf"
    config.write_text(CONFIG.format(work=work, udp=udp, tcp=tcp, tls_input=TLS_INPUT.format(tls=tls) if tls else ""))
    process = subprocess.Popen(
        [RSYSLOGD, "-n", "-f", str(config), "-i", str(work / "rsyslogd.pid")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    server = Rsyslog(work, udp, tcp, tls, work / "ca.pem")
    try:
        deadline = time.monotonic() + 15
        ports = [p for p in (tcp, tls) if p]
        while ports:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"rsyslogd exited at start: {output[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", ports[0]), timeout=0.2).close()
                ports.pop(0)
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("rsyslogd did not open its ports within 15 s")
                time.sleep(0.05)
        # UDP has no handshake: wait until a probe datagram comes out the other side.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            for _ in range(100):
                probe.sendto(b"<134>1 - - probe - - - ready", ("127.0.0.1", udp))
                if server.wait_for(lambda lines: any("ready" in line for line in lines), timeout=0.1):
                    break
        server.clear()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
