"""What a person sees in the terminal: a summary of the run, and progress while it collects.

On a terminal: rich tables (by guide area and severity) and the worst findings. Elsewhere (CI,
pipes): plain, stable text that diffs well between runs.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgressBar, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from scanner.progress import Progress
from scanner.findings import Report, Severity, Status

SEVERITY_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
STATUS_ORDER = [Status.FAIL, Status.ERROR, Status.WAIVED, Status.PASS, Status.SKIPPED]


def render_plain(report: Report, stream: TextIO, *, top: int = 15) -> None:
    """Stable text for CI logs."""
    statuses = report.by_status()
    sev = report.failures_by_severity()
    resources = len({f.resource.id for f in report.findings})
    stream.write(f"posture {report.run.tool_version}: {len(report.findings)} checks on {resources} resources\n")
    for source in report.run.sources:
        calls = sum(source.api_calls.values())
        line = f"  source {source.name}: {source.status}"
        if calls:
            line += f" ({calls} API calls)"
        stream.write(line + "\n")
        for error in source.errors:
            stream.write(f"    error: {error}\n")
        for note in source.notes:
            stream.write(f"    note: {note}\n")
    stream.write("  results: " + ", ".join(f"{s.value} {statuses[s.value]}" for s in STATUS_ORDER) + "\n")
    stream.write("  failures by severity: " + ", ".join(f"{k} {v}" for k, v in sev.items()) + "\n")
    if report.recorded:
        summary = report.summary()
        since = f"since run {report.previous_run_id}" if report.previous_run_id else "first recorded run"
        stream.write(f"  {since}: {summary['new']} new, {summary['resolved']} resolved (run {report.run.run_id})\n")
    for notice in report.notices:
        stream.write(f"  notice: {notice}\n")
    failures = report.failures()
    if failures:
        stream.write(f"top failures ({min(top, len(failures))} of {len(failures)}):\n")
        for finding in failures[:top]:
            stream.write(f"  {finding.severity.value.upper():8} {finding.policy}  {finding.resource.id}\n")
            stream.write(f"           {finding.message}\n")
    errors = [f for f in report.findings if f.status is Status.ERROR]
    if errors:
        stream.write(f"could not evaluate {len(errors)} checks (status ERROR); first: {errors[0].policy} on {errors[0].resource.id}: {errors[0].message}\n")


def render_rich(report: Report, console: Console, *, top: int = 15) -> None:
    """Tables for a person at a terminal."""
    sources = Table(title="Sources", title_justify="left", show_edge=False)
    for column in ("source", "status", "API calls", "errors / notes"):
        sources.add_column(column)
    for source in report.run.sources:
        style = {"ok": "green", "partial": "yellow", "failed": "red"}[source.status]
        sources.add_row(source.name, f"[{style}]{source.status}[/]", str(sum(source.api_calls.values()) or ""),
                        "\n".join([*source.errors, *source.notes]))
    if report.run.sources:
        console.print(sources)

    by_area: dict[str, Counter[str]] = {}
    for finding in report.findings:
        counts = by_area.setdefault(finding.area, Counter())
        counts[finding.status.value] += 1
        if finding.is_failure:
            counts[finding.severity.value] += 1
    table = Table(title="Results by guide control", title_justify="left", show_edge=False)
    table.add_column("control")
    for severity in Severity:
        table.add_column(severity.value, justify="right", style=SEVERITY_STYLE[severity.value])
    for status in (Status.ERROR, Status.WAIVED, Status.PASS):
        table.add_column(status.value.lower(), justify="right")
    for area in sorted(by_area):
        counts = by_area[area]
        table.add_row(area, *[str(counts[s.value] or "") for s in Severity],
                      *[str(counts[s.value] or "") for s in (Status.ERROR, Status.WAIVED, Status.PASS)])
    console.print(table)
    failures = report.failures()
    if failures:
        worst = Table(title=f"Worst findings ({min(top, len(failures))} of {len(failures)})", title_justify="left", show_edge=False)
        for column in ("severity", "policy", "resource", "message"):
            worst.add_column(column, overflow="fold")
        for finding in failures[:top]:
            worst.add_row(f"[{SEVERITY_STYLE[finding.severity.value]}]{finding.severity.value}[/]", finding.policy,
                          finding.resource.id, finding.message)
        console.print(worst)
    statuses = report.by_status()
    console.print("  ".join(f"{s.value} {statuses[s.value]}" for s in STATUS_ORDER))
    for notice in report.notices:
        console.print(f"[yellow]notice:[/] {notice}")


class RichProgress(Progress):
    """Progress bars per source on stderr, for long scans at a terminal."""

    def __init__(self, console: Console) -> None:
        self._bar = RichProgressBar(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), console=console, transient=True)
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def task(self, source: str, description: str, total: int | None = None) -> None:
        with self._lock:
            label = f"{source}: {description}"
            if source in self._tasks:
                self._bar.update(self._tasks[source], description=label, total=total, completed=0)
            else:
                self._tasks[source] = self._bar.add_task(label, total=total)

    def advance(self, source: str, amount: int = 1) -> None:
        with self._lock:
            if source in self._tasks:
                self._bar.advance(self._tasks[source], amount)

    def log(self, source: str, message: str) -> None:
        self._bar.console.log(f"{source}: {message}")


class LogProgress(Progress):
    """No bars (CI, pipes): only notable events, as plain lines on stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def log(self, source: str, message: str) -> None:
        with self._lock:
            self._stream.write(f"posture: {source}: {message}\n")
            self._stream.flush()
