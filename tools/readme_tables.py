"""Regenerate the policy tables of the README and docs/ from the shipped policies (so they never drift).

Each table sits between ``<!-- policies:PLATFORM -->`` and ``<!-- /policies -->`` in README.md or
any page under docs/ (today each platform's page holds its own table); a test
(tests/test_readme.py) fails when one differs from what this script would write.
Run: python tools/readme_tables.py
"""

from __future__ import annotations

import re
from pathlib import Path

from scanner.cli import policy_table
from scanner.policy.loader import baseline_dir, load_policies

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
# A block never spans another block's opening marker: an unclosed block is left alone (and the
# test fails on it) instead of swallowing the sections up to the next closing marker.
BLOCK = re.compile(r"(<!-- policies:(\w+) -->\n)((?:(?!<!-- policies:).)*?)(<!-- /policies -->)", re.DOTALL)


def documents() -> list[Path]:
    """The files that document posture: the README, then every Markdown page of docs/."""
    return [README, *sorted(DOCS.rglob("*.md"))]


def tables() -> dict[str, str]:
    policies = load_policies([baseline_dir()])
    platforms = sorted({p.id.split("_", 1)[0] for p in policies})
    return {platform: policy_table([p for p in policies if p.id.split("_", 1)[0] == platform]) for platform in platforms}


def render(text: str, generated: dict[str, str] | None = None) -> str:
    generated = tables() if generated is None else generated
    return BLOCK.sub(lambda m: m.group(1) + generated.get(m.group(2), "") + "\n" + m.group(4), text)


def main() -> None:
    generated = tables()
    for path in documents():
        text = path.read_text(encoding="utf-8")
        new = render(text, generated)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
