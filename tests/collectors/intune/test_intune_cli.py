"""Intune end to end with NO injected credential: azure-identity's DefaultAzureCredential signs
in through EnvironmentCredential against the fake's token endpoint (reached through the
recording proxy, as in tests/collectors/azure/test_azure_cli.py), then reads the fake Graph.

The first test goes through the platform descriptor, as the pipeline does; the second through
`posture scan --intune`, whose flags the CLI builds from the registry (`scanner.collectors.PLATFORMS`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from scanner.collectors.base import CollectContext
from scanner.collectors.intune.platform import PLATFORM
from tests.conftest import CliResult
from tests.fakes.azure.client import NOW
from tests.fakes.azure.proxy import CLEARED, LOGIN_HOST, ProxyRelay
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import NORTHWIND_TENANT, northwind

CLIENT_ID = "5b7a0c1e-0d2f-4f3a-9b8c-7d6e5f4a3b21"


@pytest.fixture
def login_fake(ca: trustme.CA, ca_path: str) -> Iterator[FakeAzure]:
    server = FakeAzure(northwind()).start(ca.issue_cert("127.0.0.1", LOGIN_HOST), ca_path)
    yield server
    server.stop()


@pytest.fixture
def relay(login_fake: FakeAzure) -> Iterator[ProxyRelay]:
    proxy = ProxyRelay({f"{LOGIN_HOST}:443": int(login_fake.url.rsplit(":", 1)[1])})
    yield proxy
    proxy.stop()


@pytest.fixture
def signed_in_env(monkeypatch: pytest.MonkeyPatch, login_fake: FakeAzure, relay: ProxyRelay) -> None:
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_TENANT_ID", NORTHWIND_TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", login_fake.client_secret)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, relay.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", login_fake.ca_path)
    monkeypatch.setenv("SSL_CERT_FILE", login_fake.ca_path)


def _check_sign_in_and_reads(login_fake: FakeAzure, relay: ProxyRelay) -> None:
    tokens = [r for r in login_fake.requests if r.method == "POST" and r.path == f"/{NORTHWIND_TENANT}/oauth2/v2.0/token"]
    assert tokens and all(b"scope=https%3A%2F%2Fgraph.microsoft.com%2F.default" in r.body for r in tokens)
    reads = [r for r in login_fake.requests if r.path.startswith("/v1.0/")]
    assert {r.method for r in reads} == {"GET"} and all(r.authorized for r in reads)
    assert {r.path for r in reads} == {"/v1.0/deviceManagement/managedDevices", "/v1.0/deviceManagement/deviceCompliancePolicies", "/v1.0/users"}
    assert set(relay.requests) == {f"CONNECT {LOGIN_HOST}:443"}  # nothing else left 127.0.0.1


def test_descriptor_collects_with_default_azure_credential(signed_in_env: None, login_fake: FakeAzure, relay: ProxyRelay) -> None:
    settings = {"tenant": NORTHWIND_TENANT, "graph_url": login_fake.url, "ca_bundle": login_fake.ca_path}
    result = PLATFORM.make_collector(settings, CollectContext(clock=lambda: NOW)).collect()
    assert [s.status for s in result.sources] == ["ok"], result.sources
    assert result.sources[0].identity == f"app {CLIENT_ID} (object id b2000001-0000-4000-8000-000000000001)"
    assert {r.type for r in result.resources} == {"intune.tenant", "intune.device", "intune.compliance_policy"}
    _check_sign_in_and_reads(login_fake, relay)
    assert login_fake.client_secret not in repr(result)


def test_scan_intune_through_the_cli(posture: Callable[..., CliResult], signed_in_env: None, login_fake: FakeAzure,
                                     relay: ProxyRelay, tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    result = posture("scan", "--intune", "--intune-tenant", NORTHWIND_TENANT, "--intune-graph-url", login_fake.url,
                     "--intune-ca-bundle", login_fake.ca_path, "--no-history", "--format", f"json:{out}")
    assert result.code == 1, result.err  # high-severity device failures
    document = json.loads(out.read_text())
    outcomes = {(f["policy"], f["resource"]["name"]): f["status"] for f in document["findings"]}
    assert outcomes[("intune_device_encrypted", "NW-LT-FARID")] == "FAIL"
    assert outcomes[("intune_device_encrypted", "NW-MAC-ANA")] == "PASS"
    assert outcomes[("intune_tenant_platforms_covered", f"Intune {NORTHWIND_TENANT}")] == "FAIL"
    _check_sign_in_and_reads(login_fake, relay)
    for text in (result.out, result.err, out.read_text()):
        assert login_fake.client_secret not in text
