"""The pipeline end to end: collect -> correlate -> evaluate -> waivers -> history -> report.

The CLI parses flags and renders; this module runs the stages. Each stage sees only the data
model of the one before it: collectors produce an Inventory, the engine turns it into Findings,
the later stages decorate the Report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult, redact
from scanner.config import Settings
from scanner.errors import ConfigError, PostureError
from scanner.findings import Report, RunInfo
from scanner.inventory.model import SourceStatus
from scanner.inventory.snapshot import Inventory, utc_now_iso
from scanner.policy.engine import evaluate
from scanner.policy.loader import baseline_dir, load_policies
from scanner.policy.model import Policy

# Environment variables that hold secrets: their values are scrubbed from any error text.
SECRET_ENV = ("GITHUB_TOKEN", "GH_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET", "POSTURE_HEC_TOKEN")


def collect(settings: Settings, context: CollectContext) -> Inventory:
    """Run every enabled collector (platforms side by side); one failing never loses the others."""
    platforms = settings.enabled_sources
    if not platforms:
        raise ConfigError(
            "nothing to scan: name a source (--github-org ORG, --aws, --azure, --roster FILE) or use --demo"
        )
    # Build every collector first so a settings error stops the run before any network call.
    collectors = {name: load_collector(name)(settings.sources[name], context) for name in platforms}
    started = utc_now_iso()
    with ThreadPoolExecutor(max_workers=len(collectors)) as pool:
        futures = {name: pool.submit(collector.collect) for name, collector in collectors.items()}
        results = [_result_of(name, future, started, context.environ) for name, future in futures.items()]
    resources = tuple(r for result in results for r in result.resources)
    sources = tuple(s for result in results for s in result.sources)
    return Inventory(resources, sources, started, __version__)


def with_roster(inventory: Inventory, settings: Settings, context: CollectContext) -> Inventory:
    """Read the configured roster (a local file) into ``inventory``, replacing any roster it holds.

    Cloud snapshots are often collected by a CI job while the roster lives with HR: this joins
    them at evaluation time. Day counts stay relative to the snapshot's collection date.
    """
    if "roster" not in settings.sources:
        return inventory
    roster = collect(replace(settings, sources={"roster": settings.sources["roster"]}), context)
    resources = tuple(r for r in inventory.resources if r.type != "roster.entry") + roster.resources
    sources = tuple(s for s in inventory.sources if s.platform != "roster") + roster.sources
    return Inventory(resources, sources, inventory.collected_at, inventory.tool_version)


def _result_of(name: str, future: Future[CollectResult], started: str, environ: Mapping[str, str]) -> CollectResult:
    try:
        return future.result()
    except ConfigError:
        raise
    except Exception as exc:  # a collector bug must not lose the other platforms' results
        secrets = [environ.get(k) for k in SECRET_ENV]
        message = redact(f"the {name} collector stopped unexpectedly: {type(exc).__name__}: {exc}", secrets)
        status = SourceStatus(name=name, platform=name, status="failed", errors=(message,), started_at=started,
                              finished_at=utc_now_iso(), error_kind="internal")
        return CollectResult((), (status,))


def correlate_inventory(inventory: Inventory) -> Inventory:
    """Link accounts to roster people (adds derived attributes); the date is the snapshot's own,
    so re-evaluating an old snapshot reproduces the day counts the auditor saw then."""
    from scanner.correlate import correlate
    from scanner.paths import derive_paths

    return derive_paths(correlate(inventory, inventory.collected_on))


def policy_paths(settings: Settings) -> list[Path]:
    paths = [baseline_dir()] if settings.default_policies else []
    paths.extend(settings.policies)
    if not paths:
        raise ConfigError("no policies: --no-default-policies needs at least one --policies DIR")
    return paths


def load_run_policies(settings: Settings) -> list[Policy]:
    return load_policies(policy_paths(settings), param_overrides=settings.policy_params)


@dataclass(frozen=True)
class Evaluation:
    report: Report
    inventory: Inventory


def evaluate_inventory(inventory: Inventory, policies: Sequence[Policy], started_at: str | None = None) -> Evaluation:
    """Correlate and evaluate: the Report before waivers and history."""
    started = started_at or utc_now_iso()
    correlated = correlate_inventory(inventory)
    findings = evaluate(policies, correlated)
    run = RunInfo(
        tool_version=__version__,
        started_at=started,
        finished_at=utc_now_iso(),
        sources=inventory.sources,
    )
    return Evaluation(Report(run=run, findings=tuple(findings), people=people_view(correlated)), correlated)


def people_view(inventory: Inventory) -> tuple[dict[str, Any], ...]:
    """The access-review rows for reports (HTML People section); empty without a roster."""
    if not any(r.type == "roster.person" for r in inventory.resources):
        return ()
    from scanner.people import people_rows

    return tuple(
        {
            "person": row.name,
            "type": row.employment_type or "",
            "partner": row.partner or "",
            "status": row.status or "",
            "days since exit": "" if row.days_since_exit is None else row.days_since_exit,
            "GitHub": list(row.github),
            "AWS": list(row.aws),
            "Azure": list(row.azure) + list(row.azure_roles),
            "admin on": list(row.admin_platforms),
            "MFA": row.mfa,
        }
        for row in people_rows(inventory)
    )


def environment() -> dict[str, str]:
    """The process environment, passed explicitly to collectors (no global reads deep inside)."""
    return dict(os.environ)


__all__ = ["PostureError", "collect", "evaluate_inventory", "load_run_policies", "environment"]
