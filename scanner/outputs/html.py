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
from scanner.findings import Finding, Report, Severity, Status

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
    return escape("" if value is None else str(value), quote=True)


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
        f"<li><strong>{e(s.platform)} {e(s.name)}</strong>: {e(s.status)} — {e('; '.join(s.errors) or 'see JSON')}</li>"
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
            _changes(report),
            _notices(report),
            _areas(report),
            _findings(report),
            _waived(report),
            _people(report),
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
