"""CSV and Markdown outputs: every finding present, hostile text defused."""

from __future__ import annotations

import csv
import io

from report_factory import HOSTILE_NAME, make_finding, make_report

from scanner.findings import Report, Severity
from scanner.outputs import csv as csv_output
from scanner.outputs import markdown


def test_csv_has_one_row_per_finding_and_round_trips(report: Report) -> None:
    stream = io.StringIO()
    csv_output.write(report, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert len(rows) == len(report.findings)
    assert tuple(rows[0]) == csv_output.COLUMNS
    assert {r["uid"] for r in rows} == {f.uid for f in report.findings}
    assert [r["status"] for r in rows][:5] == ["FAIL"] * 5  # failures first
    evil = next(r for r in rows if r["resource_id"].endswith("/evil"))
    assert evil["message"].endswith("second line")  # embedded newline kept inside the quoted cell
    waived = next(r for r in rows if r["status"] == "WAIVED")
    assert (waived["waiver_owner"], waived["waiver_expires"], waived["waiver_ticket"]) == (
        "ana@northwind.dev", "2027-01-31", "SEC-142")


def test_csv_defuses_spreadsheet_formulas() -> None:
    finding = make_finding(name="=cmd|' /C calc'!A0", message="+SUM(A1)")
    stream = io.StringIO()
    csv_output.write(make_report([finding]), stream)
    (row,) = csv.DictReader(io.StringIO(stream.getvalue()))
    assert row["resource_name"] == "'=cmd|' /C calc'!A0"
    assert row["message"] == "'+SUM(A1)"
    assert csv_output.safe_cell(HOSTILE_NAME) == HOSTILE_NAME  # only a leading trigger matters


def test_csv_defuses_formulas_after_leading_blanks_and_quotes_bare_cr() -> None:
    findings = [make_finding(resource_id=f"github:x{i}", name=name, message=name)
                for i, name in enumerate(["  =cmd", "\t@x", "\n+1", "a\rb"])]
    stream = io.StringIO()
    csv_output.write(make_report(findings), stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue(), newline="")))
    assert [r["resource_name"] for r in rows] == ["'  =cmd", "'\t@x", "'\n+1", "a\rb"]


def test_markdown_summary_counts_and_changes(report_with_history: Report) -> None:
    text = markdown.render(report_with_history)
    summary = report_with_history.summary()
    status_row = text.splitlines()[6]
    assert status_row == "| " + " | ".join(str(n) for n in summary["by_status"].values()) + " |"
    assert f"{summary['new']} new failure(s), {summary['resolved']} resolved" in text
    assert "### Top failures (5 of 5)" in text
    table = text.split("### Top failures")[1].split("###")[0]
    first = [line for line in table.splitlines() if line.startswith("| ")][1]
    assert "**new**" in first  # new failures first
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "Expired waiver" in text
    assert "needs AuditLog.Read.All" in text


def test_markdown_caps_the_failure_table() -> None:
    findings = [make_finding(resource_id=f"github:org/repo-{i}", severity=Severity.LOW) for i in range(50)]
    text = markdown.render(make_report(findings), top=10)
    assert "### Top failures (10 of 50)" in text
    assert sum(1 for line in text.splitlines() if "github:org/repo-" in line) == 10
    assert "Since the last run" not in text  # no history, no claim about changes
