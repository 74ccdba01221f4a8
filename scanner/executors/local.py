"""Collect units in this process: one thread per credential, its units one after another.

Units that share a credential (a GitHub token, an AWS management account) share its rate limit,
so they run in turn; units on different credentials run side by side. A unit whose collector
breaks becomes a failed source; it never loses the other units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from scanner import __version__
from scanner.collectors.base import CollectContext, CollectResult, redact
from scanner.collectors.descriptor import Platform, Unit
from scanner.errors import ConfigError
from scanner.inventory.model import SourceStatus
from scanner.inventory.snapshot import Inventory, utc_now_iso


def collect_unit(unit: Unit, platform: Platform, context: CollectContext) -> CollectResult:
    """Collect one unit; an unexpected collector error is a failed source (secrets redacted)."""
    started = utc_now_iso()
    try:
        return platform.make_collector(unit.settings, context).collect()
    except ConfigError:
        raise
    except Exception as exc:  # a collector bug must not lose the other units
        secrets = [context.environ.get(k) for k in platform.secret_env]
        message = redact(f"the {platform.name} collector stopped unexpectedly on {unit.key}: "
                         f"{type(exc).__name__}: {exc}", secrets)
        status = SourceStatus(name=unit.key, platform=platform.name, status="failed", errors=(message,),
                              started_at=started, finished_at=utc_now_iso(), error_kind="internal")
        return CollectResult((), (status,))


def collect_units(units: Sequence[Unit], platforms: Mapping[str, Platform], context: CollectContext,
                  planned: Sequence[str] = ()) -> Inventory:
    """Collect ``units`` (a whole plan or one shard of it) into one Inventory that names them."""
    started = utc_now_iso()
    # Build every collector's settings check before any network call: a typo stops the run now.
    for unit in units:
        validate = platforms[unit.platform].validate
        if validate is not None:
            validate(unit.settings)
    by_credential: dict[str, list[Unit]] = {}
    for unit in units:
        by_credential.setdefault(unit.credential, []).append(unit)

    def run_in_turn(group: list[Unit]) -> list[CollectResult]:
        return [collect_unit(unit, platforms[unit.platform], context) for unit in group]

    results: list[CollectResult] = []
    if by_credential:
        with ThreadPoolExecutor(max_workers=len(by_credential)) as pool:
            for group_results in pool.map(run_in_turn, by_credential.values()):
                results.extend(group_results)
    return Inventory(
        resources=tuple(r for result in results for r in result.resources),
        sources=tuple(s for result in results for s in result.sources),
        collected_at=started,
        tool_version=__version__,
        units=tuple(u.key for u in units),
        planned_units=tuple(planned),
    )
