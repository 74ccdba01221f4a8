"""The pipeline end to end: collect -> correlate -> evaluate -> waivers -> outputs -> history -> sinks.

The CLI parses flags and renders; this module runs the stages. Each stage sees only the data
model of the one before it: collectors produce an Inventory, the engine turns it into Findings,
the later stages decorate the Report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, assert_never

from scanner import __version__
from scanner.collectors import platform, platforms
from scanner.collectors.base import CollectContext, CollectResult, redact
from scanner.config import AllowErrors, OutputSpec, Settings
from scanner.errors import ConfigError, HistoryError, PostureError
from scanner.files import check_writable, open_private, private_dir
from scanner.findings import (
    Finding,
    Report,
    RunInfo,
    Selection,
    Status,
    TrendPoint,
    select_findings,
    trend_from_runs,
    worst_failure,
)
from scanner.inventory.model import SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory, utc_now_iso
from scanner.policy.engine import evaluate
from scanner.policy.loader import baseline_dir, load_policies
from scanner.policy.model import Policy

if TYPE_CHECKING:
    from scanner.executors.plan import Plan

# Environment variables that hold secrets besides the platforms' own (Platform.secret_env):
# their values are scrubbed from any error text.
RUN_SECRET_ENV = ("POSTURE_HEC_TOKEN",)


def secret_env() -> tuple[str, ...]:
    """Every environment variable that may hold a secret: the platforms' declared ones and the run's."""
    return tuple(dict.fromkeys([*(v for p in platforms() for v in p.secret_env), *RUN_SECRET_ENV]))


def collect(settings: Settings, context: CollectContext) -> Inventory:
    """Run every enabled collector (platforms side by side); one failing never loses the others."""
    enabled = settings.enabled_sources
    if not enabled:
        switches = ", ".join(_source_hint(p) for p in platforms())
        raise ConfigError(f"nothing to scan: name a source ({switches}) or use --demo")
    if context.cache_dir is not None:
        private_dir(context.cache_dir)  # cached answers are inventory data: 0700 like snapshots
    # Build every collector first so a settings error stops the run before any network call.
    collectors = {name: platform(name).make_collector(settings.sources[name], context) for name in enabled}
    started = utc_now_iso()
    with ThreadPoolExecutor(max_workers=len(collectors)) as pool:
        futures = {name: pool.submit(collector.collect) for name, collector in collectors.items()}
        results = [_result_of(name, future, started, context.environ) for name, future in futures.items()]
    resources = tuple(r for result in results for r in result.resources)
    sources = tuple(s for result in results for s in result.sources)
    return Inventory(resources, sources, started, __version__)


def _source_hint(descriptor: Any) -> str:
    """``--aws`` or ``--github-org ORG``: how a platform is switched on from the command line."""
    if descriptor.enable_flag:
        return str(descriptor.enable_flag)
    option = descriptor.option(descriptor.required[0]) if descriptor.required else None
    if option is None or not option.flag:
        return f"{descriptor.name}: in posture.yaml"
    return f"{option.flag} {option.metavar or ('FILE' if option.path else 'VALUE')}"


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
        secrets = [environ.get(k) for k in secret_env()]
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
    from scanner.paths import report_paths
    from scanner.people import report_rows

    report = Report(run=run, findings=tuple(findings), people=report_rows(correlated), paths=report_paths(correlated))
    return Evaluation(report, correlated)


def environment() -> dict[str, str]:
    """The process environment, passed explicitly to collectors (no global reads deep inside)."""
    return dict(os.environ)


# --- the gate: what may pass CI -----------------------------------------------------------

# Source error kinds that document why a source could only be read in part (the summary names
# them); any other kind (api, internal, auth, none given) means the scan is incomplete.
DOCUMENTED_KINDS = frozenset({"permission", "licence"})


@dataclass(frozen=True)
class Unevaluated:
    """Checks that came out ERROR for one reason. ``documented``: the cause is a missing
    permission or licence the collector named; ``gating``: how many are at or above --fail-on."""

    reason: str
    documented: bool
    count: int
    gating: int


def unevaluated_checks(
    findings: Sequence[Finding], inventory: Inventory, policies: Sequence[Policy], fail_on: Any
) -> tuple[Unevaluated, ...]:
    """ERROR findings grouped by why they could not be evaluated, most frequent first.

    The reason is the Unknown attribute the policy read (``needs iam:ListUsers``), else the
    engine's message (a CEL runtime error, an attribute not collected).
    """
    by_id = {p.id: p for p in policies}
    resources = {r.id: r for r in inventory.resources}
    groups: dict[tuple[str, bool], list[int]] = {}
    for finding in findings:
        if finding.status is not Status.ERROR:
            continue
        policy = by_id.get(finding.policy)
        resource = resources.get(finding.resource.id)
        unknowns: list[Unknown] = []
        if policy is not None and resource is not None:
            names = sorted(set(policy.when_attributes) | set(policy.assert_attributes))
            unknowns = [v for v in (resource.attributes.get(n) for n in names) if isinstance(v, Unknown)]
        if unknowns:
            key = (unknowns[0].reason, all(u.documented for u in unknowns))
        else:
            key = (finding.message, False)
        counts = groups.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += finding.severity.at_least(fail_on)
    return tuple(
        Unevaluated(reason, documented, count, gating)
        for (reason, documented), (count, gating) in sorted(groups.items(), key=lambda kv: (-kv[1][0], kv[0][0]))
    )


def unevaluated_notices(groups: Sequence[Unevaluated]) -> tuple[str, ...]:
    """The summary lines: how many checks could not be evaluated, and why (grouped by reason)."""
    if not groups:
        return ()
    total = sum(g.count for g in groups)
    lines = [f"{total} check{'s' if total != 1 else ''} could not be evaluated (ERROR), by reason:"]
    for group in groups:
        kind = "missing permission or licence" if group.documented else "not explained: data unreadable or incomplete"
        lines.append(f"  {group.count} x {group.reason} [{kind}]")
    return tuple(lines)


@dataclass(frozen=True)
class Verdict:
    """What the exit code is made of (``cli`` maps it to a number).

    ``failed``: failures at or above --fail-on (new ones only with --new-only and a baseline);
    ``incomplete``: one line per reason the run cannot vouch for what it did not see;
    ``refused``: every source refused the credentials (bad input, not an incomplete scan).
    """

    failed: bool
    incomplete: tuple[str, ...] = ()
    refused: bool = False


def sources_incomplete(inventory: Inventory) -> tuple[str, ...]:
    """Sources not fully read for a cause other than a documented missing permission or licence."""
    reasons = []
    for source in inventory.sources:
        if source.status == "failed":
            reasons.append(f"source {source.name} failed")
        elif source.status == "partial" and source.error_kind not in DOCUMENTED_KINDS:
            why = f": {source.errors[0]}" if source.errors else ""
            reasons.append(f"source {source.name} was read only in part{why}")
    return tuple(reasons)


def _accepted(group: Unevaluated, allow_errors: AllowErrors) -> bool:
    match allow_errors:
        case "none":
            return False
        case "permission":
            return group.documented
        case "all":
            return True
        case _:
            assert_never(allow_errors)


def errors_gating(groups: Sequence[Unevaluated], fail_on: Any, allow_errors: AllowErrors) -> tuple[str, ...]:
    """ERROR checks at or above --fail-on that --allow-errors does not accept."""
    blocking = [g for g in groups if g.gating and not _accepted(g, allow_errors)]
    count = sum(g.gating for g in blocking)
    if not count:
        return ()
    hint = "--allow-errors permission accepts documented permission or licence gaps" if all(
        g.documented for g in blocking
    ) else "give the collector what it needs, or --allow-errors all to accept them"
    return (f"{count} check{'s' if count != 1 else ''} at or above {fail_on.value} could not be evaluated ({hint})",)


def verdict(report: Report, inventory: Inventory, settings: Settings, groups: Sequence[Unevaluated],
            *, baseline: bool) -> Verdict:
    worst = worst_failure(report.findings, new_only=settings.new_only and baseline)
    sources = inventory.sources
    refused = bool(sources) and all(s.status == "failed" for s in sources) and any(
        s.error_kind == "auth" for s in sources
    )
    return Verdict(
        failed=worst is not None and worst.at_least(settings.fail_on),
        incomplete=sources_incomplete(inventory) + errors_gating(groups, settings.fail_on, settings.allow_errors),
        refused=refused,
    )


# --- one run ---------------------------------------------------------------------------------


def check_outputs(settings: Settings, extra: Sequence[tuple[str, Path]] = ()) -> None:
    """Before collecting: every --format name is known and every output path can be written.

    ``extra``: other files the run will write, as (label, path), e.g. ("-o snap.json", path).
    """
    from scanner.outputs import writer_for

    for spec in settings.formats:
        writer_for(spec.name)
    targets = [(f"--format {spec.name}:{spec.path}", spec.path) for spec in settings.formats if spec.path is not None]
    for label, path in [*targets, *extra]:
        problem = check_writable(path, label)
        if problem:
            raise ConfigError(problem)


def write_outputs(report: Report, specs: Sequence[OutputSpec], stdout: TextIO, ocsf_version: str | None = None) -> bool:
    """Write each --format (files 0600); returns whether any went to stdout."""
    from scanner.outputs import writer_for

    to_stdout = False
    # Unknown names fail before writing anything.
    writers = [(spec, writer_for(spec.name, ocsf_version=ocsf_version)) for spec in specs]
    for spec, writer in writers:
        if spec.path is None:
            writer(report, stdout)
            stdout.flush()
            to_stdout = True
            continue
        try:
            # The job summary file collects every step's summary: append to it, never truncate it.
            with open_private(spec.path, append=_is_step_summary(spec.path)) as handle:
                writer(report, handle)
        except OSError as exc:
            raise ConfigError(f"--format {spec.name}:{spec.path}: cannot write ({exc.strerror or exc})") from exc
    return to_stdout


def _is_step_summary(path: Path) -> bool:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    return summary is not None and summary != "" and Path(summary).resolve() == path.resolve()


def trend_with(earlier: Sequence[Any], report: Report) -> tuple[TrendPoint, ...]:
    """The failures of the last runs of this scope and of this one, oldest first."""
    current = TrendPoint(run_id=str(report.run.run_id), finished_at=report.run.finished_at,
                         failures=report.by_status().get("FAIL", 0), failures_by_severity=report.failures_by_severity())
    return trend_from_runs(earlier) + (current,)


def history_url(value: str | None) -> str | None:
    """A SQLAlchemy URL, or a plain path taken as a SQLite file."""
    if value and "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def apply_run_waivers(report: Report, settings: Settings, policies: Sequence[Policy], today: date) -> Report:
    if settings.waivers is None:
        return report
    from scanner.waivers import apply_waivers, load_waivers

    waivers = load_waivers(settings.waivers, known_policies={p.id for p in policies})
    findings, notices = apply_waivers(report.findings, waivers, today)
    return replace(report.with_findings(findings), notices=report.notices + notices)


def open_sinks(settings: Settings) -> list[Any]:
    if not settings.sinks:
        return []
    from scanner.sinks import open_sink

    return [open_sink(url, environment()) for url in settings.sinks]


@dataclass(frozen=True)
class RunResult:
    """One run's outcome, for the CLI to render and turn into an exit code."""

    report: Report
    shown: Report  # the findings the outputs and sinks got (--policy/--severity/--status); report has all
    inventory: Inventory
    verdict: Verdict
    unevaluated: tuple[Unevaluated, ...]
    to_stdout: bool
    baseline: bool
    history_error: str | None = None
    sink_results: tuple[tuple[str, Any], ...] = field(default_factory=tuple)


