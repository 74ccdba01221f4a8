"""Signing in the ways users do: ADC with a service-account key file whose token_uri is the
fake's token endpoint (end to end, then evaluated through the CLI), impersonation, and no
credentials at all (one line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from scanner.collectors.base import CollectContext
from scanner.collectors.gcp.collector import GcpCollector
from scanner.inventory.snapshot import Inventory
from tests.fakes.gcp.client import NOW, settings_for, static_credential
from tests.fakes.gcp.server import FakeGcp

ROOT = Path(__file__).resolve().parents[3]
SA_EMAIL = "posture-audit@nw-ci-tools.iam.gserviceaccount.com"


def _key_file(tmp_path: Path, token_uri: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    path = tmp_path / "key.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "nw-ci-tools",
                "private_key_id": "0123456789abcdef",
                "private_key": pem,
                "client_email": SA_EMAIL,
                "client_id": "1234567890",
                "token_uri": token_uri,
            }
        )
    )
    return path


@pytest.fixture
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """ADC sees only what the test sets: no gcloud config, no metadata server."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")


def test_service_account_key_file_end_to_end_then_cli_evaluate(fake: FakeGcp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_ambient_credentials: None) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(_key_file(tmp_path, f"{fake.url}/token")))
    result = GcpCollector(settings_for(fake, credential=None), CollectContext(clock=lambda: NOW)).collect()
    (source,) = result.sources
    assert source.status == "ok", source.errors
    assert source.identity == f"service account {SA_EMAIL}"
    assert fake.token_requests == 1, "one token for the whole scan"
    snapshot = tmp_path / "gcp.json"
    snapshot.write_text(json.dumps(Inventory(result.resources, result.sources, tool_version="test").to_json()))
    assert "PRIVATE KEY" not in snapshot.read_text() and fake.token not in snapshot.read_text()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "scanner", "evaluate", str(snapshot), "--no-default-policies", "--policies", str(ROOT / "policies" / "gcp"), "--format", "json"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert out.returncode == 1, out.stderr  # high-severity failures exist in Northwind's org
    findings = json.loads(out.stdout)
    items = findings["findings"] if isinstance(findings, dict) else findings
    failed = {(f["policy"], f["resource"]["id"]) for f in items if f["status"] == "FAIL"}
    assert ("gcp_service_account_keys_rotated", f"gcp:serviceAccounts/deployer@nw-ci-tools.iam.gserviceaccount.com") in failed


def test_impersonation_mints_a_token_for_the_audit_service_account(fake: FakeGcp) -> None:
    settings = settings_for(
        fake, credential=static_credential("ya29.source-user-token-abcdef"), impersonate=SA_EMAIL, endpoints={"iamcredentials": fake.url + "/iamcredentials"}
    )
    result = GcpCollector(settings, CollectContext(clock=lambda: NOW)).collect()
    (source,) = result.sources
    assert source.status == "ok", source.errors
    assert source.identity is not None and source.identity.startswith(f"service account {SA_EMAIL} (impersonated")
    assert fake.token_requests == 1


def test_no_credentials_is_one_line_per_source(no_ambient_credentials: None) -> None:
    result = GcpCollector({"organization": "112233445566"}, CollectContext(clock=lambda: NOW)).collect()
    (source,) = result.sources
    assert source.status == "failed" and source.error_kind == "auth"
    (line,) = source.errors
    assert "\n" not in line and "gcloud auth application-default login" in line and "GOOGLE_APPLICATION_CREDENTIALS" in line
