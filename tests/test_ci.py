"""CI stays reproducible: ``.ci/run`` installs from ``constraints.txt``, which pins everything the
test extra needs within pyproject's bounds, and requires the servers instead of skipping them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
FIX = "run tools/refresh_constraints.sh (docs/development.md: Tests and CI)"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin; {FIX}"
            pins[canonicalize_name(name)] = version
    return pins


def _test_requirements() -> list[Requirement]:
    """The requirements ``pip install -e '.[test]'`` resolves: the core, test, and the extras it names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    own = canonicalize_name(project["name"])
    extras = project.get("optional-dependencies", {})
    found = [Requirement(r) for r in project["dependencies"]]
    pending, seen = ["test"], set()
    while pending:
        extra = pending.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in extras[extra]:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == own:
                pending += sorted(requirement.extras)
            else:
                found.append(requirement)
    return found


def test_constraints_pin_every_test_requirement_within_its_bounds() -> None:
    pins = _pins()
    environment = default_environment()
    problems = []
    for requirement in _test_requirements():
        if requirement.marker and not requirement.marker.evaluate(environment):  # type: ignore[arg-type]
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{requirement.name} is not pinned")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{requirement.name}=={pinned} is outside pyproject's {requirement.specifier}")
    assert problems == [], f"constraints.txt is stale ({'; '.join(problems)}): {FIX}"


def test_constraints_leave_the_project_itself_out() -> None:
    assert not {"posture", "posture-audit"} & set(_pins()), f"constraints.txt pins the project itself; {FIX}"


def test_ci_installs_the_pins_and_requires_the_servers() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"pip install .*-c constraints\.txt -e '\.\[test\]'", script)
    assert 'export POSTURE_REQUIRE_SERVERS="${POSTURE_REQUIRE_SERVERS:-1}"' in script
    assert script.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in script
    assert "-m mypy scanner" in script and "-m pytest -n 2" in script