def assess(settings: Settings, inventory: Inventory, policies: Sequence[Policy], *, today: date,
           started: str | None = None) -> Evaluation:
    """Correlate, evaluate and apply the configured waivers: what ``scan``, ``evaluate``, ``report``
    and ``people`` all see for one inventory and one configuration."""
    evaluation = evaluate_inventory(inventory, policies, started)
    return replace(evaluation, report=apply_run_waivers(evaluation.report, settings, policies, today))


def load_inventory(settings: Settings, snapshot_files: Sequence[Path], context: CollectContext) -> Inventory:
    """Snapshots merged, with the configured roster (posture.yaml or --roster) read now and linked."""
    from scanner.inventory import snapshot as snapshots

    try:
        merged = snapshots.merge([snapshots.load(p) for p in snapshot_files])
    except snapshots.SnapshotFormatError as exc:
        from scanner.errors import SnapshotError

        raise SnapshotError(str(exc)) from exc
    return with_roster(merged, settings, context)


def save_snapshot(inventory: Inventory, path: Path) -> None:
    from scanner.inventory import snapshot as snapshots

    try:
        snapshots.save(inventory, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the snapshot ({exc.strerror or exc})") from exc


def run(settings: Settings, source: Inventory | CollectContext, policies: Sequence[Policy], *, started: str,
        today: date, stdout: TextIO, scope: str | None = None, snapshot: Path | None = None,
        selection: Selection | None = None, ocsf_version: str | None = None) -> RunResult:
    """The whole run: collect (when ``source`` is a CollectContext; else evaluate the inventory
    given), correlate, evaluate, apply waivers, write the reports, record history, deliver to sinks.

    Output names and paths are checked before anything is collected.

    The reports are written before the run is recorded, inside the history transaction: a run
    whose reports could not be written is not recorded, and a history store that is down costs
    the user the comparison, not the report files (``history_error`` says why, the CLI exits 3).
    A run that is incomplete is recorded flagged and is never the baseline of a later run.
    """
    check_outputs(settings, [(f"-o/--snapshot {snapshot}", snapshot)] if snapshot else [])
    sinks = open_sinks(settings)  # a malformed sink URL stops the run before anything is written
    if isinstance(source, Inventory):
        inventory = source
    else:
        inventory = collect(settings, source)
        if snapshot is not None:
            save_snapshot(inventory, snapshot)
    evaluation = assess(settings, inventory, policies, today=today, started=started)
    report = evaluation.report
    if scope:
        report = replace(report, run=replace(report.run, scope=scope))
    groups = unevaluated_checks(report.findings, evaluation.inventory, policies, settings.fail_on)
    report = replace(report, notices=report.notices + unevaluated_notices(groups))
    complete = not verdict(report, inventory, settings, groups, baseline=False).incomplete

    def shown_of(full: Report) -> Report:  # history and the exit code see every finding
        return select_findings(full, selection) if selection is not None else full

    history_error: str | None = None
    written: bool | None = None
    if not settings.no_history:
        from scanner.history import HistoryStore

        try:
            with HistoryStore(history_url(settings.history)) as store:
                earlier = store.runs(limit=11, scope=report.run.scope)  # the HTML report's trend
                with store.recording(report, report.run.scope, complete=complete) as stamped:
                    stamped = replace(stamped, trend=trend_with(earlier, stamped))
                    written = write_outputs(shown_of(stamped), settings.formats, stdout, ocsf_version)
                    report = stamped
        except HistoryError as exc:
            history_error = str(exc)
    if written is None:
        written = write_outputs(shown_of(report), settings.formats, stdout, ocsf_version)
    baseline = report.previous_run_id is not None
    shown = shown_of(report)
    results = tuple((sink.url.display, sink.send(shown, ocsf_version)) for sink in sinks)
    return RunResult(
        report=report,
        shown=shown,
        inventory=inventory,
        verdict=verdict(report, inventory, settings, groups, baseline=baseline),
        unevaluated=groups,
        to_stdout=written,
        baseline=baseline,
        history_error=history_error,
        sink_results=results,
    )


__all__ = ["PostureError", "collect", "evaluate_inventory", "load_run_policies", "environment", "run"]


# --- units: plans, shards and distributed runs (scanner/executors) -------------------------------


def plan_for(settings: Settings) -> Plan:
    """The collection units of the enabled sources (before organization/account discovery)."""
    from scanner.executors.plan import plan_units

    return plan_units(settings.sources, {name: platform(name) for name in settings.sources})


def collect_shard(settings: Settings, context: CollectContext, index: int, count: int) -> Inventory:
    """Collect shard ``index`` of ``count`` of the plan; the inventory names its units and the plan."""
    from scanner.executors.local import collect_units
    from scanner.executors.plan import select_shard

    plan = plan_for(settings)
    units = select_shard(plan.units, index, count)
    return collect_units(units, {u.platform: platform(u.platform) for u in units}, context, plan.keys)


@dataclass(frozen=True)
class RemoteOutcome:
    """What a distributed run's last task sends back to the caller (plain JSON)."""

    verdict: Verdict
    summary: Mapping[str, Any]
    delivery_failed: bool
    notices: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"verdict": {"failed": self.verdict.failed, "incomplete": list(self.verdict.incomplete),
                            "refused": self.verdict.refused},
                "summary": dict(self.summary), "delivery_failed": self.delivery_failed, "notices": list(self.notices)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RemoteOutcome:
        verdict = data["verdict"]
        return cls(Verdict(bool(verdict["failed"]), tuple(verdict["incomplete"]), bool(verdict["refused"])),
                   data["summary"], bool(data["delivery_failed"]), tuple(data.get("notices", ())))


def finish_run(values: Mapping[str, Any], inventory: Inventory) -> RemoteOutcome:
    """The rest of a distributed run, once, on the merged inventory: correlate, evaluate, waivers,
    outputs, history and sinks, exactly as ``run`` does for a local one."""
    import io

    from scanner.config import build_settings

    settings = build_settings(values)
    policies = load_run_policies(settings)
    started = utc_now_iso()
    today = datetime.now(timezone.utc).date()
    result = run(settings, inventory, policies, started=started, today=today, stdout=io.StringIO())
    delivery_failed = result.history_error is not None or any(not sent.ok for _display, sent in result.sink_results)
    return RemoteOutcome(result.verdict, result.report.summary(), delivery_failed, result.report.notices)
