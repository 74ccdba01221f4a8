"""The missing-server rule of ``tests/servers.py``: a laptop may skip, CI (``POSTURE_REQUIRE_SERVERS=1``) fails.

Also guards the rule across the suite: no test skips for a missing binary by itself (that would go
green in CI whatever apt did), and no test importorskips the project's own modules (a broken
import would pass as skipped).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.servers import REQUIRE_ENV, require_binary, require_module, server_missing, servers_required

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("value", ["", "0", "no", "false"])
def test_a_missing_server_skips_on_a_laptop(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REQUIRE_ENV, value)
    assert not servers_required()
    with pytest.raises(pytest.skip.Exception, match="redis-server not installed"):
        server_missing("redis-server not installed")


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_a_missing_server_fails_when_servers_are_required(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REQUIRE_ENV, value)
    with pytest.raises(pytest.fail.Exception, match=f"redis-server not installed; {REQUIRE_ENV}=1"):
        server_missing("redis-server not installed")


def test_require_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    assert require_module("json", "stdlib").dumps([]) == "[]"
    with pytest.raises(pytest.fail.Exception, match="no_such_module_xyz not importable.*pip install it"):
        require_module("no_such_module_xyz", "pip install it")
    monkeypatch.delenv(REQUIRE_ENV)
    with pytest.raises(pytest.skip.Exception):
        require_module("no_such_module_xyz", "pip install it")


def test_require_binary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    assert require_binary("sh", "apt-get install -y dash").endswith("/sh")
    binary = tmp_path / "redis-server"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert require_binary("no-such-redis-server", "x", str(binary)) == str(binary)
    with pytest.raises(pytest.fail.Exception, match=r"no-such-server not installed \(Debian: apt-get install -y it\)"):
        require_binary("no-such-server", "apt-get install -y it")


# A skip whose reason says something is not installed, any skipif marker, or an importorskip.
_SKIP_FOR_MISSING = re.compile(r"pytest\.skip\([^)]*(install|binar|driver)|mark\.skipif|importorskip\(", re.I)


def test_no_test_skips_for_a_missing_server_or_module_by_itself() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name in {"servers.py", "test_servers.py"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _SKIP_FOR_MISSING.search(line):
                offenders.append(f"{path.relative_to(TESTS)}:{number}: {line.strip()}")
    assert offenders == [], "use tests.servers.server_missing / require_module instead:\n" + "\n".join(offenders)
