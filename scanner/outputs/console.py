"""What a person sees in the terminal: a summary of the run, and progress while it collects.

On a terminal: rich tables (by guide area and severity) and the worst findings. Elsewhere (CI,
pipes): plain, stable text that diffs well between runs.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgressBar, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from scanner.compliance import GUIDE_TITLES
from scanner.findings import Finding, Report, Severity, Status
from scanner.outputs.safe import counted, markup, one_line
from scanner.progress import Progress

SEVERITY_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
STATUS_ORDER = [Status.FAIL, Status.ERROR, Status.WAIVED, Status.PASS, Status.SKIPPED]


def areas_in_guide_order(findings: Iterable[Finding]) -> list[tuple[str, str, Counter[str]]]:
    """(control id, title, counts) per guide control, in the guide's order; unmapped areas last."""
    by_area: dict[str, Counter[str]] = {}
    for finding in findings:
        counts = by_area.setdefault(finding.area, Counter())
        counts[finding.status.value] += 1
        if finding.is_failure:
            counts[finding.severity.value] += 1
    order = {area: index for index, area in enumerate(GUIDE_TITLES)}
    if by_area:  # every control of the guide, so one that nothing checked is visible as such
        for area in GUIDE_TITLES:
            by_area.setdefault(area, Counter())
    areas = sorted(by_area, key=lambda a: (order.get(a, len(order)), a))
    return [(a, GUIDE_TITLES.get(a, "not mapped to a guide control"), by_area[a]) for a in areas]


def render_plain(report: Report, stream: TextIO, *, top: int = 15) -> None:
    """Stable text for CI logs. Every value from the audited platforms goes through ``one_line``:
    each printed line starts with our own text, so no name can begin a workflow command."""
    statuses = report.by_status()
    sev = report.failures_by_severity()
    resources = len({f.resource.id for f in report.findings})
    stream.write(f"posture {one_line(report.run.tool_version)}: {len(report.findings)} checks on {resources} resources\n")
    for source in report.run.sources:
        calls = sum(source.api_calls.values())
        line = f"  source {one_line(source.name)}: {one_line(source.status)}"
        if calls:
            line += f" ({calls} API calls)"
        stream.write(line + "\n")
        for error in counted(one_line(e) for e in source.errors):
            stream.write(f"    error: {error}\n")
        for note in counted(one_line(n) for n in source.notes):
            stream.write(f"    note: {note}\n")
    stream.write("  results: " + ", ".join(f"{s.value} {statuses[s.value]}" for s in STATUS_ORDER) + "\n")
    stream.write("  failures by severity: " + ", ".join(f"{k} {v}" for k, v in sev.items()) + "\n")
    if report.recorded:
        summary = report.summary()
        since = f"since run {one_line(report.previous_run_id)}" if report.previous_run_id else "first recorded run"
        stream.write(f"  {since}: {summary['new']} new, {summary['resolved']} resolved (run {one_line(report.run.run_id)})\n")
    areas = areas_in_guide_order(report.findings)
    if areas:
        stream.write("  by guide control (failures / checks):\n")
        for area, title, counts in areas:
            total = sum(counts[s.value] for s in Status)
            note = "" if total else " (no checks in this run)"
            stream.write(f"    {one_line(area):6} {counts[Status.FAIL.value]:>4} / {total:<5} {one_line(title)}{note}\n")
    for notice in counted(one_line(n) for n in report.notices):
        stream.write(f"  notice: {notice}\n")
    failures = report.failures()
    if failures:
        stream.write(f"top failures ({min(top, len(failures))} of {len(failures)}):\n")
        for finding in failures[:top]:
            stream.write(f"  {finding.severity.value.upper():8} {one_line(finding.policy)}  {one_line(finding.resource.id)}\n")
            stream.write(f"           {one_line(finding.message)}\n")
    errors = [f for f in report.findings if f.status is Status.ERROR]
    if errors:
        first = errors[0]
        stream.write(f"could not evaluate {len(errors)} checks (status ERROR); first: {one_line(first.policy)} on "
                     f"{one_line(first.resource.id)}: {one_line(first.message)}\n")


def _text(value: object, style: str = "") -> Text:
    """A data value as a Rich ``Text``: never parsed as markup or emoji codes, controls escaped."""
    return Text(one_line(value), style=style)


def _lines(values: Sequence[str]) -> Text:
    return Text("\n").join(_text(v) for v in values)


def render_rich(report: Report, console: Console, *, top: int = 15) -> None:
    """Tables for a person at a terminal. Data values are ``Text`` objects (or escaped with
    ``markup``), so a name like ``[/x]`` or ``[link=...]`` prints as itself."""
    sources = Table(title="Sources", title_justify="left", show_edge=False)
    for column in ("source", "status", "API calls", "errors / notes"):
        sources.add_column(column)
    for source in report.run.sources:
        style = {"ok": "green", "partial": "yellow", "failed": "red"}.get(source.status, "")
        sources.add_row(_text(source.name), _text(source.status, style), str(sum(source.api_calls.values()) or ""),
                        _lines(counted([*map(one_line, source.errors), *map(one_line, source.notes)])))
    if report.run.sources:
        console.print(sources)

    table = Table(title="Results by guide control", title_justify="left", show_edge=False)
    table.add_column("control")
    table.add_column("title", overflow="fold")
    for severity in Severity:
        table.add_column(severity.value, justify="right", style=SEVERITY_STYLE[severity.value])
    for status in (Status.ERROR, Status.WAIVED, Status.PASS):
        table.add_column(status.value.lower(), justify="right")
    for area, title, counts in areas_in_guide_order(report.findings):
        title_text = _text(title) if sum(counts[s.value] for s in Status) else _text(f"{title} (no checks in this run)", "dim")
        table.add_row(_text(area), title_text, *[str(counts[s.value] or "") for s in Severity],
                      *[str(counts[s.value] or "") for s in (Status.ERROR, Status.WAIVED, Status.PASS)])
    console.print(table)
    failures = report.failures()
    if failures:
        worst = Table(title=f"Worst findings ({min(top, len(failures))} of {len(failures)})", title_justify="left", show_edge=False)
        for column in ("severity", "policy", "resource", "message"):
            worst.add_column(column, overflow="fold")
        for finding in failures[:top]:
            worst.add_row(_text(finding.severity.value, SEVERITY_STYLE[finding.severity.value]), _text(finding.policy),
                          _text(finding.resource.id), _text(finding.message))
        console.print(worst)
    statuses = report.by_status()
    console.print("  ".join(f"{s.value} {statuses[s.value]}" for s in STATUS_ORDER))
    for notice in counted(one_line(n) for n in report.notices):
        console.print(f"[yellow]notice:[/] {markup(notice)}")


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
            label = markup(f"{source}: {description}")  # TextColumn renders markup
            if source in self._tasks:
                self._bar.update(self._tasks[source], description=label, total=total, completed=0)
            else:
                self._tasks[source] = self._bar.add_task(label, total=total)

    def advance(self, source: str, amount: int = 1) -> None:
        with self._lock:
            if source in self._tasks:
                self._bar.advance(self._tasks[source], amount)

    def log(self, source: str, message: str) -> None:
        self._bar.console.log(Text(one_line(f"{source}: {message}")))


class LogProgress(Progress):
    """No bars (CI, pipes): only notable events, as plain lines on stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def log(self, source: str, message: str) -> None:
        with self._lock:
            self._stream.write(f"posture: {one_line(source)}: {one_line(message)}\n")
            self._stream.flush()
