"""The README and docs/ document what ships: every policy (tables generated from the YAML), every flag."""

from __future__ import annotations

import re
from functools import cache

import click
import pytest

from scanner.cli import cli
from scanner.collectors import platforms
from scanner.policy.loader import baseline_dir, load_policies
from tools.readme_tables import BLOCK, documents, render, tables


@cache
def _documentation() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in documents())


def test_policy_tables_match_the_shipped_policies() -> None:
    generated = tables()
    stale = []
    blocks = 0
    for path in documents():
        text = path.read_text(encoding="utf-8")
        blocks += len(BLOCK.findall(text))
        if render(text, generated) != text:
            stale.append(path.name)
    assert blocks, "no generated policy table in the README or docs/"
    assert not stale, f"policy tables are stale in {stale}: run python tools/readme_tables.py"


def test_every_platform_has_exactly_one_table() -> None:
    # One table per policy prefix: a second copy would drift apart in prose around it, a missing
    # one leaves the platform's policies undocumented.
    found: dict[str, int] = {}
    for path in documents():
        for match in BLOCK.finditer(path.read_text(encoding="utf-8")):
            found[match.group(2)] = found.get(match.group(2), 0) + 1
    prefixes = {p.id.split("_", 1)[0] for p in load_policies([baseline_dir()])}
    assert {name: 1 for name in prefixes} == found


def test_every_shipped_policy_is_documented() -> None:
    text = _documentation()
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


def _flags() -> set[str]:
    # The platform flags are added to the commands when they run (from the descriptors), so they
    # are read from the registry as well as from the static click options.
    return _options(cli) | {o.flag for p in platforms() for o in p.options if o.flag}


@pytest.mark.parametrize("flag", sorted(_flags()))
def test_every_flag_is_documented(flag: str) -> None:
    assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", _documentation()), f"{flag} is not in the README or docs/"
