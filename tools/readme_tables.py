"""Regenerate the README's policy tables from the shipped policies (so they never drift).

Each table sits between ``<!-- policies:PLATFORM -->`` and ``<!-- /policies -->``; a test
(tests/test_readme.py) fails when one differs from what this script would write.
Run: python tools/readme_tables.py
"""

from __future__ import annotations

import re
from pathlib import Path

from scanner.cli import policy_table
from scanner.policy.loader import baseline_dir, load_policies

README = Path(__file__).resolve().parents[1] / "README.md"
# A block never spans another block's opening marker: an unclosed block is left alone (and the
# test fails on it) instead of swallowing the sections up to the next closing marker.
BLOCK = re.compile(r"(<!-- policies:(\w+) -->\n)((?:(?!<!-- policies:).)*?)(<!-- /policies -->)", re.DOTALL)


def tables() -> dict[str, str]:
    policies = load_policies([baseline_dir()])
    platforms = sorted({p.id.split("_", 1)[0] for p in policies})
    return {platform: policy_table([p for p in policies if p.id.split("_", 1)[0] == platform]) for platform in platforms}


def render(text: str) -> str:
    generated = tables()
    return BLOCK.sub(lambda m: m.group(1) + generated.get(m.group(2), "") + "\n" + m.group(4), text)


if __name__ == "__main__":
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {README}")
