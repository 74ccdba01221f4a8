"""moto in server mode on 127.0.0.1, with a request log and fault injection.

``RecordingMotoServer`` is moto's own ``ThreadedMotoServer`` whose WSGI app is wrapped by a
middleware that (1) records every request the scanner makes as (service, action, method, path)
so a test can prove the collector only read, and (2) can answer chosen requests with an AWS
error (AccessDenied on sts:AssumeRole into one account, on iam:GetCredentialReport, ...), the
way an SCP or a missing permission would, and (3) can answer a request moto cannot serve
(Access Analyzer, a credential report with a ``<root_account>`` row) with a ``Stub`` body shaped
like the published API's response. Everything else is moto's real behaviour.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

_SIGNING_SERVICE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    service: str  # signing name: iam, sts, organizations, cloudtrail, s3, sso, access-analyzer, account
    action: str  # API action for query/JSON protocols, "METHOD /path?query" for REST ones
    method: str
    path: str
    access_key: str
    params: dict[str, str] = field(default_factory=dict, hash=False)
    region: str = ""

    @property
    def is_rest(self) -> bool:
        return " " in self.action


@dataclass(frozen=True)
class Fault:
    """Answer requests matching (service, action, predicate) with ``code`` (HTTP ``status``)."""

    service: str
    action: str
    code: str = "AccessDenied"
    status: int = 403
    when: Callable[[Request], bool] = lambda request: True


@dataclass(frozen=True)
class Stub:
    """Answer requests matching (service, action, predicate) with ``body`` (HTTP 200)."""

    service: str
    action: str
    body: bytes
    content_type: str = "text/xml"
    when: Callable[[Request], bool] = lambda request: True


# moto has no Access Analyzer backend (it answers 500 with a traceback): by default every region
# answers like an account with no analyzer (the ListAnalyzers response shape), so a scan does not
# spend retries on 30 regions. Tests add their own stubs or faults in front of this one.
DEFAULT_STUBS: tuple[Stub, ...] = (
    Stub("access-analyzer", "GET /analyzer", b'{"analyzers": []}', "application/json"),
)


class _Middleware:
    def __init__(self, app: Any, server: RecordingMotoServer) -> None:
        self.app = app
        self.server = server

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        request = _describe(environ, body)
        self.server.record(request)
        for fault in self.server.faults_for(request):
            return _error(fault, request, start_response)
        for stub in self.server.stubs_for(request):
            start_response("200 OK", [("Content-Type", stub.content_type), ("Content-Length", str(len(stub.body)))])
            return [stub.body]
        return self.app(environ, start_response)  # type: ignore[no-any-return]


def _describe(environ: dict[str, Any], body: bytes) -> Request:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _SIGNING_SERVICE.search(auth)
    access_key, region, service = (match.group(1), match.group(2), match.group(3)) if match else ("", "", "unknown")
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    params: dict[str, str] = {}
    for source in (query, body.decode("utf-8", "replace") if "form-urlencoded" in environ.get("CONTENT_TYPE", "") else ""):
        params.update({k: v[0] for k, v in parse_qs(source).items()})
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        action = target.rsplit(".", 1)[-1]
        try:
            payload = json.loads(body or b"{}")
            params.update({k: str(v) for k, v in payload.items()} if isinstance(payload, dict) else {})
        except ValueError:
            pass
    elif "Action" in params:
        action = params["Action"]
    else:
        action = f"{method} {path}" + (f"?{query}" if query else "")
    return Request(service, action, method, path, access_key, params, region)


def _error(fault: Fault, request: Request, start_response: Callable[..., Any]) -> list[bytes]:
    message = f"User is not authorized to perform: {request.service}:{request.action}"
    if request.is_rest or request.service == "s3":
        body = f"<Error><Code>{fault.code}</Code><Message>{message}</Message></Error>".encode()
        headers = [("Content-Type", "application/xml")]
    elif request.params and "Action" in request.params:
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{fault.code}</Code><Message>{message}</Message></Error>"
            "<RequestId>posture-fake</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    else:
        code = fault.code if fault.code.endswith("Exception") else f"{fault.code}Exception"
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
    start_response(f"{fault.status} Error", headers + [("Content-Length", str(len(body)))])
    return [body]


class RecordingMotoServer(ThreadedMotoServer):
    """``ThreadedMotoServer`` on an ephemeral port with a request log and injectable faults."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self._requests: list[Request] = []
        self._faults: list[Fault] = []
        self._stubs: list[Stub] = []
        self._lock = threading.Lock()

    def _server_entry(self) -> None:
        app = _Middleware(DomainDispatcherApplication(create_backend_app), self)
        self._server = make_server(self._ip_address, self._port, app, True)
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    # -- log

    def record(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)

    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def clear_log(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- faults

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._stubs.clear()

    def faults_for(self, request: Request) -> list[Fault]:
        with self._lock:
            return [
                f
                for f in self._faults
                if f.service == request.service and f.action == request.action and f.when(request)
            ]

    # -- stubs

    def stub(self, stub: Stub) -> None:
        with self._lock:
            self._stubs.append(stub)

    def stubs_for(self, request: Request) -> list[Stub]:
        with self._lock:
            return [
                s
                for s in (*self._stubs, *DEFAULT_STUBS)
                if s.service == request.service and s.action == request.action and s.when(request)
            ]

    def reset(self) -> None:
        """Forget every account, the log and the faults (moto's own reset endpoint)."""
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")).read()
        self.clear_log()
        self.clear_faults()
        with self._lock:
            self._stubs.clear()
