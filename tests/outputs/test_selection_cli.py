"""`--policy`, `--exclude-policy`, `--severity`, `--status` and `--ocsf-version` on a real run:
they choose what the outputs carry; history and the exit code still see every finding."""

from __future__ import annotations

import json
from pathlib import Path


def demo(posture, tmp_path: Path, *extra: str):
    out = tmp_path / "out"
    result = posture("scan", "--demo", "--history", str(tmp_path / "h.db"), "--format", f"json:{out / 'f.json'}",
                     "--format", f"ocsf:{out / 'f.jsonl'}", *extra)
    findings = json.loads((out / "f.json").read_text())["findings"]
    events = [json.loads(line) for line in (out / "f.jsonl").read_text().splitlines()]
    return result, findings, events


def test_status_and_severity_select_outputs_not_the_gate_or_history(posture, tmp_path: Path) -> None:
    everything, all_findings, _ = demo(posture, tmp_path)
    result, findings, events = demo(posture, tmp_path, "--status", "FAIL,ERROR", "--severity", "low", "--ocsf-version", "1.1")
    assert findings and {f["status"] for f in findings} <= {"FAIL", "ERROR"} and {f["severity"] for f in findings} == {"low"}
    assert len(findings) < len(all_findings)
    assert {e["metadata"]["version"] for e in events} == {"1.1.0"} and all("checks" not in e["compliance"] for e in events)
    assert result.code == everything.code == 1  # the critical failures still fail the gate
    assert "Selection applied (severity low; status FAIL,ERROR)" in result.out
    history = posture("history", "--history", str(tmp_path / "h.db"), "--json")
    runs = json.loads(history.out)
    assert runs[0]["summary"]["total"] == len(all_findings)  # history kept everything


def test_policy_globs_and_typos(posture, tmp_path: Path) -> None:
    _, findings, _ = demo(posture, tmp_path, "--policy", "aws_*", "--exclude-policy", "aws_root_*")
    policies = {f["policy"] for f in findings}
    assert policies and all(p.startswith("aws_") and not p.startswith("aws_root_") for p in policies)
    typo = posture("scan", "--demo", "--no-history", "--policy", "aws_rot_*")
    assert typo.code == 2 and "'aws_rot_*' matches no loaded policy" in typo.err
    bad = posture("scan", "--demo", "--no-history", "--status", "FAILED")
    assert bad.code == 2 and "--status takes PASS, FAIL, ERROR, WAIVED, SKIPPED" in bad.err


def test_html_report_draws_the_trend_from_history(posture, tmp_path: Path) -> None:
    for _ in range(3):
        demo(posture, tmp_path, "--format", f"html:{tmp_path / 'r.html'}")
    markup = (tmp_path / "r.html").read_text()
    points = markup.count('<circle class="point"')
    assert points == 3 and 'id="chart-trend"' in markup
    _, findings, _ = demo(posture, tmp_path, "--no-history", "--format", f"html:{tmp_path / 'n.html'}")
    assert 'id="chart-trend-empty"' in (tmp_path / "n.html").read_text()
