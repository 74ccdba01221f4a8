"""GitHub Actions integration: the job summary, annotations and the one line that says why a job failed.

When ``GITHUB_ACTIONS`` is set, the run appends its Markdown summary to ``GITHUB_STEP_SUMMARY``
(appends: earlier steps' summaries stay) and prints ``::error``/``::warning`` workflow commands for
new critical/high failures. Everything taken from the inventory is escaped as GitHub's toolkit
escapes it, so a repository or person named ``x\\n::add-mask::…`` cannot inject a workflow command.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from pathlib import Path

from scanner.findings import Finding, Report, Severity

# The severities that become annotations, and the command each becomes.
ANNOTATED: Mapping[Severity, str] = {Severity.CRITICAL: "error", Severity.HIGH: "warning"}
# GitHub shows at most 10 annotations of each kind per step; the rest are counted in one line.
MAX_ANNOTATIONS = 10


def escape_data(text: str) -> str:
    """A workflow command's message (what ``@actions/core`` does in ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``escapeProperty``): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotated_failures(report: Report) -> list[Finding]:
    """New critical/high failures (all of them when the run has no baseline), worst first."""
    failures = [f for f in report.failures() if f.severity in ANNOTATED and f.change in (None, "new")]
    return sorted(failures, key=lambda f: (-f.severity.rank, f.policy, f.resource.id))


def workflow_annotations(report: Report) -> Iterator[str]:
    """The workflow-command lines for the run's new critical/high failures."""
    failures = annotated_failures(report)
    for finding in failures[:MAX_ANNOTATIONS]:
        command = ANNOTATED[finding.severity]
        title = escape_property(f"{finding.severity.value.upper()} {finding.policy}")
        message = escape_data(f"{finding.resource.id}: {finding.message}")
        yield f"::{command} title={title}::{message}"
    if len(failures) > MAX_ANNOTATIONS:
        yield f"::notice title=posture::{len(failures) - MAX_ANNOTATIONS} more critical/high failures in the report"


def append_step_summary(report: Report, path: Path) -> None:
    """Append the Markdown summary to the job summary file (never truncate it)."""
    from scanner.outputs.markdown import write as write_markdown

    buffer = io.StringIO()
    write_markdown(report, buffer)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(buffer.getvalue().rstrip("\n") + "\n\n")


def failure_line(exit_code: int, report: Report, fail_on: Severity) -> str | None:
    """One line saying why the job fails, or None when it passes."""
    if exit_code == 0:
        return None
    if exit_code == 1:
        worst = [f for f in report.failures() if f.severity.at_least(fail_on)]
        new = [f for f in worst if f.change in (None, "new")]
        return (f"posture: job failed: {len(new)} new failure(s) at or above {fail_on.value} "
                f"({len(worst)} in all); see the job summary")
    if exit_code == 2:
        return "posture: job failed: bad input or configuration (see the error above)"
    if exit_code == 3:
        return "posture: job failed: the scan was incomplete (a source, check or sink could not be read; see above)"
    return "posture: job failed: internal error (rerun with -v and report it)"
