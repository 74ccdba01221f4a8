"""Splunk HTTP Event Collector sink: OCSF findings as events, batched, with retries.

POSTs to ``/services/collector/event`` with ``Authorization: Splunk <token>``; the token comes
from ``POSTURE_HEC_TOKEN`` and never appears in a message. Each batch is up to ``batch`` events
(``?batch=``, default 100) concatenated as HEC expects. Options: ``?index=``, ``?sourcetype=``
(default ``ocsf:compliance_finding``), ``?source=`` (default ``posture``), ``?ca=/path/ca.pem``
to trust a private CA.

Retries: connection errors, 429 and 5xx are retried with exponential backoff (0.5 s, 1 s, 2 s,
4 s; ``Retry-After`` honoured up to 30 s). 401 and 403 stop at once with an error naming the
token, since every later batch would be refused the same way. 400 (a bad event) fails that
batch and the rest are still tried.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

from scanner.collectors.base import redact
from scanner.errors import ConfigError
from scanner.findings import Report
from scanner.outputs import ocsf
from scanner.sinks import SinkResult, SinkURL

TOKEN_VARIABLE = "POSTURE_HEC_TOKEN"
PATH = "/services/collector/event"
DEFAULT_BATCH = 100
BACKOFF = (0.5, 1.0, 2.0, 4.0)
MAX_RETRY_AFTER = 30.0


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class _Fatal(Exception):
    pass


class SplunkHecSink:
    """Delivers to Splunk HEC. ``sleep`` and ``timeout`` are injectable so tests run fast."""

    def __init__(
        self,
        url: SinkURL,
        *,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 15.0,
        backoff: tuple[float, ...] = BACKOFF,
    ) -> None:
        self.url = url
        environ = os.environ if environ is None else environ
        token = environ.get(TOKEN_VARIABLE, "").strip()
        if not token:
            raise ConfigError(f"--sink {url.display}: set {TOKEN_VARIABLE} to the HEC token")
        self._token = token
        unknown = set(url.options) - {"index", "sourcetype", "source", "batch", "ca"}
        if unknown:
            raise ConfigError(
                f"--sink {url.display}: unknown option {sorted(unknown)[0]!r} (known: index, sourcetype, source, batch, ca)"
            )
        try:
            self.batch = int(url.options.get("batch", DEFAULT_BATCH))
        except ValueError:
            raise ConfigError(f"--sink {url.display}: 'batch' must be a whole number") from None
        if not 1 <= self.batch <= 10_000:
            raise ConfigError(f"--sink {url.display}: 'batch' must be between 1 and 10000")
        self.https = url.scheme == "splunk-hec"
        self.ca = url.options.get("ca")
        if self.ca and not os.path.isfile(self.ca):
            raise ConfigError(f"--sink {url.display}: CA file {self.ca} does not exist")
        self.fields = {
            "source": url.options.get("source", "posture"),
            "sourcetype": url.options.get("sourcetype", "ocsf:compliance_finding"),
        }
        if url.options.get("index"):
            self.fields["index"] = url.options["index"]
        self.sleep = sleep
        self.timeout = timeout
        self.backoff = backoff
        self.requests = 0  # POSTs made, retries included (tests and -v read it)

    def _connection(self) -> http.client.HTTPConnection:
        if self.https:
            context = ssl.create_default_context(cafile=self.ca)
            return http.client.HTTPSConnection(self.url.host, self.url.port, timeout=self.timeout, context=context)
        return http.client.HTTPConnection(self.url.host, self.url.port, timeout=self.timeout)

    def _post(self, body: bytes) -> None:
        self.requests += 1
        connection = self._connection()
        try:
            connection.request(
                "POST",
                PATH,
                body=body,
                headers={
                    "Authorization": f"Splunk {self._token}",
                    "Content-Type": "application/json",
                    "User-Agent": "posture",
                },
            )
            response = connection.getresponse()
            payload = response.read(64 * 1024)
        except ssl.SSLCertVerificationError as exc:
            raise _Fatal(f"TLS certificate not trusted ({exc.verify_message}); pass ?ca=/path/to/ca.pem") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _Retryable(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__) from exc
        finally:
            connection.close()
        status = response.status
        if 200 <= status < 300:
            return
        text = _splunk_text(payload)
        if status in (401, 403):
            raise _Fatal(
                f"Splunk rejected the token ({status} {text}): check {TOKEN_VARIABLE} and that the HEC token is "
                "enabled and allowed to write to the index"
            )
        if status == 429 or status >= 500:
            raise _Retryable(f"{status} {text}", _retry_after(response.getheader("Retry-After")))
        raise ValueError(f"{status} {text}")

    def _deliver(self, body: bytes) -> None:
        attempt = 0
        while True:
            try:
                self._post(body)
                return
            except _Retryable as exc:
                if attempt >= len(self.backoff):
                    raise _Fatal(f"gave up after {attempt + 1} attempts ({exc})") from exc
                wait = exc.wait if exc.wait is not None else self.backoff[attempt]
                self.sleep(wait)
                attempt += 1

    def send(self, report: Report) -> SinkResult:
        events = list(ocsf.events(report))
        sent = failed = 0
        errors: list[str] = []
        for start in range(0, len(events), self.batch):
            chunk = events[start : start + self.batch]
            body = b"".join(json.dumps(self._wrap(e), separators=(",", ":")).encode() for e in chunk)
            try:
                self._deliver(body)
                sent += len(chunk)
            except _Fatal as exc:
                failed += len(events) - start
                errors.append(str(exc))
                break
            except ValueError as exc:  # this batch was refused; the next may be fine
                failed += len(chunk)
                errors.append(f"batch refused ({exc})")
        # A misbehaving server could echo the Authorization header back: never repeat the token.
        error = f"{self.url.display}: {redact(errors[0], [self._token])}" if errors else None
        if len(errors) > 1:
            error = f"{error} (+{len(errors) - 1} more)"
        return SinkResult(sent, failed, error)

    def _wrap(self, event: dict[str, Any]) -> dict[str, Any]:
        return {"time": event["time"] / 1000, "event": event, **self.fields}


def _splunk_text(payload: bytes) -> str:
    """HEC answers {"text": "...", "code": N}; fall back to the raw start of the body."""
    try:
        data = json.loads(payload)
        return f"{data.get('text', '')} (code {data.get('code')})"
    except (ValueError, AttributeError):
        return payload[:200].decode("utf-8", "replace")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None
