"""Shared helpers of the AWS collector tests: collect through the registry, evaluate policies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult
from scanner.inventory.model import Resource
from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.aws.seed import NOW

POLICY_DIR = Path(__file__).resolve().parents[3] / "policies" / "aws"

# What the read-only test allows (DESIGN §6): reads, the credential report, AssumeRole, identity.
READ_PREFIXES = ("Get", "List", "Describe")
ALLOWED_OTHER = {"GenerateCredentialReport", "AssumeRole", "GetCallerIdentity"}


def collect(settings: Mapping[str, Any] | None = None, concurrency: int = 4) -> CollectResult:
    """Collect through the same path the CLI takes: load_collector("aws")(settings, context)."""
    collector_class = load_collector("aws")
    context = CollectContext(concurrency=concurrency, clock=lambda: NOW)
    return collector_class(dict(settings or {}), context).collect()


def outcomes(resources: Iterable[Resource]) -> dict[str, dict[str, str]]:
    """policy id -> resource name -> status, evaluating the shipped AWS policies."""
    policies = load_policies([POLICY_DIR])
    table: dict[str, dict[str, str]] = {p.id: {} for p in policies}
    for finding in evaluate(policies, Inventory(tuple(resources))):
        table[finding.policy][finding.resource.name] = finding.status.value
    return table


def is_read_only(action: str, method: str, path: str) -> bool:
    """An action name (query/JSON protocols) or, for REST calls, a GET or a POST /get*|/list*."""
    if " " not in action:
        return action.startswith(READ_PREFIXES) or action in ALLOWED_OTHER
    if method in ("GET", "HEAD"):
        return True
    last = path.rstrip("/").rsplit("/", 1)[-1].lower()
    return method == "POST" and last.startswith(("get", "list", "describe"))
