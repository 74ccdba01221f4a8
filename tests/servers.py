"""Real servers the tests start (rsyslog, PostgreSQL, Chromium, ...): skip on a laptop, fail in CI.

A test that needs a server binary calls :func:`server_missing` when the binary is absent. On a
developer's machine that is a skip with the reason and the install command. When
``POSTURE_REQUIRE_SERVERS=1`` (``.ci/run`` sets it) it is a failure instead: a CI run whose apt step
left a server out must go red, not green on skipped tests.

Use it for every "binary or driver not installed" case, never ``pytest.skip``/``skipif`` directly
(``tests/test_servers.py`` checks), and add the Debian package to ``apt_packages`` in ``.ci/run``::

    redis = require_binary("redis-server", "apt-get install -y redis-server")
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType
from typing import NoReturn

import pytest

REQUIRE_ENV = "POSTURE_REQUIRE_SERVERS"
_TRUE = {"1", "true", "yes", "on"}


def servers_required() -> bool:
    """True when a missing server must fail the test (CI), false when it may skip (a laptop)."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in _TRUE


def server_missing(reason: str) -> NoReturn:
    """Skip the current test for a missing server, or fail it when servers are required."""
    if servers_required():
        pytest.fail(f"{reason}; {REQUIRE_ENV}=1 (set by .ci/run) does not allow skipping it", pytrace=False)
    pytest.skip(reason)


def require_module(name: str, install_hint: str) -> ModuleType:
    """Import an optional third-party module a server test needs (e.g. ``psycopg``), same rule."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        server_missing(f"{name} not importable ({error}); {install_hint}")


def require_binary(name: str, install: str, *extra_paths: str) -> str:
    """The path of a server binary (on PATH or at one of ``extra_paths``), or skip/fail naming ``install``."""
    found = shutil.which(name) or next((p for p in extra_paths if os.access(p, os.X_OK)), None)
    if found is None:
        server_missing(f"{name} not installed (Debian: {install})")
    return found
