"""Markdown output: a compact summary for a CI job page (``$GITHUB_STEP_SUMMARY``).

Counts by status and severity, what changed since the last run, the top failures (new ones
first), sources that could not be fully read, and notices (expired or unused waivers).
GitHub caps a step summary at 1 MiB, so the failure table stops at ``TOP_FAILURES`` rows.
"""

from __future__ import annotations

from typing import TextIO

from scanner.findings import Report, Severity, Status
from scanner.outputs.safe import counted, one_line

TOP_FAILURES = 20
_ICONS = {
    Severity.CRITICAL: "🟥",
    Severity.HIGH: "🟧",
    Severity.MEDIUM: "🟨",
    Severity.LOW: "🟦",
    Severity.INFO: "⬜",
}


def cell(text: str | None) -> str:
    """Safe inside a table cell: no pipes, newlines or HTML/markdown that would render; other
    control characters shown as escapes (the summary may be printed to a CI log)."""
    value = one_line((text or "").replace("\r", " ").replace("\n", " "))
    for raw, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("`", "\\`"),
                         ("*", "\\*"), ("_", "\\_"), ("[", "\\["), ("]", "\\]")):
        value = value.replace(raw, escaped)
    return value


def render(report: Report, top: int = TOP_FAILURES) -> str:
    summary = report.summary()
    by_status = summary["by_status"]
    by_severity = summary["failures_by_severity"]
    lines = ["## posture audit", ""]
    lines.append(
        f"{summary['total']} findings · run {report.run.run_id or 'unrecorded'} · "
        f"finished {report.run.finished_at} · posture {report.run.tool_version}"
    )
    lines += ["", "| " + " | ".join(s.value for s in Status) + " |", "|" + "---:|" * len(Status)]
    lines.append("| " + " | ".join(str(by_status[s.value]) for s in Status) + " |")
    lines += ["", "**Failures by severity:** " + " · ".join(
        f"{_ICONS[s]} {s.value} {by_severity[s.value]}" for s in Severity
    )]
    if report.previous_run_id is not None:
        lines += [
            "",
            f"**Since the last run** ({report.previous_run_id}): "
            f"{summary['new']} new failure(s), {summary['resolved']} resolved.",
        ]
    failures = report.failures()
    if failures:
        new_first = sorted(failures, key=lambda f: (f.change != "new", -f.severity.rank, f.policy, f.resource.id))
        lines += ["", f"### Top failures ({min(top, len(failures))} of {len(failures)})", ""]
        lines += ["| severity | policy | resource | message | |", "|---|---|---|---|---|"]
        for f in new_first[:top]:
            lines.append(
                f"| {_ICONS[f.severity]} {f.severity.value} | `{f.policy}` | {cell(f.resource.id)} | "
                f"{cell(f.message)} | {'**new**' if f.change == 'new' else ''} |"
            )
    else:
        lines += ["", "No failures."]
    if report.resolved:
        lines += ["", f"### Resolved since the last run ({len(report.resolved)})", ""]
        lines += [f"- `{f.policy}` {cell(f.resource.id)}" for f in report.resolved[:top]]
    problems = [s for s in report.run.sources if s.status != "ok"]
    if problems:
        lines += ["", "### Sources not fully read", ""]
        for source in problems:
            reason = "; ".join(counted(source.errors)) or "see the JSON report"
            lines.append(f"- **{cell(source.platform)} {cell(source.name)}**: {source.status} — {cell(reason)}")
    if report.notices:
        lines += ["", "### Notices", ""]
        lines += [f"- {cell(n)}" for n in report.notices]
    waived = [f for f in report.findings if f.status is Status.WAIVED and f.waiver]
    if waived:
        lines += ["", f"<details><summary>{len(waived)} waived finding(s)</summary>", ""]
        lines += [
            f"- `{f.policy}` {cell(f.resource.id)}: {cell(f.waiver.reason)} "
            f"(owner {cell(f.waiver.owner)}, until {f.waiver.expires})"
            for f in waived
            if f.waiver
        ]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def write(report: Report, stream: TextIO) -> None:
    stream.write(render(report))
