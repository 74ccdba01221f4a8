"""The HTML report draws the paths from people to cloud roles, hop by hop (issue 15 §4)."""

from __future__ import annotations

import re

from scanner.demo import load_demo
from scanner.outputs import html
from scanner.pipeline import evaluate_inventory
from scanner.policy.loader import baseline_dir, load_policies


def test_demo_report_draws_an_ungated_contractor_path_and_a_gated_one() -> None:
    report = evaluate_inventory(load_demo(), load_policies([baseline_dir()])).report
    page = html.render(report)
    section = re.search(r'<section id="paths">(.*?)</section>', page, re.S)
    assert section is not None
    body = section.group(1)
    assert 'class="path ungated"' in body and 'class="path gated"' in body
    ungated = re.findall(r'<ol class="path ungated">(.*?)</ol>', body, re.S)
    assert any("Carla Mendes" in hops and "gha-mobile-release" in hops for hops in ungated)
    assert body.index("UNGATED") < body.index(">gated<")  # ungated first
    # Each hop is its own box, escaped like every other value.
    assert all(hop.count("<li>") >= 4 for hop in ungated)


def test_no_paths_no_section() -> None:
    from dataclasses import replace

    report = evaluate_inventory(load_demo(), load_policies([baseline_dir()])).report
    assert 'id="paths"' not in html.render(replace(report, paths=()))
