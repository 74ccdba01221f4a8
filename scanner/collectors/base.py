"""The collector interface and what every collector is given to work with.

A collector reads one platform, read-only, and returns resources plus one ``SourceStatus`` per
source it read (one per GitHub org, AWS account, Azure tenant/subscription, roster file).
A source that fails is recorded as ``failed``/``partial`` with its error; it never raises out
of ``collect`` for a per-source problem, so one source failing never loses the others.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

from scanner.inventory.model import Resource, SourceStatus
from scanner.progress import Progress

__all__ = ["CallCounter", "CollectContext", "CollectResult", "Collector", "Progress", "days_between", "iso", "redact"]


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
    e.g. ``{"orgs": ["acme"], "url": "https://api.github.com"}``; the collector validates it and
    raises ``ConfigError`` naming the field on bad values, before any network call.
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
