"""Every output carries each finding's evidence: the attribute values its policy read."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

from report_factory import HOSTILE_NAME, make_finding, make_report

from scanner.findings import Status
from scanner.outputs import html, ocsf, sarif
from scanner.outputs import json as json_output

EVIDENCE = {"enabled": False, "owners": ["ana", HOSTILE_NAME], "protection": {"unknown": "needs admin"}}


def report():
    return make_report([make_finding(evidence=EVIDENCE), make_finding("p_pass", "github:x", status=Status.PASS, evidence={})])


def test_json_findings_carry_evidence() -> None:
    stream = io.StringIO()
    json_output.write(report(), stream)
    first, second = json.loads(stream.getvalue())["findings"]
    assert first["evidence"] == EVIDENCE
    assert "evidence" not in second  # a policy that read nothing has nothing to show


def test_ocsf_events_carry_evidence_as_evidences_and_unmapped() -> None:
    event = next(ocsf.events(report()))
    assert event["evidences"] == [{"data": EVIDENCE}]
    assert event["unmapped"]["posture"]["evidence"] == EVIDENCE


def test_sarif_results_carry_evidence_in_properties() -> None:
    (result,) = sarif.document(report())["runs"][0]["results"]
    assert result["properties"]["evidence"] == EVIDENCE


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_evidence = 0
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag == "ul" and ("class", "plain evidence") in attrs:
            self.in_evidence += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self.in_evidence:
            self.in_evidence -= 1

    def handle_data(self, data: str) -> None:
        if self.in_evidence:
            self.text.append(data)


def test_html_finding_row_shows_evidence_escaped() -> None:
    parser = _Text()
    parser.feed(html.render(report()))
    shown = "".join(parser.text)
    assert 'enabled = false' in shown
    assert f"owners = {json.dumps(['ana', HOSTILE_NAME], ensure_ascii=False)}" in shown
    assert parser.scripts == 1  # the hostile <script> in the evidence stayed text
