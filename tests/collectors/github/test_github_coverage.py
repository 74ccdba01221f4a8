"""Guide coverage on GitHub (issue 18) against the fake GitHub: environment separation (ZT-4)."""

from __future__ import annotations

from scanner.inventory.model import Unknown
from tests.collectors.github.helpers import NOW, statuses

BRANCHES = "github_repo_production_environment_branch_policy"


def test_production_environment_branch_policy(fake, run_collector) -> None:
    result = statuses(run_collector(fake))
    # "protected branches only" and custom branch patterns both restrict the deploying branches.
    assert result[(BRANCHES, "northwind-labs/api")] == "PASS"
    assert result[(BRANCHES, "northwind-labs/web")] == "PASS"
    # A production environment any branch may deploy to.
    assert result[(BRANCHES, "northwind-labs/infra")] == "FAIL"
    # No production environment: not applicable.
    assert result[(BRANCHES, "northwind-labs/mobile-app")] == "SKIPPED"


COPILOT_BLOCKED = "github_org_copilot_public_code_blocked"
COPILOT_TEAMS = "github_org_copilot_seats_through_teams"
SECURITY_MANAGER = "github_org_security_manager_assigned"


def test_copilot_policies_and_seats_are_read_from_the_billing_api(fake, run_collector) -> None:
    result = run_collector(fake)
    resources = {r.id: r for r in result.resources}
    org = next(r for r in result.resources if r.type == "github.organization")
    assert org.attributes["copilot_enabled"] is True
    assert org.attributes["copilot_public_code_suggestions"] == "block"
    assert org.attributes["copilot_seat_management"] == "assign_selected"
    assert org.attributes["copilot_seat_holders"] == ["ana-silva", "bochen", "dvolkov"]
    assert org.attributes["copilot_direct_seat_holders"] == ["dvolkov"]
    seats = {r.attributes["login"]: r.attributes["copilot_seat"] for r in resources.values() if r.type == "github.member"}
    assert seats["dvolkov"] is True and seats["build-bot-legacy"] is False
    found = statuses(result)
    assert found[(COPILOT_BLOCKED, "northwind-labs")] == "PASS"
    assert found[(COPILOT_TEAMS, "northwind-labs")] == "FAIL"  # dvolkov's seat is assigned directly
    assert fake.validation_problems == []
    # Only reads: every request the collector made was a GET or the GraphQL POST.
    assert {r.method for r in fake.requests} <= {"GET", "POST"}
    assert all(r.path == "/graphql" for r in fake.requests if r.method == "POST")


def test_copilot_allowing_public_code_for_every_member_fails(fake, run_collector) -> None:
    copilot = fake.world.org("northwind-labs").copilot
    copilot.public_code_suggestions = "allow"
    copilot.seat_management_setting = "assign_all"
    found = statuses(run_collector(fake))
    assert found[(COPILOT_BLOCKED, "northwind-labs")] == "FAIL"
    assert found[(COPILOT_TEAMS, "northwind-labs")] == "FAIL"


def test_an_organization_without_copilot_is_not_applicable(fake, run_collector) -> None:
    fake.world.org("northwind-labs").copilot = None
    result = run_collector(fake)
    org = next(r for r in result.resources if r.type == "github.organization")
    assert org.attributes["copilot_enabled"] is False and org.attributes["copilot_seat_holders"] == []
    found = statuses(result)
    assert found[(COPILOT_BLOCKED, "northwind-labs")] == "SKIPPED"
    assert found[(COPILOT_TEAMS, "northwind-labs")] == "SKIPPED"


def test_a_member_token_cannot_read_copilot_so_the_policies_error(fake, run_collector) -> None:
    from tests.fakes.github import MEMBER_TOKEN

    result = run_collector(fake, token=MEMBER_TOKEN)
    org = next(r for r in result.resources if r.type == "github.organization")
    assert isinstance(org.attributes["copilot_enabled"], Unknown)
    assert isinstance(org.attributes["security_managers"], Unknown)
    found = statuses(result)
    assert found[(COPILOT_BLOCKED, "northwind-labs")] == "ERROR"
    assert found[(SECURITY_MANAGER, "northwind-labs")] == "ERROR"


def test_security_manager_role_holders(fake, run_collector) -> None:
    result = run_collector(fake)
    org = next(r for r in result.resources if r.type == "github.organization")
    assert org.attributes["security_managers"] == ["team:security"]
    assert statuses(result)[(SECURITY_MANAGER, "northwind-labs")] == "PASS"
    role = next(r for r in fake.world.org("northwind-labs").org_roles if r.name == "security_manager")
    role.teams = []
    assert statuses(run_collector(fake))[(SECURITY_MANAGER, "northwind-labs")] == "FAIL"
    role.users = ["ana-silva"]
    assert statuses(run_collector(fake))[(SECURITY_MANAGER, "northwind-labs")] == "PASS"


