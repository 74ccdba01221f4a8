"""The documentation builds and the README stays a front page.

The README is the page people land on (GitHub, the package index): it must stay short and its
links must lead somewhere. docs/ is built by MkDocs in strict mode, so a broken link, a missing
anchor or a page left out of the nav fails here rather than on the published site.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_README_LINES = 320
# [text](target) and [text]: target; images too. Fenced code is skipped (shell snippets hold brackets).
INLINE_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)


def _prose(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)


def relative_links(text: str) -> list[str]:
    prose = _prose(text)
    targets = INLINE_LINK.findall(prose) + REFERENCE_LINK.findall(prose)
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


def test_mkdocs_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "platforms" / "github" / "index.html").is_file()


def test_readme_is_a_front_page() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; move detail into docs/ (limit {MAX_README_LINES})"


def test_readme_relative_links_point_at_existing_files() -> None:
    links = relative_links(README.read_text(encoding="utf-8"))
    assert links, "the README links nowhere into docs/"
    broken = [link for link in links if not (ROOT / unquote(link.split("#", 1)[0])).exists()]
    assert not broken, f"README links to missing files: {broken}"


def test_every_docs_page_is_in_the_nav() -> None:
    # mkdocs only warns (strict: fails) on omitted files when validation says so; check directly,
    # so a page added under docs/ without a nav entry is caught even if mkdocs.yml changes.
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md"))
    missing = [page for page in pages if not re.search(rf":\s*{re.escape(page)}\s*$", nav, re.MULTILINE)]
    assert not missing, f"docs pages missing from mkdocs.yml nav: {missing}"


def test_link_finder_sees_links_and_skips_code() -> None:
    text = "see [a](docs/a.md#x) and [b](https://example.com) [c](#local)\n```\n[d](nope.md)\n```\n[e]: docs/e.md\n"
    assert relative_links(text) == ["docs/a.md#x", "docs/e.md"]


def test_no_install_line_names_the_unrelated_posture_distribution() -> None:
    # `posture` on the package index is someone else's project; the distribution is posture-audit.
    pages = [README, *sorted((ROOT / "docs").rglob("*.md"))]
    wrong = [p.name for p in pages if re.search(r"pip install\s+['\"]?posture(\[|['\"\s]|$)", p.read_text(encoding="utf-8"), re.MULTILINE)]
    assert not wrong, f"install lines naming `posture` instead of `posture-audit` in {wrong}"
