"""Invariants over every collector, resource type, policy and output (as c7n's test_policy does)."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest

from scanner.collectors import PLATFORMS, load_collector
from scanner.collectors.base import Collector
from scanner.demo import load_demo
from scanner.findings import Status
from scanner.inventory.types import RESOURCE_TYPES, problems_with
from scanner.outputs import FORMATS, writer_for
from scanner.pipeline import correlate_inventory, evaluate_inventory
from scanner.policy.loader import baseline_dir, load_policies

GUIDE = {"ZT-1", "ZT-2", "ZT-3", "ZT-4", "ZT-5", "WF-1", "WF-2", "WF-3", "WF-4", "WF-5",
         "OP-1", "OP-2", "OP-3", "OP-4", "OP-5", "OP-6"}


@pytest.fixture(scope="module")
def baseline():
    return load_policies([baseline_dir()])


@pytest.fixture(scope="module")
def demo_evaluation(baseline):
    return evaluate_inventory(load_demo(), baseline)


def test_every_policy_passes_and_fails_somewhere_in_the_demo(baseline, demo_evaluation) -> None:
    seen: dict[str, set[Status]] = defaultdict(set)
    for finding in demo_evaluation.report.findings:
        seen[finding.policy].add(finding.status)
    lacking = {p.id: sorted(s.value for s in seen[p.id]) for p in baseline
               if not {Status.PASS, Status.FAIL} <= seen[p.id]}
    assert not lacking, f"policies without both a PASS and a FAIL in the demo: {lacking}"


def test_demo_resources_match_their_declared_types(demo_evaluation) -> None:
    problems = []
    for resource in demo_evaluation.inventory.resources:
        rtype = RESOURCE_TYPES.get(resource.type)
        if rtype is None:
            problems.append(f"{resource.id}: undeclared type {resource.type}")
        else:
            problems.extend(problems_with(resource, rtype))
    assert not problems, problems[:20]


def test_every_policy_names_a_guide_control_and_platform_prefix(baseline) -> None:
    for policy in baseline:
        assert policy.references["guide"] in GUIDE, policy.id
        assert policy.id.startswith(policy.platform) or policy.id.startswith("people_"), policy.id
        assert policy.source.startswith(str(baseline_dir())), policy.source


def test_every_resource_type_is_documented() -> None:
    for rtype in RESOURCE_TYPES.values():
        assert rtype.description, rtype.name
        assert len({a.name for a in rtype.attributes}) == len(rtype.attributes), f"{rtype.name} repeats an attribute"
        for attribute in rtype.attributes:
            assert attribute.description, f"{rtype.name}.{attribute.name}"


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_every_collector_is_registered_correctly(name: str) -> None:
    collector = load_collector(name)
    assert issubclass(collector, Collector)
    assert collector.platform == name


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_output_renders_the_demo(name: str, demo_evaluation) -> None:
    stream = io.StringIO()
    writer_for(name)(demo_evaluation.report, stream)
    assert stream.getvalue().strip(), f"{name} wrote nothing"


def test_correlation_is_idempotent_on_the_demo() -> None:
    once = correlate_inventory(load_demo())
    assert correlate_inventory(once).resources == once.resources


# -- `when:` is applicability, never the absence of the control (issue 11 §2) ---------------------
#
# A `when:` that reads the control itself ("only check stale-review dismissal where the branch is
# protected") turns an unmet control into SKIPPED. So a `when:` may only read attributes that say
# whether the control *applies* to a resource: it is archived or empty, it is not production, it has
# no console or no secrets to govern, it belongs to a person, the tenant lacks the licence the control
# needs. Adding a name here is a review decision: say in the comment why it is applicability.
APPLICABILITY: dict[str, frozenset[str]] = {
    # archived / empty repositories; repositories with a production environment
    "github.repository": frozenset({"archived", "is_empty", "production_environments"}),
    # active accounts; outside collaborators; accounts linked to a roster person (unlinked ones are
    # judged by the linking policies); no roster given at all
    "github.member": frozenset({"active", "is_outside_collaborator", "person", "link_method",
                                # SAML SSO in use (null without it): SCIM provisioning applies (OP-2);
                                # owners and repository admins hold production rights (OP-5)
                                "saml_identity_linked", "is_admin", "admin_repositories"}),
    # organizations with a Copilot subscription (without one there is no Copilot policy to set)
    "github.organization": frozenset({"copilot_enabled"}),
    # no console password: no console MFA to require
    # IAM users in production accounts (OP-5: production access needs onboarding first)
    "aws.iam_user": frozenset({"has_console_password", "active", "person", "link_method", "environment"}),
    # roles GitHub Actions can assume; production roles
    "aws.iam_role": frozenset({"github_oidc_trust", "environment"}),
    # federation in use; console users exist (else a password policy governs nobody); org member
    "aws.account": frozenset({"federation_present", "iam_users_with_console", "org_member"}),
    # role and scope select which assignments a rule is about; the PIM licence (Entra ID P2) the
    # just-in-time control needs: without it the check cannot apply (a documented licence gap)
    # (a PIM-eligible assignment grants nothing until activated: assignment_type)
    "azure.role_assignment": frozenset({"scope_level", "role_name", "principal_type", "pim_available", "person",
                                        "link_method", "assignment_type"}),
    "azure.tenant": frozenset({"directory_pim_available"}),
    # no client secret: no secret lifetime to check; apps owned by this tenant and enabled
    "azure.application": frozenset({"secret_count"}),
    "azure.service_principal": frozenset({"secret_count", "owned_by_tenant", "account_enabled"}),
    # enabled users; guests do MFA in their home tenant
    "azure.user": frozenset({"active", "is_guest", "person", "link_method"}),
    # disabled subscriptions
    "azure.subscription": frozenset({"state"}),
    # people with active accounts; people who left; external people
    # people who have not left and hold production access (the device rules are about them)
    "roster.person": frozenset({"active_accounts", "days_since_exit", "is_external", "exited", "production_access"}),
    # service-linked roles are AWS's own, not the customer's to scope
    # (aws.iam_role gets service_linked below)
    # privileged assignments; write roles held in production (the separation rule is about them)
    # (azure.role_assignment gets privileged, write_role, environments below)
    # workflows of archived repositories never run; self-hosted runners matter on public ones
    "github.workflow": frozenset({"repository_archived", "repository_visibility"}),
    # archived projects / spaces; managed and active accounts; external users (the rule is about them)
    "atlassian.jira_project": frozenset({"archived"}),
    "atlassian.confluence_space": frozenset({"status"}),
    "atlassian.account": frozenset({"active", "managed", "is_external"}),
    # keys exist / are forbidden by the org policy; the default compute SA; privileged SAs
    "gcp.service_account": frozenset({"user_managed_keys_forbidden", "user_managed_key_count", "privileged",
                                      "is_default_compute"}),
    # GitHub providers that are enabled; production ones
    "gcp.wif_provider": frozenset({"is_github", "disabled", "environment"}),
    # which kind of member a binding names (users, groups, domains)
    "gcp.iam_binding": frozenset({"member_type"}),
    # active (not deleted) projects
    "gcp.project": frozenset({"state"}),
    # compliance policies that are assigned, per OS; devices in use; devices of disabled owners
    "intune.compliance_policy": frozenset({"assigned", "platform"}),
    "intune.device": frozenset({"active", "platform", "owner_account_enabled", "person", "link_method"}),
    # paths to admin roles, to production; paths of external people
    "path.code_to_cloud": frozenset({"target_admin", "target_environment", "is_external"}),
}
APPLICABILITY["aws.iam_role"] = APPLICABILITY["aws.iam_role"] | {"service_linked"}
APPLICABILITY["azure.role_assignment"] = APPLICABILITY["azure.role_assignment"] | {"privileged", "write_role",
                                                                                   "environments"}


def test_when_reads_only_applicability_attributes(baseline) -> None:
    """A `when:` naming anything but a declared applicability attribute of its type fails here."""
    offending = {
        policy.id: sorted(policy.when_attributes - APPLICABILITY.get(policy.resource, frozenset()))
        for policy in baseline
        if policy.when_attributes - APPLICABILITY.get(policy.resource, frozenset())
    }
    assert not offending, f"`when:` reads attributes that are not applicability (move them to `assert:`): {offending}"


def test_unknown_applicability_is_error_never_skipped(baseline) -> None:
    """Data that could not be read in `when:` makes the check ERROR, not 'not applicable'."""
    from scanner.inventory.model import Resource, Unknown
    from scanner.policy.engine import evaluate_policy

    checked = 0
    for policy in baseline:
        if not policy.when_attributes:
            continue
        attributes = {name: Unknown("could not be read: test") for name in policy.when_attributes | policy.assert_attributes}
        resource = Resource(type=policy.resource, id="r", name="r", scope="s", attributes=attributes)
        (finding,) = evaluate_policy(policy, [resource])
        assert finding.status is Status.ERROR, (policy.id, finding.status, finding.message)
        checked += 1
    assert checked >= 20


def test_an_unprotected_default_branch_fails_every_protection_setting(baseline, demo_evaluation) -> None:
    """The class of bug issue 11 found: settings of a protection that does not exist must FAIL."""
    from scanner.policy.engine import evaluate_policy

    repositories = [r for r in demo_evaluation.inventory.resources
                    if r.type == "github.repository" and r.attributes.get("default_branch_protected") is False
                    and not r.attributes.get("archived") and not r.attributes.get("is_empty")]
    assert repositories, "the demo needs an active repository with an unprotected default branch"
    settings = ("github_repo_dismiss_stale_reviews", "github_repo_admins_cannot_bypass",
                "github_repo_status_checks_required", "github_repo_signed_commits",
                "github_repo_required_approvals", "github_repo_code_owner_review",
                "github_repo_force_push_and_deletion_blocked")
    for policy in (p for p in baseline if p.id in settings):
        statuses = {f.status for f in evaluate_policy(policy, repositories)}
        assert statuses == {Status.FAIL}, (policy.id, statuses)


def test_leaver_checks_error_when_the_roster_could_not_be_read(baseline) -> None:
    """An unreadable roster leaves accounts unlinked (person null) with an unknown link: the
    leaver checks must say ERROR, not 'not applicable' (issue 11 §2)."""
    from scanner.inventory.model import Resource, Unknown
    from scanner.policy.engine import evaluate_policy

    unreadable = Unknown("the roster (hr.csv) could not be read")
    leavers = [p for p in baseline if p.id.startswith("people_leaver_") and p.resource != "roster.person"]
    assert len(leavers) >= 4
    for policy in leavers:
        resource = Resource(type=policy.resource, id="a", name="a", scope="s", attributes={
            "person": None, "link_method": unreadable, "days_since_exit": unreadable, "active": True,
        })
        (finding,) = evaluate_policy(policy, [resource])
        assert finding.status is Status.ERROR, (policy.id, finding.status, finding.message)
