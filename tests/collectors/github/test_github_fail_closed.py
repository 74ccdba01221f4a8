"""The GitHub collector fails closed (issue 11): what it could not read is Unknown with a source
error, never a shorter list that passes; it never loops, never leaves the API's host with the
token, never keeps calling once the rate limit is spent, and one bad item costs only that item."""

from __future__ import annotations

import copy
from typing import Any

from scanner.inventory.model import Unknown
from tests.collectors.github.helpers import by_id, statuses
from tests.fakes.github import OWNER_TOKEN, FakeGitHub, default_world
from tests.fakes.github.model import Collaborator, Person, World


def _member(login: str, number: int) -> dict[str, Any]:
    return {"login": login, "id": number, "node_id": f"U_{number}", "type": "User", "site_admin": False}


def test_spent_rate_limit_stops_every_request_for_that_token(fake, run_collector) -> None:
    # Five core requests left, reset an hour away (beyond the 15 minutes the client waits).
    fake.set_rate_limit(OWNER_TOKEN, remaining=5, reset_in=3600)
    # One request at a time, so "nothing after the stop" is exact (in parallel, the requests
    # already in flight when the answer arrives cannot be recalled).
    result = run_collector(fake, orgs=["northwind-labs", "northwind-oss"], concurrency=1)
    # The fifth answer says "remaining 0, reset in an hour": nothing is sent after it, for
    # either organization (same token), and nothing is ever refused.
    assert len(fake.requests) == 5, [r.key for r in fake.requests]
    assert not [r for r in fake.requests if r.status == 403]
    for source in result.sources:
        assert source.status in ("failed", "partial") and source.error_kind == "api", source
        assert len(source.errors) == 1 and "\n" not in source.errors[0]
        assert "rate limit" in source.errors[0] and OWNER_TOKEN not in source.errors[0]


def _world_with_many_outside_collaborators() -> World:
    """api has 101 outside collaborators: the 101st, an admin, is on the second page."""
    world = default_world()
    org = world.orgs[0]
    api = org.repo("api")
    for i in range(101):
        login = f"ext-{i:03d}"
        org.outside_collaborators.append(Person(login))
        api.collaborators.append(Collaborator(login, "admin" if i == 100 else "pull"))
    return world


def test_a_refusal_beyond_patience_stops_the_credential(fake, run_collector) -> None:
    fake.inject_primary_rate_limit("/orgs/northwind-labs/members", times=None, reset_in=3600)
    result = run_collector(fake, orgs=["northwind-labs", "northwind-oss"], concurrency=1)
    refused = [i for i, r in enumerate(fake.requests) if r.status == 403]
    assert len(refused) == 1 and refused[0] == len(fake.requests) - 1, [(r.key, r.status) for r in fake.requests]
    assert [s.status for s in result.sources] == ["failed", "failed"]
    assert all(len(s.errors) == 1 and "rate limit" in s.errors[0] for s in result.sources)


def test_in_parallel_only_requests_already_in_flight_follow_the_stop(fake, run_collector) -> None:
    fake.set_rate_limit(OWNER_TOKEN, remaining=3, reset_in=3600)
    result = run_collector(fake, orgs=["northwind-labs", "northwind-oss"], concurrency=4)
    assert len(fake.requests) <= 3 + 3, [r.key for r in fake.requests]  # the budget + 3 in flight
    assert all(s.error_kind == "api" and len(s.errors) == 1 for s in result.sources)


def test_a_collaborators_page_answering_null_makes_the_list_unknown() -> None:
    null_page = {
        "data": {"organization": {"repository": None}},
        "errors": [{"type": "NOT_FOUND", "path": ["organization", "repository"],
                    "message": "Could not resolve to a Repository with the name 'northwind-labs/api'."}],
    }
    with FakeGitHub(_world_with_many_outside_collaborators()) as server:
        server.inject_body("/graphql", null_page, times=None, operation="CollaboratorsPage")
        result = _collect(server)
    source = result.sources[0]
    assert source.status == "partial" and source.error_kind == "api"
    assert any("api" in e and "collaborators" in e for e in source.errors), source.errors
    api = by_id(result)["github:northwind-labs/api"].attributes
    assert isinstance(api["outside_collaborators_with_admin"], Unknown)
    assert statuses(result)[("github_repo_no_outside_admin", "northwind-labs/api")] == "ERROR"


def test_the_second_collaborators_page_is_read() -> None:
    with FakeGitHub(_world_with_many_outside_collaborators()) as server:
        result = _collect(server)
    api = by_id(result)["github:northwind-labs/api"].attributes
    assert api["outside_collaborators_with_admin"] == ["ext-100"]
    assert statuses(result)[("github_repo_no_outside_admin", "northwind-labs/api")] == "FAIL"


