"""Shared fixtures: run the CLI in-process, write policy files and snapshots.

A test that needs a real server (rsyslog, PostgreSQL, Chromium, ...) uses ``tests/servers.py``
(``require_binary`` / ``server_missing``): it skips on a laptop and fails in CI
(``POSTURE_REQUIRE_SERVERS=1``, set by ``.ci/run``).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def posture(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., CliResult]:
    """Run `posture ARGS...` in-process; returns exit code, stdout, stderr."""
    monkeypatch.setenv("CI", "true")  # plain output, no progress bars
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the default history store

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(int(exit_info.value.code or 0), captured.out, captured.err)

    return run


@pytest.fixture
def write_policies(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a YAML policy file (dedented) into a fresh directory; returns the directory."""

    def write(text: str, name: str = "rules.yaml") -> Path:
        directory = tmp_path / "policies"
        directory.mkdir(exist_ok=True)
        (directory / name).write_text(textwrap.dedent(text).lstrip())
        return directory

    return write


@pytest.fixture
def write_snapshot(tmp_path: Path) -> Callable[..., Path]:
    """Write a snapshot with the given resources (dicts) and sources."""

    def write(resources: list[dict[str, Any]], sources: list[dict[str, Any]] | None = None, name: str = "snap.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps({
            "schema": "posture.snapshot/1",
            "tool_version": "test",
            "collected_at": "2026-11-20T09:00:00Z",
            "sources": sources if sources is not None else [{"name": "github:acme", "platform": "github", "status": "ok"}],
            "resources": resources,
        }))
        return path

    return write
