"""Issue 18 §3 (ZT-4) and §5 (OP-1) on Azure, against the fake: principals writing in both
production and non-production subscriptions, and Defender for Cloud security contacts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult
from scanner.errors import ConfigError
from scanner.findings import Status
from scanner.inventory.model import Unknown
from scanner.inventory.snapshot import Inventory
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.azure.client import NOW, settings_for
from tests.fakes.azure.server import FakeAzure
from tests.fakes.azure.tenant import CONTRIBUTOR, NW_DEV, NW_PROD, Estate, northwind, role_assignment

POLICIES = Path(__file__).resolve().parents[3] / "policies" / "azure"


@pytest.fixture(scope="module")
def policies():
    return load_policies([POLICIES])


@pytest.fixture
def serve(ca: trustme.CA, ca_path: str) -> Iterator[Callable[[Estate], tuple[FakeAzure, Callable[..., CollectResult]]]]:
    started: list[FakeAzure] = []

    def start(estate: Estate) -> tuple[FakeAzure, Callable[..., CollectResult]]:
        fake = FakeAzure(estate).start(ca.issue_cert("127.0.0.1"), ca_path)
        started.append(fake)

        def run(**extra: Any) -> CollectResult:
            return load_collector("azure")(settings_for(fake, **extra), CollectContext(concurrency=3, clock=lambda: NOW)).collect()

        return fake, run

    yield start
    for fake in started:
        fake.stop()


def verdicts(result: CollectResult, policies, policy: str) -> dict[str, Status]:
    chosen = [p for p in policies if p.id == policy]
    return {f.resource.id: f.status for f in evaluate(chosen, Inventory(result.resources, result.sources))}


def assignment(result: CollectResult, suffix: str) -> dict[str, Any]:
    return next(dict(r.attributes) for r in result.resources if r.type == "azure.role_assignment" and r.id.endswith(suffix))


def subscriptions(result: CollectResult) -> dict[str, dict[str, Any]]:
    return {r.name: dict(r.attributes) for r in result.resources if r.type == "azure.subscription"}


def test_writers_in_both_environments_fail_by_tag(serve, policies) -> None:
    _, run = serve(northwind())
    result = run()
    subs = subscriptions(result)
    assert (subs["nw-prod"]["environment"], subs["nw-prod"]["is_production"]) == ("production", True)
    assert subs["nw-dev"]["environment"] == "development"
    ana_prod = assignment(result, f"00000001-5555-4666-8777-{NW_PROD[-12:]}")
    assert ana_prod["environments"] == ["production"] and ana_prod["write_role"] is True
    assert ana_prod["cross_environment_writers"] == ["ana@northwind.dev"]
    deployer = assignment(result, f"00000004-5555-4666-8777-{NW_PROD[-12:]}")
    assert deployer["cross_environment_writers"] == []
    found = verdicts(result, policies, "azure_role_assignment_no_cross_environment_write")
    assert Status.FAIL in found.values() and Status.PASS in found.values()


def test_a_name_convention_from_settings_classes_untagged_subscriptions(serve, policies) -> None:
    estate = northwind()
    for sub in estate.subscriptions:
        sub["tags"] = {}
    _, run = serve(estate)
    untagged = run()
    assert {n: s["environment"] for n, s in subscriptions(untagged).items()} == {"nw-prod": None, "nw-dev": None}
    assert set(verdicts(untagged, policies, "azure_subscription_environment_designated").values()) == {Status.FAIL}
    named = run(production_name_pattern=r"-prod$", nonproduction_name_pattern=r"-(dev|test)$")
    subs = subscriptions(named)
    assert (subs["nw-prod"]["environment"], subs["nw-dev"]["environment"]) == ("production", "non-production")
    ana_prod = assignment(named, f"00000001-5555-4666-8777-{NW_PROD[-12:]}")
    assert ana_prod["cross_environment_writers"] == ["ana@northwind.dev"]


def test_a_management_group_write_role_spans_both_environments(serve, policies) -> None:
    estate = northwind()
    carl = next(u for u in estate.users if u["userPrincipalName"] == "dmitri@northwind.dev")
    mg = "/providers/Microsoft.Management/managementGroups/northwind"
    inherited = role_assignment(NW_PROD, 50, carl["id"], "User", CONTRIBUTOR, mg)
    estate.role_assignments[NW_PROD].append(inherited)
    estate.role_assignments[NW_DEV].append(dict(inherited))
    _, run = serve(estate)
    result = run()
    attrs = assignment(result, inherited["name"])
    assert attrs["environments"] == ["development", "production"]
    assert attrs["cross_environment_writers"] == ["dmitri@northwind.dev"]
    assert verdicts(result, policies, "azure_role_assignment_no_cross_environment_write")[inherited["id"]] is Status.FAIL


def test_unreadable_assignments_elsewhere_make_a_clean_answer_unknown(serve, policies) -> None:
    fake, run = serve(northwind())
    fake.fail(rf"GET /subscriptions/{NW_DEV}/providers/Microsoft.Authorization/roleAssignments", 403, code="AuthorizationFailed")
    result = run()
    deployer = assignment(result, f"00000004-5555-4666-8777-{NW_PROD[-12:]}")
    assert isinstance(deployer["cross_environment_writers"], Unknown)  # never a PASS on doubt
    assert verdicts(result, policies, "azure_role_assignment_no_cross_environment_write")[
        next(r.id for r in result.resources if r.id.endswith(f"00000004-5555-4666-8777-{NW_PROD[-12:]}"))] is Status.ERROR


def test_bad_name_pattern_is_one_config_error(serve) -> None:
    _, run = serve(northwind())
    with pytest.raises(ConfigError, match="production_name_pattern"):
        run(production_name_pattern="(prod")


def test_security_contacts_per_subscription(serve, policies) -> None:
    fake, run = serve(northwind())
    result = run()
    subs = subscriptions(result)
    assert subs["nw-prod"]["security_contact_emails"] == ["ana@northwind.dev", "security@northwind.dev"]
    assert subs["nw-prod"]["security_alerts_to_owners"] is True
    assert subs["nw-dev"]["security_contact_configured"] is False
    found = {r.name: s for r in result.resources if r.type == "azure.subscription"
             for rid, s in verdicts(result, policies, "azure_subscription_security_contact").items() if rid == r.id}
    assert found == {"nw-prod": Status.PASS, "nw-dev": Status.FAIL}
    assert any(r.path.endswith("/providers/Microsoft.Security/securityContacts") and r.query.get("api-version") == ["2023-12-01-preview"]
               for r in fake.requests)


def test_a_disabled_contact_does_not_count_and_a_refusal_is_error(serve, policies) -> None:
    estate = northwind()
    estate.security_contacts[NW_PROD][0]["properties"]["isEnabled"] = False
    fake, run = serve(estate)
    fake.fail(rf"GET /subscriptions/{NW_DEV}/providers/Microsoft.Security/securityContacts", 403, code="AuthorizationFailed")
    result = run()
    subs = subscriptions(result)
    assert subs["nw-prod"]["security_contact_configured"] is False
    assert isinstance(subs["nw-dev"]["security_contact_configured"], Unknown)
    dev = next(s for s in result.sources if s.name.endswith(NW_DEV))
    assert dev.status == "partial" and any("securityContacts/read" in n for n in dev.notes)
    by_name = {r.id: r.name for r in result.resources}
    found = {by_name[rid]: s for rid, s in verdicts(result, policies, "azure_subscription_security_contact").items()}
    assert found == {"nw-prod": Status.FAIL, "nw-dev": Status.ERROR}