def test_a_leavers_copilot_seat_fails_through_people_correlation(fake, run_collector) -> None:
    from pathlib import Path

    from scanner.collectors import load_collector
    from scanner.collectors.base import CollectContext
    from scanner.inventory.snapshot import Inventory
    from scanner.pipeline import evaluate_inventory
    from scanner.policy.loader import load_policies

    repo = Path(__file__).resolve().parents[3]
    github = run_collector(fake)
    roster = load_collector("roster")(
        {"file": str(repo / "examples" / "roster.csv")}, CollectContext(clock=lambda: NOW)
    ).collect()
    inventory = Inventory(
        (*github.resources, *roster.resources), (*github.sources, *roster.sources), "2026-11-20T09:00:00Z", "test"
    )
    policies = [p for p in load_policies([repo / "policies" / "people"]) if p.id == "people_leaver_copilot_seat_removed"]
    found = {f.resource.name: f.status.value for f in evaluate_inventory(inventory, policies).report.findings}
    assert found["dvolkov"] == "FAIL"  # left on 2026-11-10, seat still assigned
    assert found["ana-silva"] == "PASS"
    assert found["build-bot-legacy"] == "SKIPPED"  # no roster person, no seat


IP_ALLOW_LIST = "github_org_ip_allow_list_enabled"


def test_ip_allow_list_is_read_with_its_active_entries(fake, run_collector) -> None:
    result = run_collector(fake)
    org = next(r for r in result.resources if r.type == "github.organization")
    assert org.attributes["ip_allow_list_enabled"] is True
    assert org.attributes["ip_allow_list_entries"] == ["198.51.100.0/24"]  # the inactive entry is left out
    assert statuses(result)[(IP_ALLOW_LIST, "northwind-labs")] == "PASS"
    labs = fake.world.org("northwind-labs")
    labs.ip_allow_list.append(("0.0.0.0/0", True))
    assert statuses(run_collector(fake))[(IP_ALLOW_LIST, "northwind-labs")] == "FAIL"
    labs.ip_allow_list_enabled = False
    labs.ip_allow_list = []
    assert statuses(run_collector(fake))[(IP_ALLOW_LIST, "northwind-labs")] == "FAIL"


def test_a_member_cannot_read_the_ip_allow_list(fake, run_collector) -> None:
    from tests.fakes.github import MEMBER_TOKEN

    result = run_collector(fake, token=MEMBER_TOKEN)
    org = next(r for r in result.resources if r.type == "github.organization")
    assert isinstance(org.attributes["ip_allow_list_enabled"], Unknown)
    assert statuses(result)[(IP_ALLOW_LIST, "northwind-labs")] == "ERROR"


SECRETS = "github_repo_production_secrets_in_environment"


def test_production_secrets_at_repository_level(fake, run_collector) -> None:
    result = run_collector(fake)
    repos = {r.name: r.attributes for r in result.resources if r.type == "github.repository"}
    assert repos["northwind-labs/infra"]["production_repository_secrets"] == ["TF_PROD_DEPLOY_KEY"]
    assert repos["northwind-labs/api"]["production_repository_secrets"] == []  # PRODUCTIVITY is not PROD
    assert repos["northwind-labs/mobile-app"]["production_repository_secrets"] == []  # no production environment
    found = statuses(result)
    assert (found[(SECRETS, "northwind-labs/infra")], found[(SECRETS, "northwind-labs/api")]) == ("FAIL", "PASS")
    # Secret names are read only where a production environment exists (values never are).
    read = {r.path for r in fake.requests if r.endpoint == "/repos/{owner}/{repo}/actions/secrets"}
    assert read == {"/repos/northwind-labs/api/actions/secrets", "/repos/northwind-labs/web/actions/secrets",
                    "/repos/northwind-labs/infra/actions/secrets"}


def test_secret_names_unreadable_without_admin(fake, run_collector) -> None:
    from tests.fakes.github import MEMBER_TOKEN

    result = run_collector(fake, token=MEMBER_TOKEN)
    repos = {r.name: r.attributes for r in result.resources if r.type == "github.repository"}
    assert isinstance(repos["northwind-labs/infra"]["production_repository_secrets"], Unknown)
    assert statuses(result)[(SECRETS, "northwind-labs/infra")] == "ERROR"


SCIM = "github_member_provisioned_through_scim"


def test_members_without_a_scim_identity_fail(fake, run_collector) -> None:
    result = run_collector(fake, orgs=["northwind-labs", "northwind-oss"])
    members = {(r.attributes["org"], r.attributes["login"]): r.attributes["scim_provisioned"]
               for r in result.resources if r.type == "github.member"}
    assert members[("northwind-labs", "ana-silva")] is True
    assert members[("northwind-labs", "dvolkov")] is False  # SAML-linked, but invited by hand
    assert members[("northwind-labs", "carla-m")] is None  # outside collaborator
    assert members[("northwind-oss", "ana-silva")] is None  # no SAML SSO there
    found = statuses(run_collector(fake))  # northwind-labs alone: names are unique there
    assert (found[(SCIM, "ana-silva")], found[(SCIM, "build-bot-legacy")]) == ("PASS", "FAIL")
