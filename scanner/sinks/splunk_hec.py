"""Splunk HTTP Event Collector sink: OCSF findings as events, batched, with retries.

POSTs to ``/services/collector/event`` with ``Authorization: Splunk <token>``; the token comes
from ``POSTURE_HEC_TOKEN`` and never appears in a message. Each batch is up to ``batch`` events
(``?batch=``, default 100) concatenated as HEC expects. Options: ``?index=``, ``?sourcetype=``
(default ``ocsf:compliance_finding``), ``?source=`` (default ``posture``), ``?ca=/path/ca.pem``
to trust a private CA.

Delivery goes through the project's HTTP seam (``scanner.http.Transport``): connection errors and
5xx are retried four times by urllib3 with exponential backoff and jitter (about 1 s, 2 s, 4 s;
a 503's ``Retry-After`` honoured up to 60 s); a 429 waits its ``Retry-After`` (up to 2 minutes
in all, then the sink gives up instead of hanging). A batch is re-sent after a failure because a
duplicate event in the SIEM is better than a lost finding. 401 and 403 stop at once with an
error naming the token, since every later batch would be refused the same way. 400 (a bad
event) fails that batch and the rest are still tried. The token is only ever sent to the
configured host and never appears in a message.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from scanner.errors import ConfigError
from scanner.http import Budget, RateLimitSpent, RetryAfterSignals, Transport, TransportError, redact
from scanner.findings import Report
from scanner.outputs import ocsf
from scanner.sinks import SinkResult, SinkURL

TOKEN_VARIABLE = "POSTURE_HEC_TOKEN"
PATH = "/services/collector/event"
DEFAULT_BATCH = 100
RETRIES = 4
PATIENCE = 120.0  # seconds of 429 waits before giving up


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
        retries: int = RETRIES,
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
        self.sleep = sleep  # replaceable until ``send`` (tests record the waits instead)
        self.timeout = timeout
        self.retries = retries
        self.requests = 0  # POSTs made, retries included (tests and -v read it)

    def _transport(self) -> Transport:
        host = f"[{self.url.host}]" if ":" in self.url.host else self.url.host
        return Transport(
            f"{'https' if self.https else 'http'}://{host}:{self.url.port}",
            secrets=(self._token,),
            budget=Budget(f"Splunk HEC at {self.url.display}", patience=PATIENCE, sleep=self.sleep),
            signals=RetryAfterSignals(statuses=frozenset({429}), default_delay=5.0),
            retries=self.retries,
            backoff_factor=0.5,
            timeout=self.timeout,
            verify=self.ca or True,
            sleep=self.sleep,
            label=f"Splunk HEC at {self.url.display}",
        )

    def _deliver(self, http: Transport, body: bytes) -> None:
        """POST one batch; _Fatal stops the delivery, ValueError refuses this batch only."""
        before = http.sent
        try:
            response = http.request(
                "POST", http.base_url + PATH, route=f"POST {PATH}", data=body, idempotent=True,
                headers={"Authorization": f"Splunk {self._token}", "Content-Type": "application/json",
                         "User-Agent": "posture"},
            )
        except TransportError as exc:
            hint = "; pass ?ca=/path/to/ca.pem" if "TLS" in str(exc) else ""
            raise _Fatal(f"gave up after {self.retries + 1} attempts ({exc}){hint}") from None
        except RateLimitSpent as exc:
            raise _Fatal(str(exc)) from None
        finally:
            self.requests += http.sent - before
        status = response.status_code
        if 200 <= status < 300:
            return
        text = _splunk_text(response.content[: 64 * 1024])
        if status in (401, 403):
            raise _Fatal(
                f"Splunk rejected the token ({status} {text}): check {TOKEN_VARIABLE} and that the HEC token is "
                "enabled and allowed to write to the index"
            )
        if status >= 500:
            raise _Fatal(f"gave up after {self.retries + 1} attempts ({status} {text})")
        raise ValueError(f"{status} {text}")

    def send(self, report: Report, ocsf_version: str | None = None) -> SinkResult:
        events = list(ocsf.events(report, ocsf_version or ocsf.OCSF_VERSION))
        sent = failed = 0
        errors: list[str] = []
        http = self._transport()
        try:
            for start in range(0, len(events), self.batch):
                chunk = events[start : start + self.batch]
                body = b"".join(json.dumps(self._wrap(e), separators=(",", ":")).encode() for e in chunk)
                try:
                    self._deliver(http, body)
                    sent += len(chunk)
                except _Fatal as exc:
                    failed += len(events) - start
                    errors.append(str(exc))
                    break
                except ValueError as exc:  # this batch was refused; the next may be fine
                    failed += len(chunk)
                    errors.append(f"batch refused ({exc})")
        finally:
            http.close()
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
