"""Fixtures for output tests: sample reports built directly, no engine needed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from report_factory import history_report, make_report

from scanner.findings import Report


@pytest.fixture
def report() -> Report:
    return make_report()


@pytest.fixture
def report_with_history() -> Report:
    return history_report()
