"""The README documents what ships: every policy (tables generated from the YAML), every flag."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from scanner.cli import cli
from scanner.policy.loader import baseline_dir, load_policies
from tools.readme_tables import BLOCK, README, render


def test_policy_tables_match_the_shipped_policies() -> None:
    text = README.read_text(encoding="utf-8")
    assert BLOCK.search(text), "no generated policy table in the README"
    assert render(text) == text, "README policy tables are stale: run python tools/readme_tables.py"


def test_every_shipped_policy_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [p.id for p in load_policies([baseline_dir()]) if f"`{p.id}`" not in text]
    assert not missing, missing


def _options(command: click.Command) -> set[str]:
    names = set()
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(o for o in param.opts if o.startswith("--") and o != "--help")
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            names |= _options(sub)
    return names


@pytest.mark.parametrize("flag", sorted(_options(cli)))
def test_every_flag_is_documented(flag: str) -> None:
    assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", README.read_text(encoding="utf-8")), f"{flag} is not in the README"
