"""HTML output: one self-contained page a security owner opens offline and reads.

Summary by status, severity and guide area; each finding's evidence (the attribute values its
policy read); what changed since the last run; notices; every
finding with its resource, message, remediation and references, filterable by status,
severity, platform and area; waived findings with owner and expiry; and a People section
(filled when the report carries ``people`` from roster correlation, a placeholder otherwise).

Everything is inline (CSS, JS, data): no CDN, no network. Every value from the audited
platforms is HTML-escaped, and a Content-Security-Policy with the hashes of the one style and
one script blocks anything else from running, so a repository named ``<script>`` stays text.
Filters can be preset in the URL fragment: ``report.html#status=FAIL&severity=high``.

Charts are inline SVG drawn here (no library, no script): failures by severity, by platform and
by guide control, and the trend of failures over the last runs when the report carries
``trend`` from history. They use presentation attributes only (no inline ``style``), so the
page's CSP holds. A breakdown table counts results per account / organization / subscription.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any, TextIO

from scanner.compliance import GUIDE_TITLES
from scanner.findings import Finding, Report, Severity, Status, TrendPoint
from scanner.outputs.safe import CONTROL, counted

STATUS_ORDER = {"FAIL": 0, "ERROR": 1, "WAIVED": 2, "PASS": 3, "SKIPPED": 4}

CSS = """
:root{--fail:#b42318;--error:#b54708;--waived:#6941c6;--pass:#067647;--skip:#667085;--line:#e4e7ec;
--critical:#7a0916;--high:#c4320a;--medium:#b54708;--low:#175cd3;--info:#475467}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
color:#101828;background:#f9fafb}main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px}.muted{color:#667085}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px;margin:16px 0}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;
min-width:110px}.card .count{display:block;font-size:26px;font-weight:650}.card.FAIL .count{color:var(--fail)}
.card.ERROR .count{color:var(--error)}.card.WAIVED .count{color:var(--waived)}.card.PASS .count{color:var(--pass)}
.card.SKIPPED .count{color:var(--skip)}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:#475467}td.num,th.num{text-align:right}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}
.badge.FAIL{background:var(--fail)}.badge.ERROR{background:var(--error)}.badge.WAIVED{background:var(--waived)}
.badge.PASS{background:var(--pass)}.badge.SKIPPED{background:var(--skip)}.badge.new{background:#d92d20}
.sev{font-weight:600}.sev.critical{color:var(--critical)}.sev.high{color:var(--high)}.sev.medium{color:var(--medium)}
.sev.low{color:var(--low)}.sev.info{color:var(--info)}.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;
margin-bottom:12px}.filters label{display:flex;flex-direction:column;font-size:12px;color:#475467}
select,input{font:inherit;padding:4px 6px;border:1px solid #d0d5dd;border-radius:6px}
details>summary{cursor:pointer}code{font-size:12px;word-break:break-all}.resource{word-break:break-all}
.detail{margin:6px 0 0;padding:8px;background:#f9fafb;border-radius:6px}.detail dt{font-weight:600}
.detail dd{margin:0 0 6px}ul.plain{margin:0;padding-left:18px}table.narrow{width:auto;min-width:280px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(470px,1fr));gap:16px}
figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}svg.chart{max-width:100%;height:auto}
ol.path{display:flex;flex-wrap:wrap;align-items:center;gap:4px;list-style:none;margin:6px 0 14px;padding:0}
ol.path li{border:1px solid var(--line);border-radius:6px;padding:3px 8px;background:#f9fafb;font-size:12px}
ol.path li+li::before{content:"\2192";margin-right:6px;color:#98a2b3}ol.path.ungated li:last-child{border-color:var(--fail)}
.gate{font-weight:600}.gate.ungated{color:var(--fail)}.gate.gated{color:var(--pass)}
@media print{.filters{display:none}section{break-inside:avoid}}
"""

SCRIPT = """
(function(){
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.finding'));
  var selects = Array.prototype.slice.call(document.querySelectorAll('[data-filter]'));
  var text = document.getElementById('filter-text');
  function apply(){
    var wanted = {};
    selects.forEach(function(s){ wanted[s.getAttribute('data-filter')] = s.value; });
    var q = (text.value || '').toLowerCase(), shown = 0;
    rows.forEach(function(r){
      var ok = Object.keys(wanted).every(function(k){ return !wanted[k] || r.getAttribute('data-' + k) === wanted[k]; });
      if (ok && q) { ok = r.textContent.toLowerCase().indexOf(q) >= 0; }
      r.hidden = !ok; if (ok) { shown++; }
    });
    document.getElementById('visible-count').textContent = String(shown);
    var parts = [];
    selects.forEach(function(s){ if (s.value) { parts.push(s.getAttribute('data-filter') + '=' + encodeURIComponent(s.value)); } });
    if (history.replaceState) { history.replaceState(null, '', parts.length ? '#' + parts.join('&') : '#'); }
  }
  (location.hash || '').replace(/^#/, '').split('&').forEach(function(pair){
    var kv = pair.split('='); if (kv.length !== 2) { return; }
    selects.forEach(function(s){ if (s.getAttribute('data-filter') === kv[0]) { s.value = decodeURIComponent(kv[1]); } });
  });
  selects.forEach(function(s){ s.addEventListener('change', apply); });
  text.addEventListener('input', apply);
  document.getElementById('filter-reset').addEventListener('click', function(){
    selects.forEach(function(s){ s.value = ''; }); text.value = ''; apply();
  });
  apply();
  document.body.setAttribute('data-ready', 'true');
})();
"""


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def e(value: Any) -> str:
    """HTML-escaped, and line breaks and control characters as character references: the page
    renders the same, and printed to a CI log (``--format html`` on stdout) no value of the
    audited platforms starts a line of its own (a workflow command) or drives the terminal."""
    return CONTROL.sub(lambda m: f"&#{ord(m.group(0))};", escape("" if value is None else str(value), quote=True))


def _area_title(area: str) -> str:
    return GUIDE_TITLES.get(area, "Not mapped to a guide control")


def _sort_key(f: Finding) -> tuple[int, int, str, str]:
    return (STATUS_ORDER[f.status.value], -f.severity.rank, f.policy, f.resource.id)


def _summary(report: Report) -> str:
    summary = report.summary()
    cards = "".join(
        f'<div class="card {s.value}"><span class="count" id="count-status-{s.value}" data-count="{s.value}">'
        f'{summary["by_status"][s.value]}</span>{s.value.title()}</div>'
        for s in Status
    )
    sev = "".join(
        f'<tr><td class="sev {s.value}">{s.value}</td><td class="num" id="count-severity-{s.value}">'
        f'{summary["failures_by_severity"][s.value]}</td></tr>'
        for s in Severity
    )
    return (
        f'<section id="summary"><h2>Summary</h2><p><span id="count-total">{summary["total"]}</span> findings.</p>'
        f'<div class="cards">{cards}</div>'
        f'<h3>Failures by severity</h3><table class="narrow"><thead><tr><th>severity</th><th class="num">failures</th>'
        f"</tr></thead><tbody>{sev}</tbody></table></section>"
    )


SEVERITY_COLOR = {"critical": "#7a0916", "high": "#c4320a", "medium": "#b54708", "low": "#175cd3", "info": "#475467"}
FAIL_COLOR = "#b42318"
CHART_WIDTH = 520


def _short(label: str, size: int = 26) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def bar_chart(
    chart_id: str, title: str, rows: list[tuple[str, int, str, str]], display: Mapping[str, str] | None = None
) -> str:
    """A horizontal bar chart as inline SVG: rows of (label, value, colour, tooltip); ``display``
    may give a longer text to show for a label (cut to fit)."""
    display = display or {}
    label_width, row_height = 200, 24
    bar_area = CHART_WIDTH - label_width - 48
    top = max((value for _, value, _, _ in rows), default=0) or 1
    height = row_height * max(len(rows), 1) + 8
    parts = [
        f'<svg class="chart" id="chart-{chart_id}" role="img" '
        f'aria-labelledby="chart-{chart_id}-title" viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" '
        f'height="{height}"><title id="chart-{chart_id}-title">{e(title)}</title>'
    ]
    if not rows:
        parts.append(f'<text x="4" y="18" font-size="13" fill="#667085">No failures.</text>')
    for index, (label, value, color, tooltip) in enumerate(rows):
        y = 4 + index * row_height
        width = round(bar_area * value / top)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" font-size="12" fill="#344054">'
            f"{e(_short(display.get(label, label), 30))}</text>"
            f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{width}" height="{row_height - 8}" fill="{color}" '
            f'data-label="{e(label)}" data-value="{value}"><title>{e(tooltip)}: {value}</title></rect>'
            f'<text x="{label_width + width + 6}" y="{y + 16}" font-size="12" fill="#101828">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(points: tuple[TrendPoint, ...]) -> str:
    """Failures per run as an inline-SVG line (oldest left), or a line of text with fewer than two runs."""
    if len(points) < 2:
        return (
            '<p class="muted" id="chart-trend-empty">The trend appears once history holds two runs of this scope '
            "(history on, <code>posture scan</code> run again).</p>"
        )
    height, left, right, top_pad, bottom = 180, 40, 16, 12, 36
    plot_w, plot_h = CHART_WIDTH - left - right, height - top_pad - bottom
    top = max(p.failures for p in points) or 1
    step = plot_w / (len(points) - 1)
    coords = [(left + i * step, top_pad + plot_h - plot_h * p.failures / top) for i, p in enumerate(points)]
    parts = [
        f'<svg class="chart" id="chart-trend" role="img" aria-labelledby="chart-trend-title" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="{CHART_WIDTH}" height="{height}">'
        f'<title id="chart-trend-title">Failures over the last {len(points)} runs</title>'
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{CHART_WIDTH - right}" y2="{top_pad + plot_h}" stroke="#d0d5dd"/>'
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" font-size="11" fill="#667085">{top}</text>'
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" font-size="11" fill="#667085">0</text>'
        f'<polyline fill="none" stroke="{FAIL_COLOR}" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        + '"/>'
    ]
    for (x, y), point in zip(coords, points):
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{FAIL_COLOR}" data-run="{e(point.run_id)}" '
            f'data-value="{point.failures}"><title>{e(point.finished_at)} ({e(point.run_id)}): {point.failures} failures</title></circle>'
        )
    for index in sorted({0, len(points) - 1}):
        x, _ = coords[index]
        anchor = "start" if index == 0 else "end"
        parts.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="{anchor}" font-size="11" fill="#667085">'
                     f"{e(points[index].finished_at[:10])}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _charts(report: Report) -> str:
    failures = report.failures()
    by_severity = report.failures_by_severity()
    severity_rows = [(s.value, by_severity[s.value], SEVERITY_COLOR[s.value], f"{s.value} failures") for s in Severity]
    platforms = Counter(f.resource.platform for f in failures)
    platform_rows = [(p, n, FAIL_COLOR, f"failures on {p}") for p, n in sorted(platforms.items(), key=lambda i: (-i[1], i[0]))]
    areas = Counter(f.area for f in failures)
    order = {area: i for i, area in enumerate(GUIDE_TITLES)}
    area_rows = [
        (area, areas[area], FAIL_COLOR, f"{area} {_area_title(area)}")
        for area in sorted(areas, key=lambda a: (order.get(a, len(order)), a))
    ]
    figures = [
        ("Failures by severity", bar_chart("severity", "Failures by severity", severity_rows)),
        ("Failures by platform", bar_chart("platform", "Failures by platform", platform_rows)),
        ("Failures by guide control", bar_chart("area", "Failures by guide control", area_rows,
                                                {a: f"{a} {_area_title(a)}" for a in areas})),
        ("Failures over the last runs", trend_chart(report.trend)),
    ]
    body = "".join(f"<figure><figcaption>{e(caption)}</figcaption>{svg}</figure>" for caption, svg in figures)
    return f'<section id="charts"><h2>Charts</h2><div class="charts">{body}</div></section>'


def _breakdown(report: Report) -> str:
    """Results per account / organization / subscription (platform and scope), most failures first."""
    groups: dict[tuple[str, str], Counter[str]] = {}
    for f in report.findings:
        counts = groups.setdefault((f.resource.platform, f.resource.scope), Counter())
        counts[f.status.value] += 1
        if f.is_failure:
            counts[f.severity.value] += 1
    if not groups:
        return ""
    keys = sorted(groups, key=lambda k: (-groups[k][Status.FAIL.value], k))
    head = "".join(f'<th class="num">{s.value}</th>' for s in Severity) + "".join(
        f'<th class="num">{s.value}</th>' for s in Status
    )
    rows = []
    for platform, scope in keys:
        c = groups[(platform, scope)]
        cells = "".join(f'<td class="num sev {s.value}">{c[s.value] or ""}</td>' for s in Severity)
        cells += "".join(f'<td class="num">{c[s.value]}</td>' for s in Status)
        rows.append(f'<tr data-scope="{e(platform)}:{e(scope)}"><td>{e(platform)}</td><td class="resource">{e(scope)}</td>{cells}</tr>')
    return (
        '<section id="breakdown"><h2>By account and organization</h2><p class="muted">Failures by severity, then '
        'every result, per AWS account, Azure subscription or tenant, GitHub organization, ...</p>'
        f'<table><thead><tr><th>platform</th><th>scope</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _areas(report: Report) -> str:
    by_area: dict[str, Counter[str]] = {}
    for f in report.findings:
        by_area.setdefault(f.area, Counter())[f.status.value] += 1
    order = {area: i for i, area in enumerate(GUIDE_TITLES)}
    rows = []
    for area in sorted(by_area, key=lambda a: (order.get(a, len(order)), a)):
        c = by_area[area]
        cells = "".join(f'<td class="num" data-area-count="{e(area)}:{s.value}">{c.get(s.value, 0)}</td>' for s in Status)
        rows.append(f"<tr><td><strong>{e(area)}</strong></td><td>{e(_area_title(area))}</td>{cells}</tr>")
    head = "".join(f'<th class="num">{s.value}</th>' for s in Status)
    return (
        '<section id="areas"><h2>By guide area</h2><table><thead><tr><th>area</th><th>control</th>'
        f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        '<p class="muted">Areas with no findings are absent here; '
        "<code>posture report --framework guide</code> shows which controls no policy covers.</p></section>"
    )


def _finding_line(f: Finding) -> str:
    return (
        f'<li><span class="sev {f.severity.value}">{f.severity.value}</span> <code>{e(f.policy)}</code> '
        f'<span class="resource">{e(f.resource.id)}</span> — {e(f.message)}</li>'
    )


def _changes(report: Report) -> str:
    if report.previous_run_id is None:
        return (
            '<section id="changes"><h2>Since the last run</h2><p class="muted">No previous run to compare with '
            "(history is off, or this is the first run of this scope).</p></section>"
        )
    new = [f for f in report.failures() if f.change == "new"]
    new_list = "".join(_finding_line(f) for f in new) or "<li>None.</li>"
    resolved_list = "".join(_finding_line(f) for f in report.resolved) or "<li>None.</li>"
    return (
        f'<section id="changes"><h2>Since the last run</h2><p class="muted">Compared with run '
        f"{e(report.previous_run_id)}.</p>"
        f'<h3><span id="count-new">{len(new)}</span> new failure(s)</h3><ul class="plain">{new_list}</ul>'
        f'<h3><span id="count-resolved">{len(report.resolved)}</span> resolved</h3>'
        f'<ul class="plain">{resolved_list}</ul></section>'
    )


def _notices(report: Report) -> str:
    problems = [s for s in report.run.sources if s.status != "ok"]
    if not report.notices and not problems:
        return ""
    items = [
        f"<li><strong>{e(s.platform)} {e(s.name)}</strong>: {e(s.status)} — {e('; '.join(counted(s.errors)) or 'see JSON')}</li>"
        for s in problems
    ]
    items += [f"<li>{e(n)}</li>" for n in report.notices]
    return f'<section id="notices"><h2>Notices</h2><ul class="plain">{"".join(items)}</ul></section>'


def _select(name: str, label: str, values: Iterable[str]) -> str:
    options = "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in values)
    return f'<label>{label}<select data-filter="{name}" id="filter-{name}"><option value="">all</option>{options}</select></label>'


def _detail(f: Finding) -> str:
    refs = "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in sorted(f.references.items())) or "<li>none</li>"
    parts = [
        f"<dt>Message</dt><dd>{e(f.message)}</dd>",
        f"<dt>Remediation</dt><dd>{e(f.remediation)}</dd>",
        f'<dt>References</dt><dd><ul class="plain">{refs}</ul></dd>',
        f"<dt>Resource</dt><dd><code>{e(f.resource.id)}</code> ({e(f.resource.type)}, scope {e(f.resource.scope)})</dd>",
        f"<dt>Finding uid</dt><dd><code>{e(f.uid)}</code></dd>",
    ]
    if f.evidence:
        items = "".join(
            f"<li><code>{e(name)}</code> = <code>{e(json.dumps(value, ensure_ascii=False, sort_keys=True))}</code></li>"
            for name, value in f.evidence.items()
        )
        parts.insert(1, f'<dt>Evidence</dt><dd><ul class="plain evidence">{items}</ul></dd>')
    if f.first_seen:
        parts.append(f"<dt>Seen</dt><dd>first {e(f.first_seen)}, last {e(f.last_seen)}</dd>")
    if f.waiver:
        w = f.waiver
        ticket = f", ticket {e(w.ticket)}" if w.ticket else ""
        parts.append(f"<dt>Waiver</dt><dd>{e(w.reason)} — owner {e(w.owner)}, expires {e(w.expires)}{ticket}</dd>")
    return f'<dl class="detail">{"".join(parts)}</dl>'


def _findings(report: Report) -> str:
    findings = sorted(report.findings, key=_sort_key)
    platforms = sorted({f.resource.platform for f in findings})
    areas = sorted({f.area for f in findings})
    filters = (
        '<div class="filters">'
        + _select("status", "Status", [s.value for s in Status])
        + _select("severity", "Severity", [s.value for s in Severity])
        + _select("platform", "Platform", platforms)
        + _select("area", "Area", areas)
        + '<label>Search<input id="filter-text" type="search" placeholder="policy, resource, message"></label>'
        + '<button id="filter-reset" type="button">Reset</button>'
        + '<span>showing <strong id="visible-count">'
        + str(len(findings))
        + f"</strong> of {len(findings)}</span></div>"
    )
    rows = []
    for f in findings:
        new = ' <span class="badge new">new</span>' if f.change == "new" and f.is_failure else ""
        rows.append(
            f'<tr class="finding" data-status="{f.status.value}" data-severity="{f.severity.value}" '
            f'data-platform="{e(f.resource.platform)}" data-area="{e(f.area)}" data-uid="{e(f.uid)}">'
            f'<td><span class="badge {f.status.value}">{f.status.value}</span>{new}</td>'
            f'<td class="sev {f.severity.value}">{f.severity.value}</td>'
            f"<td>{e(f.area)}</td>"
            f'<td><details><summary>{e(f.title)}<br><code>{e(f.policy)}</code> · '
            f'<span class="resource">{e(f.resource.name)}</span></summary>{_detail(f)}</details></td></tr>'
        )
    return (
        f'<section id="findings"><h2>Findings</h2>{filters}<table><thead><tr><th>status</th><th>severity</th>'
        f'<th>area</th><th>finding</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _waived(report: Report) -> str:
    waived = sorted((f for f in report.findings if f.status is Status.WAIVED), key=_sort_key)
    if not waived:
        return '<section id="waived"><h2>Waived findings</h2><p class="muted">None.</p></section>'
    rows = "".join(
        f"<tr><td><code>{e(f.policy)}</code></td><td class=\"resource\">{e(f.resource.id)}</td>"
        f"<td>{e(f.waiver.owner if f.waiver else '')}</td><td>{e(f.waiver.expires if f.waiver else '')}</td>"
        f"<td>{e(f.waiver.reason if f.waiver else '')}</td><td>{e(f.waiver.ticket if f.waiver else '')}</td></tr>"
        for f in waived
    )
    return (
        f'<section id="waived"><h2>Waived findings (<span id="count-waived">{len(waived)}</span>)</h2><table><thead><tr>'
        "<th>policy</th><th>resource</th><th>owner</th><th>expires</th><th>reason</th><th>ticket</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _plain(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    return value


def _people(report: Report) -> str:
    """People from roster correlation (issue 7), whatever their exact shape; a placeholder without."""
    people = getattr(report, "people", None)
    if not people:
        return (
            '<section id="people"><h2>People</h2><p class="muted">No people view in this run: '
            "give posture a roster (<code>--roster</code>) to see each person's accounts across platforms.</p></section>"
        )
    records = [_plain(p) for p in (people.values() if isinstance(people, Mapping) else people)]
    records = [r if isinstance(r, Mapping) else {"person": r} for r in records]
    columns: list[str] = []
    for record in records:
        for key in record:
            if key not in columns:
                columns.append(str(key))
    columns = columns[:12]

    def show(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return ", ".join(show(v) for v in value)
        if isinstance(value, Mapping):
            return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
        return e(value)

    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    rows = "".join("<tr>" + "".join(f"<td>{show(r.get(c))}</td>" for c in columns) + "</tr>" for r in records)
    return f'<section id="people"><h2>People ({len(records)})</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>'


def _paths(report: Report) -> str:
    """Paths from people to cloud roles (posture paths), drawn hop by hop; ungated ones first."""
    paths = [_plain(p) for p in getattr(report, "paths", ())]
    if not paths:
        return ""
    items = []
    for path in paths:
        gated = path.get("gated")
        label, css = ("gated", "gated") if gated is True else ("UNGATED", "ungated") if gated is False else ("gate unknown", "")
        hops = "".join(f"<li>{e(hop)}</li>" for hop in path.get("hops") or ())
        items.append(f'<div class="path-item"><span class="gate {css}">{e(label)}</span> {e(path.get("name"))}'
                     f'<ol class="path {css}">{hops}</ol></div>')
    ungated = sum(1 for p in paths if p.get("gated") is False)
    return (f'<section id="paths"><h2>Paths to cloud roles ({len(paths)}, {ungated} ungated)</h2>'
            f'<p class="muted">Person → account → repository → OIDC token → the trust that accepts it → role.</p>'
            f'{"".join(items)}</section>')


def _sources(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{e(s.platform)}</td><td>{e(s.name)}</td><td>{e(s.status)}</td><td>{e(s.identity or '')}</td></tr>"
        for s in report.run.sources
    )
    if not rows:
        return ""
    return (
        '<details><summary>Sources read</summary><table><thead><tr><th>platform</th><th>source</th><th>status</th>'
        f"<th>identity</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def render(report: Report) -> str:
    """The page as one string."""
    run = report.run
    policy = (
        f"default-src 'none'; style-src 'sha256-{_sha256(CSS)}'; script-src 'sha256-{_sha256(SCRIPT)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    summary_json = json.dumps(report.summary(), sort_keys=True)
    body = "".join(
        [
            f"<header><h1>posture audit</h1><p class=\"muted\">Run {e(run.run_id or 'not recorded')} · "
            f"{e(run.started_at)} → {e(run.finished_at)} · posture {e(run.tool_version)}"
            f"{' · scope ' + e(run.scope) if run.scope else ''}</p>{_sources(report)}</header>",
            _summary(report),
            _charts(report),
            _changes(report),
            _notices(report),
            _areas(report),
            _breakdown(report),
            _findings(report),
            _waived(report),
            _people(report),
            _paths(report),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{e(policy)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>posture audit {e(run.finished_at)}</title><style>{CSS}</style></head>"
        f'<body data-summary="{e(summary_json)}"><main>{body}</main><script>{SCRIPT}</script></body></html>\n'
    )


def write(report: Report, stream: TextIO) -> None:
    stream.write(render(report))
