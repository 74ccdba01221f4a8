"""`posture scan --azure` end to end with NO injected credential: azure-identity's
DefaultAzureCredential resolves to EnvironmentCredential (AZURE_TENANT_ID / AZURE_CLIENT_ID /
AZURE_CLIENT_SECRET) and signs in against the fake tenant's token endpoint.

Why a proxy and not AZURE_AUTHORITY_HOST: the collector passes the cloud's authority
(``login.microsoftonline.com`` for ``--azure-cloud public``) to DefaultAzureCredential, which
takes precedence over AZURE_AUTHORITY_HOST; and for any authority host Microsoft does not know,
MSAL first asks ``https://login.microsoftonline.com/common/discovery/instance`` (there is no
environment switch for ``disable_instance_discovery``). So the sign-in keeps its production
host name, and HTTPS_PROXY / HTTP_PROXY point at a local relay that records every request the
run sends off 127.0.0.1: it tunnels ``CONNECT login.microsoftonline.com:443`` to the fake (whose
certificate, from the test CA, also names that host) and refuses anything else. That also proves
nothing else went out — no managed-identity probe of 169.254.169.254, no other Microsoft host.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import trustme

from tests.conftest import CliResult
from tests.fakes.azure.proxy import CLEARED, LOGIN_HOST, ProxyRelay
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import NORTHWIND_TENANT, northwind

CLIENT_ID = "5b7a0c1e-0d2f-4f3a-9b8c-7d6e5f4a3b21"
WRONG_SECRET = "wrong-client-secret-value-9876543210"


@pytest.fixture
def login_fake(ca: trustme.CA, ca_path: str) -> Iterator[FakeAzure]:
    """The fake tenant, with a certificate valid for 127.0.0.1 and the Entra sign-in host."""
    server = FakeAzure(northwind()).start(ca.issue_cert("127.0.0.1", LOGIN_HOST), ca_path)
    yield server
    server.stop()


@pytest.fixture
def relay(login_fake: FakeAzure) -> Iterator[ProxyRelay]:
    port = int(login_fake.url.rsplit(":", 1)[1])
    proxy = ProxyRelay({f"{LOGIN_HOST}:443": port})
    yield proxy
    proxy.stop()


@pytest.fixture
def azure_env(monkeypatch: pytest.MonkeyPatch, login_fake: FakeAzure, relay: ProxyRelay) -> Callable[[str], None]:
    """Environment for a service principal that signs in with ``secret``; every request off
    127.0.0.1 goes through the relay; requests (under azure-identity and the collector) trusts
    the test CA."""

    def set_env(secret: str) -> None:
        for name in CLEARED:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AZURE_TENANT_ID", NORTHWIND_TENANT)
        monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("AZURE_CLIENT_SECRET", secret)
        for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, relay.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.setenv(name, "127.0.0.1,localhost")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", login_fake.ca_path)
        monkeypatch.setenv("SSL_CERT_FILE", login_fake.ca_path)

    return set_env


def _scan(posture: Callable[..., CliResult], fake: FakeAzure, out: Path) -> CliResult:
    return posture(
        "scan", "--azure", "--azure-tenant", NORTHWIND_TENANT,
        "--azure-arm-url", fake.url, "--azure-graph-url", fake.url, "--azure-ca-bundle", fake.ca_path,
        "--no-history", "--format", f"json:{out}",
    )


def _is_token_post(method: str, path: str) -> bool:
    return method == "POST" and path == f"/{NORTHWIND_TENANT}/oauth2/v2.0/token"


def test_scan_signs_in_through_environment_credential(
    posture: Callable[..., CliResult], azure_env: Callable[[str], None], login_fake: FakeAzure,
    relay: ProxyRelay, tmp_path: Path,
) -> None:
    azure_env(login_fake.client_secret)
    out = tmp_path / "findings.json"

    result = _scan(posture, login_fake, out)

    assert result.code == 1, result.err  # the fake tenant has high-severity failures
    document = json.loads(out.read_text())
    outcomes: dict[tuple[str, str], str] = {
        (f["policy"], f["resource"]["name"]): f["status"] for f in document["findings"]
    }
    # Every finding is about an azure.* resource (the people_* policies also read Azure accounts).
    assert {f["resource"]["type"].split(".")[0] for f in document["findings"]} == {"azure"}
    assert sum(policy.startswith("azure_") for policy, _ in outcomes) > 20
    assert outcomes[("azure_role_assignment_no_guest_privileged", "Owner for eve@acme-outsourcing.io")] == "FAIL"
    assert outcomes[("azure_role_assignment_no_guest_privileged", "Owner for ana@northwind.dev")] == "PASS"
    assert outcomes[("azure_subscription_max_owners", "nw-prod")] == "FAIL"
    assert outcomes[("azure_subscription_max_owners", "nw-dev")] == "PASS"
    assert outcomes[("azure_tenant_mfa_admins", "Northwind Labs")] == "PASS"

    # Signed in with the client secret (one token per audience: Graph and ARM), then only reads,
    # each carrying the token the fake issued.
    token_forms = [parse_qs(r.body.decode()) for r in login_fake.requests if _is_token_post(r.method, r.path)]
    assert {form["grant_type"][0] for form in token_forms} == {"client_credentials"}
    assert {form["client_id"][0] for form in token_forms} == {CLIENT_ID}
    assert {form["scope"][0].split()[0] for form in token_forms} == {
        "https://graph.microsoft.com/.default", "https://management.azure.com/.default"}
    others = [r for r in login_fake.requests if not _is_token_post(r.method, r.path)]
    assert {r.method for r in others} == {"GET"}
    api_reads = [r for r in others if not r.path.endswith("/.well-known/openid-configuration")]
    assert api_reads and all(r.authorized for r in api_reads)
    assert any(r.path.startswith("/v1.0/") for r in api_reads) and any(r.path.startswith("/subscriptions") for r in api_reads)

    # Nothing left 127.0.0.1 but the sign-in host (relayed to the fake): no IMDS probe, no
    # instance discovery elsewhere, no other credential tried.
    assert relay.requests and set(relay.requests) == {f"CONNECT {LOGIN_HOST}:443"}

    for text in (result.out, result.err, out.read_text()):
        assert login_fake.client_secret not in text


def test_rejected_client_secret_is_one_line_and_exit_2(
    posture: Callable[..., CliResult], azure_env: Callable[[str], None], login_fake: FakeAzure,
    relay: ProxyRelay, tmp_path: Path,
) -> None:
    azure_env(WRONG_SECRET)
    out = tmp_path / "findings.json"

    result = _scan(posture, login_fake, out)

    assert result.code == 2, (result.out, result.err)
    text = result.out + result.err
    assert "Traceback" not in text
    assert WRONG_SECRET not in text and login_fake.client_secret not in text
    # One line on stderr (the summary on stdout lists the source's error as well).
    lines = [line for line in result.err.splitlines() if "sign in to Azure" in line]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("posture: error: source azure:tenant:")
    assert "EnvironmentCredential" in lines[0] and "AADSTS7000215: Invalid client secret" in lines[0]
    # The rejected secret ended the run: no API read, and no other credential was tried.
    assert [r.method for r in login_fake.requests if _is_token_post(r.method, r.path)]
    assert not [r for r in login_fake.requests if r.path.startswith(("/v1.0/", "/subscriptions"))]
    assert set(relay.requests) == {f"CONNECT {LOGIN_HOST}:443"}
    if out.exists():
        assert WRONG_SECRET not in out.read_text()
