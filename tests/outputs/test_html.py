"""HTML report: self-contained, escaped, and in a real browser its counts equal the JSON's.

The browser test runs Debian's headless Chromium on the written file (JS on, CSP enforced) and
reads the DOM after the script ran; a URL fragment presets the filters, so the filter code is
exercised by the browser too. It skips only when no chromium binary is installed (a failure under
``POSTURE_REQUIRE_SERVERS=1``, as in CI: see ``tests/servers.py``).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_factory import HOSTILE_NAME

from scanner.compliance import GUIDE_TITLES
from scanner.findings import Report, Severity, Status
from scanner.outputs import html
from scanner.outputs import json as json_output
from tests.servers import server_missing

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Page(HTMLParser):
    """Collects text by element id, visible finding rows, and any external references."""

    def __init__(self) -> None:
        super().__init__()
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.rows: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if a.get("src"):
                self.external.append(a["src"] or "")
        if tag in ("link", "img", "iframe") and (a.get("href") or a.get("src")):
            self.external.append(a.get("href") or a.get("src") or "")
        if tag == "tr" and "finding" in (a.get("class") or "").split():
            self.rows.append(a)
        if tag not in ("br", "meta", "input", "img", "link"):
            self._open.append(a.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "meta", "input", "img", "link") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            if element_id:
                self.text_by_id[element_id] = self.text_by_id.get(element_id, "") + data


def parse(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    return page


def test_counts_in_markup_equal_the_json(report_with_history: Report) -> None:
    page = parse(html.render(report_with_history))
    summary = json_output.document(report_with_history)["summary"]
    for status in Status:
        assert int(page.text_by_id[f"count-status-{status.value}"]) == summary["by_status"][status.value]
    for severity in Severity:
        assert int(page.text_by_id[f"count-severity-{severity.value}"]) == summary["failures_by_severity"][severity.value]
    assert int(page.text_by_id["count-total"]) == summary["total"]
    assert int(page.text_by_id["count-new"]) == summary["new"]
    assert int(page.text_by_id["count-resolved"]) == summary["resolved"]
    assert len(page.rows) == summary["total"]


def test_self_contained_and_escaped(report_with_history: Report) -> None:
    markup = html.render(report_with_history)
    page = parse(markup)
    assert page.external == []
    assert page.scripts == 1  # ours only: the hostile name did not become a script element
    assert "<script>alert" not in markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in markup
    assert HOSTILE_NAME not in markup
    assert re.search(r"script-src (?:'|&#x27;)sha256-[A-Za-z0-9+/=]+", markup)
    assert "http://" not in markup.replace('HYPERLINK(&quot;http://evil', "")  # no remote URL of our own
    for section in ("summary", "charts", "changes", "notices", "areas", "breakdown", "findings", "waived", "people"):
        assert f'id="{section}"' in markup


def test_waived_section_and_people_placeholder(report: Report) -> None:
    page = parse(html.render(report))
    assert "ana@northwind.dev" in page.text_by_id["waived"]
    assert "2027-01-31" in page.text_by_id["waived"]
    assert "SEC-142" in page.text_by_id["waived"]
    assert "--roster" in page.text_by_id["people"]
    assert "No previous run" in page.text_by_id["changes"]


def test_people_section_renders_whatever_shape_arrives(report: Report) -> None:
    class WithPeople(Report):
        pass

    people = [{"person": "Dmitri Volkov", "email": "dmitri@northwind.dev", "accounts": ["github:dvolkov", "<b>x</b>"]}]
    enriched = WithPeople(**{f: getattr(report, f) for f in report.__dataclass_fields__})
    object.__setattr__(enriched, "people", people)
    page = parse(html.render(enriched))
    assert "Dmitri Volkov" in page.text_by_id["people"]
    assert "github:dvolkov, <b>x</b>" in page.text_by_id["people"]  # text, not markup


def _chromium(path: Path, *args: str, fragment: str = "") -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--user-data-dir=" + str(path.parent / "chromium-profile"), "--virtual-time-budget=3000",
         "--enable-logging=stderr", "--v=0", *args, path.as_uri() + fragment],
        capture_output=True, text=True, timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # Anything the page's CSP blocked (an inline style, a script, a remote image) is logged here.
    assert "Content Security Policy" not in result.stderr, result.stderr[-2000:]
    return result


def _chromium_dom(path: Path, fragment: str = "") -> str:
    return _chromium(path, "--dump-dom", fragment=fragment).stdout


def test_in_headless_chromium_counts_and_filters_match_the_json(report_with_history: Report, tmp_path: Path) -> None:
    if CHROMIUM is None:
        server_missing("headless Chromium not installed (Debian: apt-get install -y chromium)")
    path = tmp_path / "report.html"
    with path.open("w", encoding="utf-8") as handle:
        html.write(report_with_history, handle)
    stream = io.StringIO()
    json_output.write(report_with_history, stream)
    document = json.loads(stream.getvalue())

    rendered = _chromium_dom(path)
    assert 'data-ready="true"' in rendered  # the script ran under the page's CSP
    dom = parse(rendered)
    for status, count in document["summary"]["by_status"].items():
        assert int(dom.text_by_id[f"count-status-{status}"]) == count
    for severity, count in document["summary"]["failures_by_severity"].items():
        assert int(dom.text_by_id[f"count-severity-{severity}"]) == count
    assert int(dom.text_by_id["visible-count"]) == len(document["findings"])

    # Filters, preset from the URL fragment and applied by the page's own script.
    fails = sum(1 for f in document["findings"] if f["status"] == "FAIL")
    filtered = _chromium_dom(path, "#status=FAIL")
    assert int(parse(filtered).text_by_id["visible-count"]) == fails
    shown = [row for row in parse(filtered).rows if "hidden" not in row]
    assert len(shown) == fails and {row["data-status"] for row in shown} == {"FAIL"}
    high_github = sum(
        1 for f in document["findings"]
        if f["severity"] == "high" and f["resource"]["type"].startswith("github.")
    )
    combined = parse(_chromium_dom(path, "#severity=high&platform=github"))
    assert int(combined.text_by_id["visible-count"]) == high_github


class Charts(HTMLParser):
    """Bars (label -> value) per chart id, and the trend's points."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: dict[str, dict[str, int]] = {}
        self.points: list[int] = []
        self._chart: str | None = None
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a:
            self.inline_styles += 1
        if tag == "svg":
            self._chart = a.get("id")
        if tag == "rect" and self._chart and a.get("class") == "bar":
            self.bars.setdefault(self._chart, {})[a["data-label"] or ""] = int(a["data-value"] or 0)
        if tag == "circle" and a.get("class") == "point":
            self.points.append(int(a["data-value"] or 0))