def test_a_collaborators_cursor_that_does_not_advance_stops_with_unknown() -> None:
    stuck = {"data": {"organization": {"repository": {"collaborators": {
        "pageInfo": {"hasNextPage": True, "endCursor": "Y3Vyc29yOnYyOjE="},
        "edges": [{"permission": "READ", "node": {"login": "ext-000"}}],
    }}}}}
    with FakeGitHub(_world_with_many_outside_collaborators()) as server:
        server.inject_body("/graphql", stuck, times=40, operation="CollaboratorsPage")
        result = _collect(server)
        pages = [r for r in server.requests if "CollaboratorsPage" in str((r.body or {}).get("query"))]
    # Direct and outside collaborators (both over 100): the first follow-up, then the repeat.
    assert len(pages) <= 4, f"{len(pages)} requests for a cursor that never moves"
    source = result.sources[0]
    assert source.status == "partial" and any("did not advance" in e for e in source.errors), source.errors
    api = by_id(result)["github:northwind-labs/api"].attributes
    assert isinstance(api["outside_collaborators_with_admin"], Unknown)


def test_a_saml_identities_cursor_that_does_not_advance_stops_with_unknown(fake, run_collector) -> None:
    stuck = {"data": {"organization": {"viewerCanAdminister": True, "samlIdentityProvider": {
        "ssoUrl": "https://idp.example/sso",
        "externalIdentities": {
            "pageInfo": {"hasNextPage": True, "endCursor": "Y3Vyc29yOnYyOjE="},
            "nodes": [{"user": {"login": "ana-silva"}, "samlIdentity": {"nameId": "ana@northwind.dev", "emails": []}}],
        },
    }}}}
    fake.inject_body("/graphql", stuck, times=40, operation="SamlIdentities")
    result = run_collector(fake)
    pages = [r for r in fake.requests if "SamlIdentities" in str((r.body or {}).get("query"))]
    assert len(pages) <= 3, f"{len(pages)} requests for a cursor that never moves"
    source = result.sources[0]
    assert source.status == "partial" and any("did not advance" in e for e in source.errors), source.errors


def test_a_member_without_login_costs_that_item_only(fake, run_collector) -> None:
    members = [_member("ana-silva", 1), _member("bochen", 2), {"id": 99, "type": "User", "site_admin": False}]
    fake.inject_body("/orgs/northwind-labs/members", members, times=None)
    result = run_collector(fake, orgs=["northwind-labs", "northwind-oss"])
    labs, oss = result.sources
    assert labs.status == "partial" and labs.error_kind == "api"
    assert any("login" in e for e in labs.errors), labs.errors
    assert oss.status == "ok"
    resources = by_id(result)
    assert "github:northwind-labs" in resources and "github:northwind-labs/api" in resources
    assert {r.scope for r in result.resources} == {"northwind-labs", "northwind-oss"}


def test_a_malformed_repository_item_costs_that_item_only(fake, run_collector) -> None:
    with FakeGitHub() as probe:
        import requests

        repos = requests.get(f"{probe.url}/orgs/northwind-labs/repos?per_page=100",
                             headers={"Authorization": f"token {OWNER_TOKEN}"}, timeout=10).json()
    broken = copy.deepcopy(repos) + [{"id": 5, "private": True}, "not an object"]
    fake.inject_body("/orgs/northwind-labs/repos", broken, times=None)
    result = run_collector(fake)
    source = result.sources[0]
    assert source.status == "partial" and any("repositories list" in e for e in source.errors), source.errors
    assert "github:northwind-labs/api" in by_id(result)


def test_pagination_never_follows_a_link_to_another_host(fake, run_collector) -> None:
    with FakeGitHub() as elsewhere:
        link = f'<{elsewhere.url}/orgs/northwind-labs/outside_collaborators?page=2>; rel="next"'
        fake.inject_body("/orgs/northwind-labs/outside_collaborators", [_member("carla-m", 3)],
                         headers={"Link": link}, times=None)
        result = run_collector(fake)
        assert elsewhere.requests == [], "the token was sent to another host"
    source = result.sources[0]
    assert source.status == "partial" and source.error_kind == "api"
    assert any("another host" in e for e in source.errors), source.errors
    org = by_id(result)["github:northwind-labs"].attributes
    assert isinstance(org["outside_collaborators_count"], Unknown)


def _collect(server: FakeGitHub, **settings: Any):
    from datetime import datetime, timezone

    from scanner.collectors import load_collector
    from scanner.collectors.base import CollectContext, Progress

    context = CollectContext(concurrency=4, progress=Progress(),
                             clock=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc),
                             cache_dir=None, environ={"GITHUB_TOKEN": OWNER_TOKEN})
    config = {"orgs": ["northwind-labs"], "url": server.url, **settings}
    return load_collector("github")(config, context).collect()
