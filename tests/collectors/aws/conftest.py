"""Fixtures for the AWS collector tests: one moto server per session on 127.0.0.1, the
scanner pointed at it through AWS_ENDPOINT_URL, dummy credentials, no real AWS config."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.aws.server import RecordingMotoServer


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecordingMotoServer]:
    empty = tmp_path_factory.mktemp("aws-config") / "none"
    with pytest.MonkeyPatch.context() as patch:
        # Before the server starts: moto reads it when it builds each account's IAM backend.
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = RecordingMotoServer()
        server.start()
        patch.setenv("AWS_ENDPOINT_URL", server.url)
        patch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEPOSTURETEST0")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret-for-tests-only")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_CONFIG_FILE", str(Path(empty)))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(Path(empty)))
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION"):
            patch.delenv(name, raising=False)
        try:
            yield server
        finally:
            server.stop()
