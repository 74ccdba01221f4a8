"""Connections longer than the batch query's first page are followed to their end, never cut short.

The batch query reads the first 50 classic rules, 25 rulesets (each with 30 rules and 20 bypass
actors), 50 deploy keys and 25 environments of each repository. A repository beyond each of these
limits must still be audited in full: the setting that decides each policy sits on a later page.
"""

from __future__ import annotations

from graphql import parse, validate

from scanner.collectors.github import mapping, queries
from scanner.inventory.model import Unknown
from tests.collectors.github.helpers import by_id, statuses
from tests.fakes.github import FakeGitHub, default_world
from tests.fakes.github.graphql_api import load_schema
from tests.fakes.github.model import (
    BranchProtection,
    DeployKey,
    Environment,
    Org,
    Repo,
    Ruleset,
    World,
)

FULL_NAME = "northwind-labs/monorepo"


def _long_repo() -> Repo:
    protection = {f"feature-{i:03d}": BranchProtection(required_approving_review_count=None) for i in range(59)}
    # Sorted by pattern, "main" comes after every "feature-*": the 60th rule, on the second page.
    protection["main"] = BranchProtection(required_approving_review_count=1, allow_force_pushes=True, enforce_admins=True)
    rulesets = [
        Ruleset(f"r{i:02d}-release", rules=[{"type": "deletion"}], ref_include=["refs/heads/release/*"])
        for i in range(29)
    ]
    # The 30th ruleset (second page) blocks force pushes on the default branch and, through its
    # 25th bypass actor (second page of its own bypass actors), lets organization admins through.
    rulesets.append(
        Ruleset(
            "z-default-branch",
            rules=[{"type": "non_fast_forward"}, {"type": "required_signatures"}],
            bypass_actors=[{"actor_type": "DeployKey", "actor_id": None, "bypass_mode": "always"}] * 24
            + [{"actor_type": "OrganizationAdmin", "actor_id": 1, "bypass_mode": "always"}],
        )
    )
    environments = [Environment(f"preview-{i:02d}", reviewers=[("User", "ana-silva")]) for i in range(29)]
    environments.append(Environment("production"))  # the 30th: no reviewers
    keys = [DeployKey(f"reader-{i:02d}") for i in range(59)]
    keys.append(DeployKey("zz-writer", read_only=False))  # the 60th
    return Repo(
        "monorepo",
        protection=protection,
        rulesets=rulesets,
        environments=environments,
        deploy_keys=keys,
        branches=["release/1.0"],
    )


def _world() -> World:
    world = default_world()
    org: Org = world.orgs[0]
    org.repos.append(_long_repo())
    return world


def test_follow_up_query_is_valid_against_githubs_published_schema() -> None:
    schema = load_schema()  # GitHub's SDL, made valid under graphql-core 3.2 and 3.3 alike
    pages = [queries.PageRequest(field, "Y3Vyc29yOnYyOjI0", repo="api") for field in queries.REPOSITORY_CONNECTIONS]
    pages += [queries.PageRequest(field, "Y3Vyc29yOnYyOjI0", node_id="abc") for field in queries.NESTED_CONNECTIONS]
    for chosen in (pages, pages[:1], pages[-1:]):
        document, variables = queries.follow_up_query("northwind-labs", chosen)
        assert validate(schema, parse(document)) == [], document
        assert ("owner" in variables) == any(p.repo for p in chosen)


def test_every_page_of_rules_rulesets_keys_and_environments_is_read(run_collector) -> None:
    with FakeGitHub(_world(), validate=True) as fake:
        result = run_collector(fake, repos="monorepo")
        graphql_posts = fake.requests_by_endpoint()["POST /graphql"]
    assert [s.status for s in result.sources] == ["ok"], result.sources[0].errors
    repo = by_id(result)[mapping.repository_id(FULL_NAME)].attributes

    # Classic rule for main is the 60th rule; the signing ruleset is the 30th.
    assert "classic:main" in repo["protection_sources"]
    assert "ruleset:z-default-branch" in repo["protection_sources"]
    assert repo["allows_force_pushes"] is False and repo["requires_signed_commits"] is True
    # Its 25th bypass actor, read through node(id:), is the organization admins.
    assert "OrganizationAdmin" in repo["bypass_actors"] and repo["admins_can_bypass"] is True
    assert len(repo["deploy_keys"]) == 60 and repo["write_deploy_keys"] == ["zz-writer"]
    assert len(repo["environments"]) == 30
    assert repo["production_environments_without_reviewers"] == ["production"]

    got = statuses(result)
    assert got[("github_repo_signed_commits", FULL_NAME)] == "PASS"
    assert got[("github_repo_deploy_keys_read_only", FULL_NAME)] == "FAIL"
    assert got[("github_repo_production_environment_reviewers", FULL_NAME)] == "FAIL"
    assert got[("github_repo_admins_cannot_bypass", FULL_NAME)] == "FAIL"
    # SAML identities, the batch, ONE follow-up carrying the four unfinished repository connections,
    # then one for the 30th ruleset's bypass actors (known to be unfinished only once it is read),
    # and the IP allow list and SCIM identities (org_extras).
    assert graphql_posts == 6


def test_follow_ups_of_several_repositories_share_queries(run_collector) -> None:
    world = _world()
    org = world.orgs[0]
    for index in range(3):
        copy = _long_repo()
        copy.name = f"monorepo-{index}"
        org.repos.append(copy)
    with FakeGitHub(world) as fake:
        result = run_collector(fake, repos="monorepo*")
        graphql_posts = fake.requests_by_endpoint()["POST /graphql"]
    resources = by_id(result)
    for name in ("monorepo", "monorepo-0", "monorepo-1", "monorepo-2"):
        attributes = resources[mapping.repository_id(f"northwind-labs/{name}")].attributes
        assert len(attributes["deploy_keys"]) == 60 and len(attributes["environments"]) == 30
    # 4 repos x 4 unfinished connections = 16 next pages, 10 per query (2 queries), then their
    # 4 rulesets' bypass actors in one more: SAML + batch + 3, the IP allow list and SCIM identities.
    assert graphql_posts == 7


def test_an_unreadable_next_page_makes_the_attribute_unknown_not_shorter(run_collector, monkeypatch) -> None:
    original = queries.follow_up_query

    def broken(owner: str, pages: list[queries.PageRequest]) -> tuple[str, dict[str, str]]:
        document, variables = original(owner, pages)
        # A cursor GitHub cannot decode: the fake answers INVALID_CURSOR_ARGUMENTS for that field.
        return document, {k: ("bm90LWEtY3Vyc29y" if k.startswith("c") else v) for k, v in variables.items()}

    monkeypatch.setattr(queries, "follow_up_query", broken)
    with FakeGitHub(_world()) as fake:
        result = run_collector(fake, repos="monorepo")
    repo = by_id(result)[mapping.repository_id(FULL_NAME)].attributes
    assert isinstance(repo["deploy_keys"], Unknown) and isinstance(repo["environments"], Unknown)
    assert isinstance(repo["allows_force_pushes"], Unknown)
    source = result.sources[0]
    assert source.status == "partial" and any("could not read all deploy keys" in e for e in source.errors)
