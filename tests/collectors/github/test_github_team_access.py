"""Repository access through teams counts in members' ``admin_repositories`` / ``write_repositories``.

In the default fake org bochen is a direct collaborator only on infra (maintain) but admin of api
through the ``platform`` team; dvolkov and build-bot-legacy have write on api, web and mobile-app
only through ``developers``.
"""

from __future__ import annotations

from scanner.collectors.github import mapping
from scanner.inventory.model import Unknown
from tests.collectors.github.helpers import by_id
from tests.fakes.github import MEMBER_TOKEN, FakeGitHub, default_world
from tests.fakes.github.model import Person, Team


def _member(result, login: str) -> dict:
    return by_id(result)[mapping.member_id("northwind-labs", login)].attributes


def test_admin_through_a_team_shows_up(fake, run_collector) -> None:
    result = run_collector(fake)
    bochen = _member(result, "bochen")
    assert bochen["admin_repositories"] == ["northwind-labs/api"]  # platform team: admin
    assert bochen["write_repositories"] == [
        "northwind-labs/api", "northwind-labs/infra", "northwind-labs/mobile-app", "northwind-labs/web",
    ]
    dmitri = _member(result, "dvolkov")  # the leaver keeps write through "developers"
    assert dmitri["admin_repositories"] == []
    assert dmitri["write_repositories"] == ["northwind-labs/api", "northwind-labs/mobile-app", "northwind-labs/web"]
    # The security team's read on api is not write.
    assert _member(result, "ana-silva")["write_repositories"] == [
        "northwind-labs/api", "northwind-labs/infra", "northwind-labs/web",
    ]
    # Outside collaborators cannot be in teams: carla keeps exactly her direct grant.
    assert _member(result, "carla-m")["admin_repositories"] == ["northwind-labs/mobile-app"]
    calls = result.sources[0].api_calls
    assert calls["GET /orgs/{org}/teams"] == 1
    assert calls["GET /orgs/{org}/teams/{team_slug}/members"] == calls["GET /orgs/{org}/teams/{team_slug}/repos"] == 3
    assert fake.writes() == []


def test_child_team_members_inherit_the_parent_teams_admin(run_collector) -> None:
    world = default_world()
    org = world.orgs[0]
    org.members.append(Person("sre-oncall"))
    org.teams.append(Team("platform-sre", members=["sre-oncall"], parent="platform"))
    with FakeGitHub(world, validate=True) as fake:
        result = run_collector(fake)
    sre = _member(result, "sre-oncall")
    assert sre["admin_repositories"] == ["northwind-labs/api"]
    assert "northwind-labs/infra" in sre["write_repositories"]


def test_team_grants_are_limited_to_the_scanned_repositories(fake, run_collector) -> None:
    result = run_collector(fake, repos="web,mobile-app")
    assert _member(result, "bochen")["admin_repositories"] == []
    assert _member(result, "bochen")["write_repositories"] == ["northwind-labs/mobile-app", "northwind-labs/web"]


def test_a_member_token_cannot_see_every_team_so_access_is_unknown(fake, run_collector) -> None:
    result = run_collector(fake, token=MEMBER_TOKEN)
    bochen = _member(result, "bochen")
    assert isinstance(bochen["admin_repositories"], Unknown)
    assert mapping.NEEDS_OWNER in bochen["admin_repositories"].reason
    assert any("repository access through teams" in note for note in result.sources[0].notes)
    assert not any(r.endpoint.startswith("/orgs/{org}/teams") for r in fake.requests)


def test_strongest_permission_wins_between_direct_and_team_grants() -> None:
    repos = [("acme/api", [("ana", "WRITE")], []), ("acme/web", [("bo", "ADMIN")], [])]
    teams = {"ana": {"acme/api": "ADMIN", "acme/unscanned": "ADMIN"}, "bo": {"acme/web": "READ"}}
    access = mapping.repository_access(repos, teams)
    assert access["ana"] == {"admin": ["acme/api"], "write": ["acme/api"]}
    assert access["bo"] == {"admin": ["acme/web"], "write": ["acme/web"]}
    assert isinstance(mapping.repository_access(repos, Unknown("needs owner")), Unknown)
    assert mapping.team_repository_permission({"permissions": {"pull": True, "push": True}}) == "WRITE"
    assert mapping.team_repository_permission({"role_name": "maintain"}) == "MAINTAIN"