def charts_of(markup: str) -> Charts:
    charts = Charts()
    charts.feed(markup)
    return charts


def test_charts_count_what_the_json_counts(report_with_history: Report) -> None:
    charts = charts_of(html.render(report_with_history))
    assert charts.inline_styles == 0  # a style attribute would be blocked by the CSP
    assert charts.bars["chart-severity"] == report_with_history.failures_by_severity()
    failures = report_with_history.failures()
    assert charts.bars["chart-platform"] == {p: sum(1 for f in failures if f.resource.platform == p)
                                             for p in {f.resource.platform for f in failures}}
    assert list(charts.bars["chart-area"]) == [a for a in GUIDE_TITLES if any(f.area == a for f in failures)]
    assert sum(charts.bars["chart-area"].values()) == len(failures)
    assert charts.points == [p.failures for p in report_with_history.trend] == [9, 6, len(failures)]


def test_no_trend_without_two_runs_and_breakdown_per_scope(report: Report) -> None:
    markup = html.render(report)
    assert 'id="chart-trend-empty"' in markup and charts_of(markup).points == []
    page = parse(markup)
    breakdown = page.text_by_id["breakdown"]
    for finding in report.findings:
        assert finding.resource.scope in breakdown
    rows = re.findall(r'<tr data-scope="([^"]+)">(.*?)</tr>', markup)
    counts = {scope: [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', cells)] for scope, cells in rows}
    assert counts["aws:111122223333"] == [
        sum(1 for f in report.findings if f.resource.scope == "111122223333" and f.status is s) for s in Status
    ]
    fail_index = list(Status).index(Status.FAIL)
    fails = [cells[fail_index] for cells in counts.values()]
    assert fails == sorted(fails, reverse=True) and fails[0] > 0  # most failures first


def test_charts_render_in_headless_chromium_with_a_screenshot(report_with_history: Report, tmp_path: Path) -> None:
    if CHROMIUM is None:
        server_missing("headless Chromium not installed (Debian: apt-get install -y chromium)")
    path = tmp_path / "report.html"
    path.write_text(html.render(report_with_history), encoding="utf-8")
    dom = _chromium_dom(path)  # no CSP complaint (checked in _chromium), charts in the live DOM
    charts = charts_of(dom)
    assert set(charts.bars) == {"chart-severity", "chart-platform", "chart-area"} and len(charts.points) == 3
    screenshot = tmp_path / "report.png"  # kept as the test's artifact
    _chromium(path, f"--screenshot={screenshot}", "--window-size=1280,1600", "--hide-scrollbars")
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    print(f"screenshot: {screenshot}")
