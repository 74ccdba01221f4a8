"""A recording HTTP proxy for end-to-end sign-in through azure-identity against the fake.

Why a proxy and not AZURE_AUTHORITY_HOST: see tests/collectors/azure/test_azure_cli.py. Shared by
the Azure and Intune CLI tests (both sign in with DefaultAzureCredential the same way).
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading

LOGIN_HOST = "login.microsoftonline.com"


class ProxyRelay:
    """An HTTP proxy on 127.0.0.1 that records every request (method and target) it gets; it tunnels CONNECTs to
    the hosts in ``routes`` (host:port -> local port) and answers 403 to everything else."""

    def __init__(self, routes: dict[str, int]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        relay = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                relay._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, target = (request_line.split(" ") + ["", ""])[:2]
        self.requests.append(f"{method} {target}")
        if method != "CONNECT" or target not in self.routes:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        upstream = socket.create_connection(("127.0.0.1", self.routes[target]))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            sockets = [client, upstream]
            while True:
                readable, _, _ = select.select(sockets, [], [], 10)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()


# Variables that would send azure-identity down another path than EnvironmentCredential with a
# client secret, or send requests somewhere else than the relay.
CLEARED = (
    "AZURE_AUTHORITY_HOST", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_TOKEN_CREDENTIALS", "AZURE_REGIONAL_AUTHORITY_NAME", "AZURE_IDENTITY_DISABLE_MULTITENANTAUTH",
    "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT",
    "MSI_SECRET", "ALL_PROXY", "all_proxy", "CURL_CA_BUNDLE",
)
