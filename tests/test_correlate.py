"""Correlation: accounts linked to roster people, derived attributes, roster.person summaries,
and the people policies evaluated on the result."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scanner.correlate import correlate
from scanner.findings import Status
from scanner.inventory.model import Resource, SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.policy.engine import evaluate
from scanner.policy.loader import load_policies
from tests.fakes.people.accounts import (
    entra_user,
    github_member,
    iam_user,
    role_assignment,
    roster_entry,
    subscription,
)

TODAY = date(2026, 11, 20)
POLICIES = Path(__file__).resolve().parents[1] / "policies" / "people"
ROSTER_SOURCE = SourceStatus(name="roster:team.csv", platform="roster", status="ok")


def team() -> list[Resource]:
    """A small team: an admin employee, a leaver, a contractor, a vendor, and some orphans."""
    return [
        roster_entry("Ana Silva", "ana@acme.dev", github=["Ana-Silva"], entra_upn=["ana@acme.dev"], line=2),
        roster_entry("Dmitri Volkov", "dmitri@acme.dev", status="left", end_date="2026-11-10",
                     github=["dvolkov"], aws_iam_user=["dmitri"], entra_upn=["dmitri@acme.dev"], line=3),
        roster_entry("Carla Mendes", "carla@lisbondevs.pt", employment_type="contractor", partner="Lisbon Devs Lda",
                     end_date="2027-03-31", github=["carla-m"], line=4),
        roster_entry("Eve Okafor", "eve@acme-outsourcing.io", employment_type="vendor", partner="Acme Outsourcing",
                     end_date="2026-12-31", line=5),
        roster_entry("Bo Chen", "bo@acme.dev", line=6),
        roster_entry("Gil Expired", "gil@contract.example", employment_type="contractor", partner="Old Partner",
                     end_date="2026-11-01", github=["gil-x"], line=7),
        roster_entry("Hana Today", "hana@acme.dev", status="left", end_date="2026-11-20", github=["hana"], line=8),
    ]


def accounts() -> list[Resource]:
    return [
        github_member("ana-silva", role="owner", is_admin=True),  # handle, case-insensitive
        github_member("dvolkov"),
        github_member("carla-m", role="outside_collaborator", is_outside_collaborator=True, mfa_enabled=False),
        github_member("gil-x", role="outside_collaborator", is_outside_collaborator=True),
        github_member("hana"),
        github_member("build-bot-legacy", days_since_last_activity=400),
        iam_user("dmitri", active_access_keys=1),
        iam_user("bo.chen", email="Bo@Acme.dev", is_admin=True),  # linked by email (tag), case-insensitive
        iam_user("jenkins-ci", days_since_last_activity=12),
        entra_user("ana@acme.dev", "oid-ana", is_admin=True),
        entra_user("dmitri@acme.dev", "oid-dmitri"),
        entra_user("eve_acme-outsourcing.io#EXT#@acme.onmicrosoft.com", "oid-eve", email="eve@acme-outsourcing.io",
                   user_type="Guest", is_guest=True, mfa_enabled=Unknown("needs AuditLog.Read.All")),
        role_assignment("ra-eve", "OID-EVE", "Owner"),
        role_assignment("ra-dmitri", "oid-dmitri", "Reader"),
        role_assignment("ra-app", "oid-some-app", "Contributor", principal_type="ServicePrincipal"),
        subscription("sub-1", "acme-prod"),
    ]


def correlated(resources: list[Resource] | None = None, sources: tuple[SourceStatus, ...] = (ROSTER_SOURCE,)) -> Inventory:
    inventory = Inventory(tuple(team() + accounts() if resources is None else resources), sources, "2026-11-20T09:00:00Z")
    return correlate(inventory, TODAY)


def by_id(inventory: Inventory) -> dict[str, Resource]:
    return {r.id: r for r in inventory.resources}


def test_every_resource_matches_its_declared_type_after_correlation() -> None:
    inventory = correlated()
    problems = [p for r in inventory.resources for p in problems_with(r, RESOURCE_TYPES[r.type])]
    assert problems == []
    assert len(inventory.of_type("roster.person")) == len(team())


def test_handles_link_first_then_email_then_nothing() -> None:
    resources = by_id(correlated())
    ana = resources["github:acme/member/ana-silva"]
    assert ana.attributes["link_method"] == "handle"
    assert ana.attributes["person"]["name"] == "Ana Silva"
    assert ana.attributes["person"]["id"] == "roster:person/ana@acme.dev"
    bo = resources["arn:aws:iam::111122223333:user/bo.chen"]
    assert bo.attributes["link_method"] == "email"
    assert bo.attributes["person"]["email"] == "bo@acme.dev"
    eve = resources["azure:tenant-1/user/oid-eve"]
    assert (eve.attributes["link_method"], eve.attributes["person"]["partner"]) == ("email", "Acme Outsourcing")
    for orphan in ("github:acme/member/build-bot-legacy", "arn:aws:iam::111122223333:user/jenkins-ci"):
        assert resources[orphan].attributes["link_method"] == "none"
        assert resources[orphan].attributes["person"] is None
        assert resources[orphan].attributes["days_since_exit"] is None


def test_a_handle_wins_over_a_conflicting_email() -> None:
    entries = [roster_entry("Ana", "ana@acme.dev", line=2), roster_entry("Bob", "bob@acme.dev", github=["shared"], line=3)]
    member = github_member("shared", email="ana@acme.dev")
    linked = by_id(correlated(entries + [member]))[member.id]
    assert (linked.attributes["link_method"], linked.attributes["person"]["name"]) == ("handle", "Bob")


def test_two_people_claiming_one_account_is_ambiguous_not_a_guess() -> None:
    # Two roster files merged, both naming the same login: correlation refuses to pick one.
    entries = [roster_entry("Ana", "ana@acme.dev", github=["x"], line=2, scope="roster:a.csv"),
               roster_entry("Anna", "anna@acme.dev", github=["X"], line=2, scope="roster:b.csv")]
    member = github_member("x")
    linked = by_id(correlated(entries + [member]))[member.id]
    assert linked.attributes["link_method"] == "ambiguous"
    assert linked.attributes["person"] is None


def test_days_since_exit_counts_from_the_end_date() -> None:
    resources = by_id(correlated())
    assert resources["github:acme/member/dvolkov"].attributes["days_since_exit"] == 10
    assert resources["arn:aws:iam::111122223333:user/dmitri"].attributes["days_since_exit"] == 10
    assert resources["github:acme/member/hana"].attributes["days_since_exit"] == 0  # leaves today
    # A contractor whose contract ended is out even if HR still says active.
    assert resources["github:acme/member/gil-x"].attributes["days_since_exit"] == 19
    assert resources["github:acme/member/gil-x"].attributes["person"]["days_until_end"] == -19
    assert resources["github:acme/member/carla-m"].attributes["days_since_exit"] is None
    assert resources["github:acme/member/carla-m"].attributes["person"]["days_until_end"] == 131


def test_a_leaver_without_end_date_is_unknown_not_zero() -> None:
    entry = roster_entry("Lee", "lee@acme.dev", status="left", github=["lee"], line=9)
    inventory = correlated([entry, github_member("lee")])
    member = inventory.of_type("github.member")[0]
    assert isinstance(member.attributes["days_since_exit"], Unknown)
    assert "no end date" in member.attributes["days_since_exit"].reason
    person = inventory.of_type("roster.person")[0]
    assert person.attributes["exited"] is True
    assert isinstance(person.attributes["days_since_exit"], Unknown)


def test_role_assignments_link_through_their_principal() -> None:
    resources = by_id(correlated())
    prefix = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleAssignments/"
    eve = resources[prefix + "ra-eve"]
    assert (eve.attributes["link_method"], eve.attributes["person"]["name"]) == ("principal", "Eve Okafor")
    dmitri = resources[prefix + "ra-dmitri"]
    assert dmitri.attributes["days_since_exit"] == 10
    app = resources[prefix + "ra-app"]
    assert (app.attributes["link_method"], app.attributes["person"]) == ("none", None)


def test_person_summary_across_platforms() -> None:
    people = {r.name: r.attributes for r in correlated().of_type("roster.person")}
    ana = people["Ana Silva"]
    assert ana["admin_anywhere"] is True and ana["admin_platforms"] == 2
    assert ana["platforms"] == ["azure", "github"]
    assert ana["account_names"] == ["azure:ana@acme.dev", "github:acme/ana-silva"]
    assert ana["mfa_everywhere"] is True and ana["exited"] is False and ana["enabled_accounts_after_exit"] is None

    dmitri = people["Dmitri Volkov"]
    assert dmitri["exited"] is True and dmitri["days_since_exit"] == 10
    assert dmitri["enabled_accounts_after_exit"] == 4  # GitHub, IAM, Entra, and the Reader assignment

    eve = people["Eve Okafor"]
    assert eve["is_external"] is True
    assert eve["admin_anywhere"] is True  # Owner on the subscription through her guest account
    assert eve["admin_accounts"] == ["azure:Owner on acme-prod"]
    assert isinstance(eve["mfa_everywhere"], Unknown)  # her only account's MFA is unreadable

    carla = people["Carla Mendes"]
    assert carla["mfa_everywhere"] is False and carla["accounts_without_mfa"] == ["github:acme/carla-m"]
    assert carla["admin_anywhere"] is False and carla["days_until_end"] == 131

    bo = people["Bo Chen"]
    assert bo["admin_platforms"] == 1 and bo["accounts"] == ["arn:aws:iam::111122223333:user/bo.chen"]


def test_weakest_account_decides_mfa_and_disabled_accounts_do_not_count() -> None:
    entry = roster_entry("Ana", "ana@acme.dev", github=["ana"], aws_iam_user=["ana"], line=2)
    strong = [github_member("ana", mfa_enabled=True), iam_user("ana", mfa_enabled=Unknown("no permission"))]
    person = correlated([entry, *strong]).of_type("roster.person")[0]
    assert isinstance(person.attributes["mfa_everywhere"], Unknown)
    weak = [github_member("ana", mfa_enabled=False), iam_user("ana", mfa_enabled=Unknown("no permission"))]
    person = correlated([entry, *weak]).of_type("roster.person")[0]
    assert person.attributes["mfa_everywhere"] is False  # a known weak account outweighs an unknown one
    disabled = [github_member("ana"), iam_user("ana", mfa_enabled=False, active=False, is_admin=True)]
    person = correlated([entry, *disabled]).of_type("roster.person")[0]
    assert person.attributes["mfa_everywhere"] is True
    assert person.attributes["admin_anywhere"] is False
    assert person.attributes["active_accounts"] == 1


def test_unknown_admin_rights_make_the_admin_count_unknown() -> None:
    entry = roster_entry("Ana", "ana@acme.dev", github=["ana"], aws_iam_user=["ana"], line=2)
    person = correlated([entry, github_member("ana", is_admin=True),
                         iam_user("ana", is_admin=Unknown("needs iam:GetPolicyVersion"))]).of_type("roster.person")[0]
    assert person.attributes["admin_anywhere"] is True
    assert isinstance(person.attributes["admin_platforms"], Unknown)
    assert "at least 1" in person.attributes["admin_platforms"].reason


def test_without_a_roster_accounts_are_marked_no_roster() -> None:
    inventory = correlated(accounts(), sources=())
    linkable = [r for r in inventory.resources if r.type != "azure.subscription"]
    assert {r.attributes["link_method"] for r in linkable} == {"no_roster"}
    assert inventory.of_type("roster.person") == []
    assert all(r.attributes["person"] is None and r.attributes["days_since_exit"] is None for r in linkable)


def test_a_failed_roster_makes_links_unknown() -> None:
    failed = SourceStatus(name="roster:team.csv", platform="roster", status="failed", errors=("unreadable",))
    inventory = correlated([github_member("ana")], sources=(failed,))
    member = inventory.of_type("github.member")[0]
    assert isinstance(member.attributes["link_method"], Unknown)
    assert "roster:team.csv" in member.attributes["link_method"].reason
    assert isinstance(member.attributes["days_since_exit"], Unknown)


def test_an_unreadable_email_without_a_handle_is_unknown() -> None:
    member = github_member("quiet", email=Unknown("needs admin:org"))
    linked = correlated([roster_entry("Ana", "ana@acme.dev"), member]).of_type("github.member")[0]
    assert isinstance(linked.attributes["link_method"], Unknown)
    assert "needs admin:org" in linked.attributes["link_method"].reason


def test_correlation_is_idempotent() -> None:
    once = correlated()
    twice = correlate(once, TODAY)
    assert sorted(r.to_json().__repr__() for r in twice.resources) == sorted(r.to_json().__repr__() for r in once.resources)


def test_correlated_inventory_survives_a_snapshot_round_trip() -> None:
    once = correlated()
    again = Inventory.from_json(once.to_json())
    assert again.resources == once.resources


# The people policies on the correlated team.


@pytest.fixture(scope="module")
def findings() -> dict[tuple[str, str], tuple[Status, str]]:
    policies = load_policies([POLICIES])
    return {(f.policy, f.resource.name): (f.status, f.message) for f in evaluate(policies, correlated())}


def test_leaver_findings_state_how_long_access_outlived_the_exit(findings: dict) -> None:
    status, message = findings[("people_leaver_github_access_revoked", "dvolkov")]
    assert status is Status.FAIL
    assert message == "GitHub access of Dmitri Volkov (dvolkov in acme) outlived their exit on 2026-11-10 by 10 days"
    assert findings[("people_leaver_aws_access_revoked", "dmitri")][0] is Status.FAIL
    assert "10 days" in findings[("people_leaver_aws_access_revoked", "dmitri")][1]
    assert findings[("people_leaver_entra_access_revoked", "dmitri@acme.dev")][0] is Status.FAIL
    assert findings[("people_leaver_azure_role_assignment_removed", "Reader for oid-dmitri")][0] is Status.FAIL
    status, message = findings[("people_leaver_all_access_revoked", "Dmitri Volkov")]
    assert status is Status.FAIL and "still holds 4 enabled accounts" in message
    # Leaving today is within the same-day allowance; people still here pass; unlinked accounts skip.
    assert findings[("people_leaver_github_access_revoked", "hana")][0] is Status.PASS
    assert findings[("people_leaver_github_access_revoked", "ana-silva")][0] is Status.PASS
    assert findings[("people_leaver_github_access_revoked", "build-bot-legacy")][0] is Status.SKIPPED
    assert findings[("people_leaver_azure_role_assignment_removed", "Owner for OID-EVE")][0] is Status.PASS
    assert findings[("people_leaver_github_access_revoked", "gil-x")][0] is Status.FAIL


def test_a_leaver_whose_accounts_are_closed_passes() -> None:
    entry = roster_entry("Tomas Berg", "tomas@acme.dev", employment_type="contractor", partner="Baltic Code",
                         status="left", end_date="2026-02-27", aws_iam_user=["tomas"], line=2)
    closed = [entry, iam_user("tomas", active=False), entra_user("tomas@acme.dev", "oid-tomas", active=False)]
    results = evaluate(load_policies([POLICIES]), correlated(closed))
    leaver = {f.policy: f.status for f in results if f.policy.startswith("people_leaver_")}
    assert leaver == {
        "people_leaver_aws_access_revoked": Status.PASS,
        "people_leaver_entra_access_revoked": Status.PASS,
        "people_leaver_all_access_revoked": Status.PASS,
    }


def test_unlinked_account_findings(findings: dict) -> None:
    assert findings[("people_github_account_linked", "build-bot-legacy")][0] is Status.FAIL
    assert findings[("people_aws_iam_user_linked", "jenkins-ci")] == (
        Status.FAIL, "IAM user jenkins-ci in 111122223333 is linked to no one on the roster (link: none)")
    assert findings[("people_github_account_linked", "ana-silva")][0] is Status.PASS
    assert findings[("people_aws_iam_user_linked", "bo.chen")][0] is Status.PASS


def test_vendor_findings(findings: dict) -> None:
    status, message = findings[("people_external_without_admin", "Eve Okafor")]
    assert status is Status.FAIL
    assert message == "Eve Okafor (vendor from Acme Outsourcing) holds admin rights: azure:Owner on acme-prod"
    assert findings[("people_external_without_admin", "Carla Mendes")][0] is Status.PASS
    assert findings[("people_external_without_admin", "Ana Silva")][0] is Status.SKIPPED
    assert findings[("people_outside_collaborator_current_vendor", "carla-m")][0] is Status.PASS
    assert findings[("people_outside_collaborator_current_vendor", "gil-x")][0] is Status.FAIL  # contract ended
    assert findings[("people_outside_collaborator_current_vendor", "dvolkov")][0] is Status.SKIPPED


def test_review_and_mfa_findings(findings: dict) -> None:
    assert findings[("people_admin_on_multiple_platforms", "Ana Silva")][0] is Status.FAIL
    assert findings[("people_admin_on_multiple_platforms", "Bo Chen")][0] is Status.PASS
    status, message = findings[("people_github_member_recently_active", "build-bot-legacy")]
    assert status is Status.FAIL and "400 days" in message
    assert findings[("people_aws_iam_user_recently_active", "jenkins-ci")][0] is Status.PASS
    assert findings[("people_mfa_on_every_account", "Carla Mendes")] == (
        Status.FAIL, "Carla Mendes has active accounts without MFA: github:acme/carla-m")
    assert findings[("people_mfa_on_every_account", "Ana Silva")][0] is Status.PASS
    assert findings[("people_mfa_on_every_account", "Eve Okafor")][0] is Status.ERROR


def test_without_a_roster_people_policies_skip_rather_than_fail() -> None:
    policies = load_policies([POLICIES])
    results = evaluate(policies, correlated(accounts(), sources=()))
    # Idle accounts need no roster; every policy about people does.
    roster_bound = [f for f in results if not f.policy.endswith("_recently_active")]
    assert roster_bound and {f.status for f in roster_bound} == {Status.SKIPPED}
    idle = {(f.policy, f.resource.name): f.status for f in results if f.policy.endswith("_recently_active")}
    assert idle[("people_github_member_recently_active", "build-bot-legacy")] is Status.FAIL


def test_role_assignment_labels_name_the_subscription_and_resource_group() -> None:
    from scanner.correlate import Labels

    labels = Labels.of([subscription("sub-1", "acme-prod")])
    group = role_assignment("ra-1", "oid", "Contributor", scope="/subscriptions/SUB-1/resourceGroups/rg-web")
    assert labels.role_assignment(group) == "Contributor on acme-prod/rg-web"
    unknown_sub = role_assignment("ra-2", "oid", "Reader", subscription="sub-9")
    assert labels.role_assignment(unknown_sub) == "Reader on sub-9"
    management = role_assignment("ra-3", "oid", "Owner", scope="/providers/Microsoft.Management/managementGroups/root-mg")
    assert labels.account(management) == "azure:Owner on management group root-mg"


def test_a_role_held_through_a_group_shows_on_each_enabled_linked_member() -> None:
    group_owner = role_assignment("ra-group", "oid-group", "Owner", principal_type="Group",
                                  principal_name="platform-admins", group_member_ids=["OID-ANA", "oid-dmitri", "oid-app"])
    resources = team() + [r for r in accounts() if r.type != "azure.user"] + [
        entra_user("ana@acme.dev", "oid-ana", is_admin=True),
        entra_user("dmitri@acme.dev", "oid-dmitri", active=False),  # disabled: the group gives him nothing
        group_owner,
    ]
    inventory = correlated(resources)
    assignment = by_id(inventory)["/subscriptions/sub-1/providers/Microsoft.Authorization/roleAssignments/ra-group"]
    assert (assignment.attributes["link_method"], assignment.attributes["person"]) == ("group", None)
    people = {r.name: r.attributes for r in inventory.of_type("roster.person")}
    assert assignment.id in people["Ana Silva"]["role_assignments"]
    assert "azure:Owner on acme-prod (via group platform-admins)" in people["Ana Silva"]["active_access_names"]
    assert assignment.id not in people["Dmitri Volkov"]["role_assignments"]


def test_an_unreadable_roster_makes_the_leaver_checks_error_not_skipped() -> None:
    # Unknown data is ERROR, never "not applicable": the person of every account is Unknown, so
    # a leaver policy applicable "when person != null" cannot decide and must say so.
    failed = SourceStatus(name="roster:team.csv", platform="roster", status="failed", errors=("unreadable",))
    inventory = correlated([github_member("dvolkov"), iam_user("dmitri"), entra_user("dmitri@acme.dev", "oid-dmitri")],
                           sources=(failed,))
    for account in inventory.resources:
        if account.type != "azure.subscription":
            assert isinstance(account.attributes["person"], Unknown), account.type
    findings = evaluate(load_policies([POLICIES]), inventory)
    leavers = [f for f in findings if "leaver" in f.policy]
    assert leavers and {f.status for f in leavers} == {Status.ERROR}
    assert all("roster:team.csv" in f.message for f in leavers)
