"""The terminal summary: hostile names stay inert in rich and plain text; controls in guide order."""

from __future__ import annotations

import io

import pytest
from report_factory import make_finding, make_report
from rich.console import Console

from scanner.compliance import GUIDE_TITLES
from scanner.findings import Report, Status
from scanner.inventory.model import SourceStatus
from scanner.outputs import html, markdown
from scanner.outputs.console import LogProgress, render_plain, render_rich
from scanner.outputs.safe import counted, defuse_formula, markup, one_line

HOSTILE = (
    "[/x]",
    "[link=http://evil]x[/link]",
    "\x1b]8;;http://evil\x07click\x1b]8;;\x07",
    "\n::add-mask::secret",
    "\r::error::x",
    "::warning file=a::x",
    "\x1b[2J\x1b[31mred",
    "line\u2028sep",
)


def hostile_report() -> Report:
    findings = [
        make_finding("github_repo_branch_protection", f"github:acme/{i}", resource_type="github.repository",
                     name=name, message=name, scope=name)
        for i, name in enumerate(HOSTILE)
    ]
    sources = [SourceStatus(name, "github", "partial", errors=(name, name)) for name in HOSTILE]
    return make_report(findings, sources=sources, notices=list(HOSTILE))


def rich_text(report: Report, *, terminal: bool) -> str:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=terminal, width=250, highlight=False, soft_wrap=False, color_system="truecolor")
    render_rich(report, console)
    return stream.getvalue()


def test_rich_prints_markup_in_names_as_text_and_no_live_link() -> None:
    # Before: "[/x]" raised MarkupError (exit 4) and "[link=...]" became an OSC 8 hyperlink.
    text = rich_text(hostile_report(), terminal=False)
    assert "[/x]" in text and "[link=http://evil]x[/link]" in text
    colored = rich_text(hostile_report(), terminal=True)
    assert "\x1b]8;" not in colored  # no hyperlink escape, neither ours nor the name's
    assert "\x07" not in colored and "\r" not in colored and "\x1b[2J" not in colored
    assert "\\x1b]8;;http://evil\\u0007click" in colored


def test_plain_text_keeps_every_value_on_a_line_we_begin() -> None:
    stream = io.StringIO()
    render_plain(hostile_report(), stream)
    text = stream.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text and "\u2028" not in text
    for line in text.splitlines():
        # The runner trims leading blanks, then reads "::" as a workflow command.
        assert not line.lstrip().startswith("::"), line
    assert "\\n::add-mask::secret" in text and "\\r::error::x" in text and "\\::warning file=a::x" in text


def test_log_progress_lines_are_one_line_each() -> None:
    stream = io.StringIO()
    LogProgress(stream).log("github:acme", "repo\n::add-mask::x\r\x1b[31m")
    assert stream.getvalue() == "posture: github:acme: repo\\n::add-mask::x\\r\\x1b[31m\n"


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_helpers(value: str) -> None:
    line = one_line(value)
    assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in line)
    assert not line.lstrip().startswith("::")
    Console(file=io.StringIO()).print(markup(value))  # never a MarkupError


@pytest.mark.parametrize(
    ("value", "defused"),
    [("=1+1", True), ("  =cmd", True), ("\t@x", True), ("\n+1", True), ("\r-1", True), (" \u00a0@SUM(A1)", True),
     ("a=b", False), ("plain", False), ("", False), ("1-2", False)],
)
def test_one_formula_helper_for_both_csv_outputs(value: str, defused: bool) -> None:
    assert defuse_formula(value) == ("'" + value if defused else value)


def test_repeated_source_errors_print_once_with_a_count() -> None:
    source = SourceStatus("github:acme", "github", "partial", errors=("HTTP 502 on /repos",) * 300 + ("other",))
    report = make_report([make_finding()], sources=[source])
    stream = io.StringIO()
    render_plain(report, stream)
    assert stream.getvalue().count("HTTP 502") == 1
    assert "    error: HTTP 502 on /repos (300 times)\n    error: other\n" in stream.getvalue()
    assert rich_text(report, terminal=False).count("HTTP 502 on /repos (300 times)") == 1
    assert counted(["a", "b", "a"]) == ["a (2 times)", "b"]
    assert markdown.render(report).count("HTTP 502 on /repos (300 times)") == 1
    assert html.render(report).count("HTTP 502 on /repos (300 times)") == 1


def test_guide_controls_with_titles_in_guide_order(report: Report) -> None:
    stream = io.StringIO()
    render_plain(report, stream)
    text = stream.getvalue()
    order = list(GUIDE_TITLES)  # all of them, the ones nothing checked included
    positions = [text.index(f"    {area} ") for area in order]
    assert positions == sorted(positions)
    assert f"{GUIDE_TITLES['WF-5']} (no checks in this run)" in text
    for area in order:
        assert GUIDE_TITLES[area] in text
    rich = rich_text(report, terminal=False)
    rich_positions = [rich.index(area) for area in order]
    assert rich_positions == sorted(rich_positions)
    assert "Identity-first access" in rich
    fails = sum(1 for f in report.findings if f.area == "WF-1" and f.status is Status.FAIL)
    assert f"    WF-1   {fails:>4} / " in text


def test_html_and_markdown_printed_to_a_log_keep_values_on_their_lines() -> None:
    # `--format html` or `--format markdown` without a path go to stdout, i.e. the CI log.
    report = hostile_report()
    for text in (html.render(report), markdown.render(report)):
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text and "\u2028" not in text
        for line in text.splitlines():
            assert not line.lstrip().startswith("::"), line
    page = html.render(report)
    assert "&#10;::add-mask::secret" in page  # the browser still shows the line break
