"""The records every collector produces and every policy reads.

A ``Resource`` is one thing on one platform (a repository, an IAM user, a role assignment).
Its ``attributes`` are plain JSON values, except ``Unknown``: an attribute the collector could
not read, with the reason. Policies that touch an ``Unknown`` yield ERROR, never PASS.

This package is the leaf of the pipeline: it imports nothing else from ``scanner``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

SourceState = Literal["ok", "partial", "failed"]


@dataclass(frozen=True)
class Unknown:
    """An attribute that could not be read. ``reason`` says why, e.g. ``needs admin:org scope``."""

    reason: str

    @property
    def documented(self) -> bool:
        """True when the collector names a missing permission or licence as the cause.

        The convention every collector follows: such a reason starts with ``needs `` and names
        what is missing (``needs iam:ListUsers``, ``needs Microsoft Entra ID P1``). Anything else
        (a 5xx, a throttle, a malformed answer, an unfinished page) is an unexplained gap, and a
        CI gate must not pass on it (see ``scanner.pipeline.gate``).
        """
        return self.reason.startswith("needs ")

    def to_json(self) -> dict[str, str]:
        return {"$unknown": self.reason}


def is_unknown_json(value: Any) -> bool:
    """True for the JSON encoding of an ``Unknown`` (``{"$unknown": reason}``)."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("$unknown"), str)


@dataclass(frozen=True)
class Resource:
    """One audited object. ``id`` is globally unique and stable across runs."""

    type: str
    id: str
    name: str
    scope: str
    attributes: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def unknown_attributes(self) -> dict[str, Unknown]:
        return {k: v for k, v in self.attributes.items() if isinstance(v, Unknown)}

    def with_attributes(self, **extra: Any) -> Resource:
        """A copy with attributes added or replaced (used by correlation)."""
        return Resource(self.type, self.id, self.name, self.scope, {**self.attributes, **extra})

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "name": self.name,
            "scope": self.scope,
            "attributes": {
                k: v.to_json() if isinstance(v, Unknown) else v for k, v in self.attributes.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resource:
        """Inverse of ``to_json``. Raises KeyError/TypeError on malformed input (the caller wraps)."""
        attributes = data.get("attributes", {})
        if not isinstance(attributes, dict):
            raise TypeError("attributes must be an object")
        for key in ("type", "id", "name", "scope"):
            if not isinstance(data[key], str):
                raise TypeError(f"{key} must be a string")
        return cls(
            type=data["type"],
            id=data["id"],
            name=data["name"],
            scope=data["scope"],
            attributes={
                k: Unknown(v["$unknown"]) if is_unknown_json(v) else v for k, v in attributes.items()
            },
        )


@dataclass(frozen=True)
class SourceStatus:
    """How collecting one source went: one GitHub org, one AWS account, one Azure tenant, ...

    ``api_calls`` counts requests by endpoint or API action. ``notes`` name what would complete
    a partial audit (e.g. "an org owner token would read members' 2FA"). Never holds a secret.
    """

    name: str
    platform: str
    status: SourceState
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    identity: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    api_calls: Mapping[str, int] = field(default_factory=dict, hash=False)
    error_kind: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "platform": self.platform,
            "status": self.status,
            "errors": list(self.errors),
            "notes": list(self.notes),
            "identity": self.identity,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "api_calls": dict(self.api_calls),
            "error_kind": self.error_kind,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceStatus:
        status = data["status"]
        if status not in ("ok", "partial", "failed"):
            raise ValueError(f"source status must be ok, partial or failed, not {status!r}")
        api_calls = data.get("api_calls") or {}
        if not isinstance(api_calls, dict):
            raise TypeError("api_calls must be an object")
        return cls(
            name=str(data["name"]),
            platform=str(data["platform"]),
            status=status,
            errors=tuple(str(e) for e in data.get("errors") or ()),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            identity=data.get("identity"),
            started_at=data.get("started_at"),
            finished_at=data.get("finished_at"),
            api_calls={str(k): int(v) for k, v in api_calls.items()},
            error_kind=data.get("error_kind"),
        )
