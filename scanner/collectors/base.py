"""The collector interface and what every collector is given to work with.

A collector reads one platform, read-only, and returns resources plus one ``SourceStatus`` per
source it read (one per GitHub org, AWS account, Azure tenant/subscription, roster file).
A source that fails is recorded as ``failed``/``partial`` with its error; it never raises out
of ``collect`` for a per-source problem, so one source failing never loses the others.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from scanner.errors import AuthError, CollectorError, PermissionDenied
from scanner.inventory.model import Resource, SourceStatus, Unknown
from scanner.progress import Progress

__all__ = [
    "CallCounter", "CollectContext", "CollectResult", "Collector", "Progress", "ReadFailure", "UnitReader", "days_between", "iso",
    "parse_time", "redact",
]

T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CollectContext:
    """What the run gives every collector: concurrency bound, progress, clock, cache dir."""

    concurrency: int = 4
    progress: Progress = field(default_factory=Progress)
    clock: Callable[[], datetime] = _utc_now
    cache_dir: Path | None = None
    environ: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CollectResult:
    resources: tuple[Resource, ...]
    sources: tuple[SourceStatus, ...]


class Collector(ABC):
    """One platform's collector, named by its descriptor (``scanner.collectors.PLATFORMS``).

    ``settings`` is this platform's section of the configuration (from posture.yaml and flags),
    e.g. ``{"orgs": ["acme"], "url": "https://api.github.com"}``. It is parsed by the parser the
    platform's descriptor declares (``validate=``; GitHub, AWS and Azure also accept the parsed
    settings object), which raises ``ConfigError`` naming the field, before any network call.
    A collector reads each unit through a ``UnitReader`` and takes its clients (sessions,
    credentials) through its constructor.
    """

    platform: ClassVar[str]

    def __init__(self, settings: Mapping[str, Any], context: CollectContext) -> None:
        self.settings = settings
        self.context = context

    @abstractmethod
    def collect(self) -> CollectResult:
        """Read every configured source. Per-source failures are recorded, not raised."""


class CallCounter:
    """Counts API calls by endpoint or action, thread-safely, for the source status."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, key: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[key] += amount

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every secret value in ``text`` by ``***`` before it reaches a log or error."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def iso(value: datetime | None) -> str | None:
    """A datetime as ISO 8601 UTC with a Z, the timestamp form every resource uses."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def days_between(earlier: datetime | None, later: datetime) -> int | None:
    """Whole days from ``earlier`` to ``later`` (None when ``earlier`` is None)."""
    if earlier is None:
        return None
    if earlier.tzinfo is None:
        earlier = earlier.replace(tzinfo=timezone.utc)
    return max(0, (later - earlier).days)


def parse_time(value: object) -> datetime | None:
    """A timestamp as every platform writes it, as an aware UTC datetime; None when absent or unreadable.

    Accepts a ``datetime`` (boto3; naive means UTC) and ISO 8601 text with ``Z`` or an offset:
    GitHub's ``2024-01-02T03:04:05Z``, Graph's and ARM's 7-digit fractions, the IAM credential
    report's ``+00:00``, and ``YYYY-MM-DD HH:MM:SS.ffffff+ZZZZ``. Markers that mean "no value"
    (``N/A``, ``no_information``, Graph's year-1 "never") give None, never a date.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip() and not value.startswith("0001-01-01"):
        parsed_text = _parse_iso(value.strip())
        if parsed_text is None:
            return None
        parsed = parsed_text
    else:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _parse_iso(text: str) -> datetime | None:
    iso_text = text.replace("Z", "+00:00")
    if "." in iso_text:
        # More than 6 fractional digits (Graph, ARM): keep microseconds, the rest is noise.
        head, _, rest = iso_text.partition(".")
        digits = ""
        tail = ""
        for index, char in enumerate(rest):
            if not char.isdigit():
                tail = rest[index:]
                break
            digits += char
        iso_text = f"{head}.{digits[:6].ljust(6, '0')}{tail}" if digits else f"{head}{tail}"
    try:
        return datetime.fromisoformat(iso_text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f%z")
    except ValueError:
        return None


class ReadFailure(CollectorError):
    """A read failure its platform has already classified, for ``UnitReader.read_or_unknown``:
    the source error line (the message), its ``kind`` (auth, permission, api), the ``reason`` the
    Unknown carries and an optional ``note`` saying what would complete the audit. For a platform
    whose classification depends on the call (Azure: a 403 is a licence on one Graph endpoint and
    a permission on another; a 401 fails one part, not the tenant)."""

    def __init__(self, message: str, *, kind: str, reason: str, note: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason
        self.note = note


class UnitReader:
    """What one collection unit (a GitHub org, an AWS account, an Azure tenant or subscription)
    records while it reads, and the one "read this or record Unknown with the reason" helper.

    ``read_or_unknown`` runs a read. Credentials rejected (``AuthError``) end the unit: it raises.
    A missing permission (``PermissionDenied``) gives ``Unknown(needs)``, the documented reason,
    and a note grouped by that reason. Any other API failure (``CollectorError``) gives an Unknown
    and a source error, so the source is never reported complete. Anything else is not an API
    answer and propagates. A platform whose SDK raises its own exceptions overrides ``classify``
    to translate them into this tree; ``denied`` and ``failed`` shape its messages.
    """

    def __init__(self, unit: str, counter: CallCounter | None = None) -> None:
        self.unit = unit  # how errors name the unit, e.g. "GitHub organization acme"
        self.counter = counter or CallCounter()
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.kinds: set[str] = set()
        self.missing: defaultdict[str, set[str]] = defaultdict(set)  # reason -> what it left unread
        self.informational: defaultdict[str, set[str]] = defaultdict(set)  # reason -> absent by plan
        self.parts = 0
        self.failed_parts = 0

    def read_or_unknown(
        self, what: str, read: Callable[[], T], *, needs: str | None = None, plan_feature: bool = False
    ) -> T | Unknown:
        """``read()``, or an ``Unknown`` with the reason, recorded on this unit.

        ``needs`` is the documented reason a refusal gives (``needs read:org``); ``plan_feature``
        marks a read whose 404 means the plan lacks the feature (a note, not a missing permission).
        """
        self.parts += 1
        try:
            return read()
        except AuthError:
            raise
        except Exception as exc:
            error = self.classify(what, exc)
            if error is None:
                raise
            if isinstance(error, AuthError):
                raise error from exc
            self.failed_parts += 1
            if isinstance(error, PermissionDenied):
                if plan_feature and getattr(error, "status", None) == 404:
                    reason = needs or f"needs access to {what}"
                    self.informational[reason].add(what)
                    return Unknown(reason)
                return self.denied(what, needs or f"needs access to {what}", error)
            return self.failed(what, error)

    def classify(self, what: str, exc: Exception) -> CollectorError | None:
        """The error ``exc`` (raised reading ``what``) stands for in scanner.errors' tree; None: not
        an API answer. An override may raise instead, to end the unit."""
        return exc if isinstance(exc, CollectorError) else None

    def denied(self, what: str, needs: str, error: CollectorError) -> Unknown:
        self.kinds.add("permission")
        self.missing[needs].add(what)
        return Unknown(needs)

    def failed(self, what: str, error: CollectorError) -> Unknown:
        if isinstance(error, ReadFailure):
            self.kinds.add(error.kind)
            self.errors.append(str(error))
            if error.note is not None:
                self.notes.append(error.note)
            return Unknown(error.reason)
        self.kinds.add(error.kind)
        self.errors.append(f"{self.unit}: could not read {what}: {error}")
        return Unknown(f"could not be read: {error}")

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def all_notes(self) -> tuple[str, ...]:
        """Missing permissions grouped by reason, then features absent by plan, then free notes."""
        lines = [f"{reason}: {', '.join(sorted(whats))}" for reason, whats in sorted(self.missing.items())]
        lines += [f"{reason}: {', '.join(sorted(whats))}" for reason, whats in sorted(self.informational.items())]
        return tuple(lines + self.notes)

    def error_kind(self) -> str | None:
        """The worst kind recorded: auth, then permission, then api."""
        for kind in ("auth", "permission", "api"):
            if kind in self.kinds:
                return kind
        return None
