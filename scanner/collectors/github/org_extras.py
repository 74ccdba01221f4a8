"""Organization settings the guide's AI-workflow and security-owner controls read (issue 18).

* GitHub Copilot Business (WF-5): ``GET /orgs/{org}/copilot/billing`` gives the organization's
  policies (``public_code_suggestions``: allow | block | unconfigured; ``seat_management_setting``:
  assign_all | assign_selected | disabled | unconfigured) and ``GET /orgs/{org}/copilot/billing/seats``
  who holds a seat, directly or through a team. Each member gains ``copilot_seat`` so people
  correlation can flag seats still held by leavers.
* IP allow list (ZT-3): GraphQL ``Organization.ipAllowListEnabledSetting`` and its active
  entries (GitHub Enterprise Cloud; owner-only). Where managed devices reach GitHub through the
  company's VPN or zero-trust proxy, the allow list is what keeps unmanaged devices out.
* Production secrets at repository level (ZT-4, the guide's "credential isolation"): for each
  repository with a production environment, ``GET /repos/{owner}/{repo}/actions/secrets`` (names
  only, never values); a repository-level secret named like production (``PROD``, ``PRODUCTION``,
  ``LIVE`` as a word) is readable by every workflow on every branch, not only by jobs the
  protected environment admits.
* SCIM provisioning (OP-2): which members' SAML identities were provisioned by the identity
  provider through SCIM (GraphQL ``externalIdentities { user { login } scimIdentity { username } }``);
  a member without one was added by hand rather than through IT's provisioning.
* Security managers (OP-1): the predefined ``security_manager`` organization role
  (``GET /orgs/{org}/organization-roles``, then ``/{role_id}/teams`` and ``/{role_id}/users``);
  the older ``/orgs/{org}/security-managers`` endpoint closed down on 2026-01-01.

All of it is read-only and owner-only; a refusal is ``Unknown`` with the reason, never a PASS.
An organization without a Copilot subscription answers 404, which is "no Copilot" (the Copilot
policies do not apply), not an error. The collector calls :func:`extend` with one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scanner.collectors.github import mapping
from scanner.collectors.github.client import GitHubApiError, GitHubNotAllowed
from scanner.inventory.model import Resource, Unknown

if TYPE_CHECKING:
    from scanner.collectors.github.collector import _OrgReader

SECURITY_MANAGER_ROLE = "security_manager"
NEEDS_SECRETS_READ = "needs admin on the repository (repo scope), or the Secrets: read App permission"
PRODUCTION_SECRET = re.compile(r"(^|_)(PROD|PRODUCTION|LIVE)(_|$)", re.IGNORECASE)
SCIM_QUERY = """
query($org: String!, $cursor: String) {
  organization(login: $org) {
    samlIdentityProvider {
      externalIdentities(first: 100, after: $cursor) {
        nodes { user { login } scimIdentity { username } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""
IP_ALLOW_LIST_QUERY = """
query($org: String!, $cursor: String) {
  organization(login: $org) {
    ipAllowListEnabledSetting
    ipAllowListEntries(first: 100, after: $cursor) {
      nodes { allowListValue isActive }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


@dataclass(frozen=True)
class OrgExtras:
    """What :func:`read` found; each field is the value or Unknown(reason)."""

    copilot: dict[str, Any] | None | Unknown  # the billing answer; None: no Copilot subscription
    seats: dict[str, str | None] | Unknown  # login -> assigning team slug (None: assigned directly)
    security_managers: list[str] | Unknown  # "team:<slug>" / "user:<login>"
    ip_allow_list: tuple[bool, list[str]] | Unknown = Unknown("not read")  # (enabled, active entries)
    scim_logins: frozenset[str] | None | Unknown = None  # None: no SAML identity provider


def read(reader: _OrgReader) -> OrgExtras:
    client, org = reader.client, reader.org
    copilot = _copilot(reader)
    seats: dict[str, str | None] | Unknown
    if isinstance(copilot, dict):
        seats = reader.optional("Copilot seats", mapping.NEEDS_OWNER, lambda: _seats(client, org))
    elif copilot is None:
        seats = {}
    else:
        seats = copilot
    managers = reader.optional(
        "security manager role holders", mapping.NEEDS_OWNER, lambda: _security_managers(client, org)
    )
    allow_list = reader.optional("IP allow list", mapping.NEEDS_OWNER, lambda: _ip_allow_list(client, org))
    scim = reader.optional("SCIM-provisioned identities", mapping.NEEDS_OWNER, lambda: _scim_logins(client, org))
    return OrgExtras(copilot, seats, managers, allow_list, scim)


def _scim_logins(client: Any, org: str) -> frozenset[str] | None:
    logins: set[str] = set()
    cursor: str | None = None
    while True:
        result = client.graphql(SCIM_QUERY, {"org": org, "cursor": cursor})
        organization = result.data.get("organization") or {}
        if result.errors_under("organization"):
            raise GitHubNotAllowed("SAML external identities", status=403, endpoint="POST /graphql")
        provider = organization.get("samlIdentityProvider")
        if provider is None:
            return None  # no SAML SSO: nothing is provisioned through it
        identities = provider.get("externalIdentities") or {}
        for node in identities.get("nodes") or []:
            login = ((node or {}).get("user") or {}).get("login")
            if login and (node.get("scimIdentity") or {}).get("username"):
                logins.add(str(login))
        page = identities.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return frozenset(logins)
        cursor = page.get("endCursor")


def _ip_allow_list(client: Any, org: str) -> tuple[bool, list[str]]:
    enabled = False
    entries: list[str] = []
    cursor: str | None = None
    while True:
        result = client.graphql(IP_ALLOW_LIST_QUERY, {"org": org, "cursor": cursor})
        organization = result.data.get("organization")
        if not organization or result.errors_under("organization"):
            # Only owners may read the setting; GitHub nulls the organization for anyone else.
            raise GitHubNotAllowed("IP allow list", status=403, endpoint="POST /graphql")
        enabled = organization.get("ipAllowListEnabledSetting") == "ENABLED"
        connection = organization.get("ipAllowListEntries") or {}
        entries += [str(n["allowListValue"]) for n in connection.get("nodes") or [] if n and n.get("isActive")]
        page = connection.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return enabled, entries
        cursor = page.get("endCursor")


def _copilot(reader: _OrgReader) -> dict[str, Any] | None | Unknown:
    try:
        answer = reader.client.get_json("/orgs/{org}/copilot/billing", org=reader.org)
    except GitHubNotAllowed as exc:
        if exc.status == 404:
            return None  # no Copilot Business/Enterprise subscription on this organization
        reader.run.missing[mapping.NEEDS_OWNER].add("Copilot policies")
        return Unknown(mapping.NEEDS_OWNER)
    except GitHubApiError as exc:
        if exc.status == 422:  # "a problem with your account's associated payment method"
            return Unknown(f"could not be read: {exc}")
        reader.run.errors.append(f"GitHub organization {reader.org}: could not read Copilot policies: {exc}")
        return Unknown(f"could not be read: {exc}")
    return answer if isinstance(answer, dict) else Unknown("could not be read: Copilot billing answer is not an object")


def _seats(client: Any, org: str) -> dict[str, str | None]:
    holders: dict[str, str | None] = {}
    for seat in client.paginate("/orgs/{org}/copilot/billing/seats", item_key="seats", org=org):
        login = ((seat or {}).get("assignee") or {}).get("login")
        if login:
            team = (seat.get("assigning_team") or {}).get("slug")
            holders[str(login)] = str(team) if team else None
    return holders


def _security_managers(client: Any, org: str) -> list[str]:
    answer = client.get_json("/orgs/{org}/organization-roles", org=org)
    roles = answer.get("roles") or [] if isinstance(answer, dict) else []
    holders: list[str] = []
    for role in roles:
        if (role or {}).get("name") != SECURITY_MANAGER_ROLE:
            continue
        role_id = str(role.get("id"))
        holders += [f"team:{t.get('slug')}" for t in client.paginate(
            "/orgs/{org}/organization-roles/{role_id}/teams", org=org, role_id=role_id)]
        holders += [f"user:{u.get('login')}" for u in client.paginate(
            "/orgs/{org}/organization-roles/{role_id}/users", org=org, role_id=role_id)]
    return holders


def organization_attributes(extras: OrgExtras) -> dict[str, Any]:
    """The attributes ``github.organization`` gains (declared in scanner.inventory.types.github)."""
    copilot = extras.copilot
    enabled: bool | Unknown = copilot if isinstance(copilot, Unknown) else copilot is not None

    def setting(name: str) -> Any:
        if isinstance(copilot, Unknown):
            return copilot
        return None if copilot is None else copilot.get(name)

    seats = extras.seats
    return {
        "copilot_enabled": enabled,
        "copilot_public_code_suggestions": setting("public_code_suggestions"),
        "copilot_seat_management": setting("seat_management_setting"),
        "copilot_seat_holders": seats if isinstance(seats, Unknown) else sorted(seats),
        "copilot_direct_seat_holders": seats if isinstance(seats, Unknown)
        else sorted(login for login, team in seats.items() if team is None),
        "security_managers": extras.security_managers,
        "ip_allow_list_enabled": extras.ip_allow_list if isinstance(extras.ip_allow_list, Unknown)
        else extras.ip_allow_list[0],
        "ip_allow_list_entries": extras.ip_allow_list if isinstance(extras.ip_allow_list, Unknown)
        else extras.ip_allow_list[1],
    }


def production_repository_secrets(reader: _OrgReader, repositories: Sequence[Resource]) -> dict[str, Any]:
    """full name -> repository-level secret names that look like production (or Unknown), for the
    repositories with a production environment."""
    wanted = [
        r for r in repositories
        if r.attributes.get("archived") is not True and isinstance(r.attributes.get("production_environments"), list)
        and r.attributes["production_environments"]
    ]

    def one(repo: Resource) -> tuple[str, Any]:
        full_name = str(repo.attributes.get("full_name"))
        owner, name = full_name.split("/", 1)
        answer = reader.optional(
            "repository Actions secret names", NEEDS_SECRETS_READ,
            lambda: reader.client.paginate("/repos/{owner}/{repo}/actions/secrets", item_key="secrets", owner=owner, repo=name),
        )
        if isinstance(answer, Unknown):
            return full_name, answer
        return full_name, sorted(str(s.get("name")) for s in answer if PRODUCTION_SECRET.search(str(s.get("name"))))

    return dict(reader.collector.map_parallel(one, wanted))


def member_attributes(extras: OrgExtras, login: str, outside: bool = False) -> dict[str, Any]:
    seats, scim = extras.seats, extras.scim_logins
    provisioned: bool | None | Unknown
    if outside or scim is None:
        provisioned = None  # outside collaborators are not provisioned by the org's IdP
    elif isinstance(scim, Unknown):
        provisioned = scim
    else:
        provisioned = login in scim
    return {"copilot_seat": seats if isinstance(seats, Unknown) else login in seats, "scim_provisioned": provisioned}


def apply(resources: Sequence[Resource], extras: OrgExtras, repo_secrets: dict[str, Any] | None = None) -> list[Resource]:
    """``resources`` with the organization, member and repository attributes added."""
    out: list[Resource] = []
    secrets = repo_secrets or {}
    for resource in resources:
        if resource.type == "github.repository":
            resource = resource.with_attributes(
                production_repository_secrets=secrets.get(str(resource.attributes.get("full_name")), []))
        if resource.type == "github.organization":
            resource = resource.with_attributes(**organization_attributes(extras))
        elif resource.type == "github.member":
            resource = resource.with_attributes(**member_attributes(
                extras, str(resource.attributes.get("login")), resource.attributes.get("is_outside_collaborator") is True))
        out.append(resource)
    return out


def extend(reader: _OrgReader, resources: Sequence[Resource]) -> list[Resource]:
    """Read the extras for ``reader``'s organization and add them to its ``resources``."""
    reader.progress.task(reader.org, f"GitHub {reader.org}: Copilot and security managers")
    repositories = [r for r in resources if r.type == "github.repository"]
    return apply(resources, read(reader), production_repository_secrets(reader, repositories))
