"""Paths from people to cloud roles: person -> GitHub account -> repository -> OIDC token -> role.

Derived after correlation, from the inventories alone (no I/O), as ``path.code_to_cloud``
resources. One path per (GitHub account, repository, cloud trust):

1. **Person and account.** Every active ``github.member``: its ``admin_repositories`` and
   ``write_repositories`` (direct or through teams), and every repository of its organization
   for an organization owner. The roster person comes from correlation (``person``).
2. **Route into a token.** Someone with write can push a branch (and a workflow on it), open a
   pull request from it, push a tag, or reference an environment (an unknown name is created
   unprotected on first use); GitHub then issues a token whose ``sub`` is
   ``repo:O/R:ref:refs/heads/B``, ``:pull_request``, ``:ref:refs/tags/T`` or ``:environment:E``.
   A trust's ``sub`` pattern is tried against each of those: a route is *gated* only when an
   environment with required reviewers or the default branch's required approving review
   (which an admin cannot bypass) stands on it; a path is gated when every route the trust
   accepts is. Existing workflows whose OIDC jobs present an accepted ``sub`` are listed as
   evidence, but they are not needed: a writer brings their own workflow.
3. **Trust and role.** AWS: ``aws.iam_role`` trusting token.actions.githubusercontent.com, its
   ``github_oidc_subjects`` matched like IAM's StringLike (``*``, ``?``). Azure: application
   federated identity credentials (``federated_credentials`` on ``azure.application``), exact
   subjects. GCP: ``gcp.wif_provider`` (GitHub issuer, not disabled), its CEL attribute
   condition read for ``assertion.<claim> == '<value>'`` terms joined by ``&&``; a condition
   with anything else is taken to accept (the path is reported, its hop says so).
   A repository whose workflows log in to a platform that was not scanned (or whose trusts were
   not read) gets a path ending at "not scanned", with unknown target attributes.
4. **What the role can do.** admin (admin-equivalent), read (only read-only managed policies),
   else write. (The IAM evaluator of issue 19 will sharpen "write".)

Organization owners can also change environment and branch protection; that is an audited
administrative act, not a path, so environment reviewers still count as a gate for them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scanner.collectors.github.workflows import oidc_subjects
from scanner.inventory.model import Resource, Unknown
from scanner.inventory.snapshot import Inventory

PATH_TYPE = "path.code_to_cloud"
# Names no real branch, tag or environment carries, to ask "would the trust accept any of them?".
_PROBE = "posture-probe-7f3a"
READ_ONLY_POLICIES = frozenset({
    "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/ViewOnlyAccess",
    "arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
})
CLOUD_PLATFORMS = ("aws", "azure", "gcp")


@dataclass(frozen=True)
class Trust:
    """One cloud identity that accepts GitHub OIDC tokens matching ``subjects``."""

    cloud: str
    target: Resource | None  # None: the platform was not scanned (or its trusts not read)
    subjects: tuple[str, ...]
    wildcard: bool  # subjects are StringLike patterns (AWS, GCP) rather than exact (Azure)
    access: Any  # admin | write | read | Unknown
    environment: Any
    reason: str | None = None  # why the target is unknown
    condition: bool = False  # subjects[0] is a GCP CEL attribute condition, not a sub pattern


@dataclass(frozen=True)
class Route:
    kind: str  # environment:<name> | branch:<name> | any-branch | pull_request | tag
    subject: str
    environment: str | None
    reviewers: Any  # int | None | Unknown
    gated_by_environment: Any
    gated_by_branch_review: Any
    gate: str | None


def derive_paths(inventory: Inventory) -> Inventory:
    """The inventory with its ``path.code_to_cloud`` resources (re)computed."""
    kept = [r for r in inventory.resources if r.type != PATH_TYPE]
    return inventory.replace_resources([*kept, *compute_paths(Inventory(tuple(kept), inventory.sources,
                                                                     inventory.collected_at, inventory.tool_version))])


def compute_paths(inventory: Inventory) -> list[Resource]:
    by_type: dict[str, list[Resource]] = defaultdict(list)
    for resource in inventory.resources:
        by_type[resource.type].append(resource)
    members = [m for m in by_type["github.member"] if m.attributes.get("active") is True]
    if not members:
        return []
    scanned = {s.platform for s in inventory.sources if s.status in ("ok", "partial")}
    scanned |= {r.type.split(".", 1)[0] for r in inventory.resources}  # snapshots without sources
    repositories = {str(r.attributes.get("full_name")): r for r in by_type["github.repository"]
                    if r.attributes.get("archived") is not True}
    workflows: dict[str, list[Resource]] = defaultdict(list)
    for workflow in by_type["github.workflow"]:
        workflows[str(workflow.attributes.get("full_name"))].append(workflow)
    trusts = _trusts(by_type, scanned)
    unscanned = [c for c in CLOUD_PLATFORMS if not any(t.cloud == c and t.target is not None for t in trusts)
                 and any(t.cloud == c for t in trusts)]

    paths: list[Resource] = []
    for member in sorted(members, key=lambda m: m.id):
        for full_name, permission, via in _access(member, repositories):
            repository = repositories[full_name]
            repo_workflows = workflows.get(full_name, [])
            for trust in trusts:
                if trust.target is None:
                    if trust.cloud not in unscanned or not _logs_in_to(repo_workflows, trust.cloud):
                        continue
                    routes = _routes_of_workflows(repository, repo_workflows, trust.cloud, permission)
                else:
                    routes = _accepted_routes(trust, repository, permission)
                if not routes:
                    continue
                paths.append(_path(member, repository, permission, via, trust, routes, repo_workflows))
    return paths


# -- who reaches which repository ----------------------------------------------------------------


def _access(member: Resource, repositories: Mapping[str, Resource]) -> Iterable[tuple[str, str, str]]:
    attributes = member.attributes
    org = str(attributes.get("org"))
    if attributes.get("role") == "owner":
        for full_name in sorted(repositories):
            if full_name.split("/", 1)[0] == org:
                yield full_name, "admin", "organization owner"
        return
    admin = attributes.get("admin_repositories")
    write = attributes.get("write_repositories")
    admin_list = list(admin) if isinstance(admin, list) else []
    for full_name in sorted(set(admin_list) | set(write if isinstance(write, list) else [])):
        if full_name in repositories:
            yield full_name, ("admin" if full_name in admin_list else "write"), "collaborator or team"


# -- the cloud side ------------------------------------------------------------------------------


def _trusts(by_type: Mapping[str, list[Resource]], scanned: set[str]) -> list[Trust]:
    trusts: list[Trust] = []
    if "aws" in scanned:
        for role in by_type.get("aws.iam_role", []):
            attributes = role.attributes
            if attributes.get("github_oidc_trust") is not True:
                continue
            subjects = attributes.get("github_oidc_subjects")
            if not isinstance(subjects, list):
                continue
            trusts.append(Trust("aws", role, tuple(str(s) for s in subjects), True, _aws_access(attributes),
                                attributes.get("environment")))
    else:
        trusts.append(Trust("aws", None, (), True, Unknown("aws was not scanned"), Unknown("aws was not scanned"),
                            "aws was not scanned"))
    if "azure" in scanned:
        applications = by_type.get("azure.application", [])
        unread = [a.attributes.get("federated_credentials") for a in applications
                  if not isinstance(a.attributes.get("federated_credentials"), list)]
        if applications and not unread:
            for application in applications:
                credentials = application.attributes.get("federated_credentials")
                github = [c for c in credentials or [] if isinstance(c, Mapping)
                          and "token.actions.githubusercontent.com" in str(c.get("issuer"))]
                if github:
                    access, environment = _azure_access(application, by_type)
                    trusts.append(Trust("azure", application, tuple(str(c.get("subject")) for c in github), False,
                                        access, environment))
        else:
            # Unknown (no permission, a failed read) or absent (an older snapshot): not read.
            reason = "Azure federated identity credentials were not read" + next(
                (f" ({u.reason})" for u in unread if isinstance(u, Unknown)), "")
            trusts.append(Trust("azure", None, (), False, Unknown(reason), Unknown(reason), reason))
    else:
        trusts.append(Trust("azure", None, (), False, Unknown("azure was not scanned"), Unknown("azure was not scanned"),
                            "azure was not scanned"))
    if "gcp" in scanned:
        for provider in by_type.get("gcp.wif_provider", []):
            attributes = provider.attributes
            if attributes.get("is_github") is not True or attributes.get("disabled") is True:
                continue
            condition = attributes.get("attribute_condition")
            if isinstance(condition, Unknown):
                continue
            access = attributes.get("access", Unknown(
                "which service accounts the pool's identities may impersonate is not collected"))
            trusts.append(Trust("gcp", provider, (str(condition or ""),), False, access,
                                attributes.get("environment"), condition=True))
    else:
        trusts.append(Trust("gcp", None, (), True, Unknown("gcp was not scanned"), Unknown("gcp was not scanned"),
                            "gcp was not scanned"))
    return trusts


AZURE_ADMIN_ROLES = frozenset({"Owner", "User Access Administrator", "Role Based Access Control Administrator"})
AZURE_READ_ROLES = frozenset({"Reader", "Monitoring Reader", "Security Reader", "Log Analytics Reader"})
_RANK = {"none": 0, "read": 1, "write": 2, "admin": 3}


def _azure_access(application: Resource, by_type: Mapping[str, list[Resource]]) -> tuple[Any, Any]:
    """What the app's service principal holds: its role assignments (by object id), the strongest
    winning, and the environment tag of that assignment's subscription."""
    app_id = application.attributes.get("app_id")
    principals = {str(sp.attributes.get("object_id")) for sp in by_type.get("azure.service_principal", [])
                  if sp.attributes.get("app_id") == app_id}
    environments = {}
    for subscription in by_type.get("azure.subscription", []):
        tags = subscription.attributes.get("tags")
        tags = tags if isinstance(tags, Mapping) else {}
        environments[str(subscription.attributes.get("subscription_id"))] = next(
            (str(v) for k, v in tags.items() if str(k).lower() in ("environment", "env")), None)
    best, environment = "none", None
    for assignment in by_type.get("azure.role_assignment", []):
        attributes = assignment.attributes
        if str(attributes.get("principal_id")) not in principals or attributes.get("assignment_type") == "eligible":
            continue
        role = str(attributes.get("role_name"))
        level = ("admin" if role in AZURE_ADMIN_ROLES or attributes.get("role_type") == "CustomRole"
                 and attributes.get("privileged") is True else "read" if role in AZURE_READ_ROLES else "write")
        if _RANK[level] > _RANK[best]:
            best, environment = level, environments.get(str(attributes.get("subscription_id")))
    return best, environment


def _aws_access(attributes: Mapping[str, Any]) -> Any:
    admin = attributes.get("admin_equivalent")
    if isinstance(admin, Unknown):
        return admin
    if admin:
        return "admin"
    attached = attributes.get("attached_policies")
    inline = attributes.get("inline_policies")
    if isinstance(attached, list) and attached and set(attached) <= READ_ONLY_POLICIES and not inline:
        return "read"
    return "write"


# -- routes into a token -------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _like(pattern: str) -> re.Pattern[str]:
    """IAM StringLike: ``*`` any run of characters, ``?`` one character, case-sensitive."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + r"\Z")


_CONDITION_TERM = re.compile(r"""^\(?\s*assertion\.(\w+)\s*==\s*(['"])([^'"]*)\2\s*\)?$""")
_SUBJECT = re.compile(r"^repo:(?P<repository>[^:]+):(?:ref:(?P<ref>.+)|environment:(?P<environment>.+)|(?P<pr>pull_request))$")


def _condition_accepts(condition: str, subject: str) -> bool:
    """A GCP provider's attribute condition against the claims behind a default ``sub``. Terms
    other than ``assertion.<claim> == '<value>'`` joined by ``&&`` are not understood: taken to
    accept, so a path is reported rather than silently dropped."""
    found = _SUBJECT.match(subject)
    if not found:
        return False
    repository = found.group("repository")
    claims = {"sub": subject, "repository": repository, "repository_owner": repository.split("/", 1)[0],
              "ref": found.group("ref") or ("refs/pull/1/merge" if found.group("pr") else None),
              "environment": found.group("environment"),
              "event_name": "pull_request" if found.group("pr") else None}
    if not condition.strip():
        return True  # no condition: every GitHub repository's tokens
    for term in condition.split("&&"):
        match = _CONDITION_TERM.match(term.strip())
        if match is None:
            continue  # not understood: does not restrict
        claim, value = match.group(1), match.group(3)
        if claim in claims and claims[claim] != value:
            # A claim this route does not fix (an environment job's ref) is covered by its own route.
            return False
    return True


def _accepts(trust: Trust, subject: str) -> str | None:
    if trust.condition:
        return trust.subjects[0] if _condition_accepts(trust.subjects[0], subject) else None
    for pattern in trust.subjects:
        if (_like(pattern).match(subject) if trust.wildcard else pattern == subject):
            return pattern
    return None


def _candidate_routes(repository: Resource, permission: str) -> list[Route]:
    attributes = repository.attributes
    full_name = str(attributes.get("full_name"))
    prefix = f"repo:{full_name}:"
    default_branch = attributes.get("default_branch") or "main"
    review = _branch_review(attributes, permission)
    routes = [
        Route("any-branch", f"{prefix}ref:refs/heads/{_PROBE}", None, None, False, False, None),
        Route("pull_request", f"{prefix}pull_request", None, None, False, False, None),
        Route("tag", f"{prefix}ref:refs/tags/{_PROBE}", None, None, False, False, None),
        Route(f"branch:{default_branch}", f"{prefix}ref:refs/heads/{default_branch}", None, None, False, review,
              _branch_gate(attributes) if review is True else None),
        # A workflow may name an environment that does not exist yet: GitHub creates it unprotected.
        Route(f"environment:{_PROBE}", f"{prefix}environment:{_PROBE}", _PROBE, 0, False, False, None),
    ]
    environments = attributes.get("environments")
    if isinstance(environments, list):
        for environment in environments:
            name = str(environment.get("name"))
            reviewers = environment.get("required_reviewers")
            gated = isinstance(reviewers, int) and reviewers > 0
            routes.append(Route(f"environment:{name}", f"{prefix}environment:{name}", name, reviewers, gated, False,
                                f"environment {name} ({reviewers} required reviewers)" if gated else None))
    elif isinstance(environments, Unknown):
        routes.append(Route("environment:?", f"{prefix}environment:", None, environments, environments, False, None))
    return routes


def _branch_review(attributes: Mapping[str, Any], permission: str) -> Any:
    requires = attributes.get("requires_pull_request")
    count = attributes.get("required_approving_review_count")
    bypass = attributes.get("admins_can_bypass")
    for value in (requires, count):
        if isinstance(value, Unknown):
            return value
    reviewed = bool(requires) and isinstance(count, int) and count >= 1
    if not reviewed:
        return False
    if permission == "admin":
        if isinstance(bypass, Unknown):
            return bypass
        return not bypass
    return True


def _branch_gate(attributes: Mapping[str, Any]) -> str:
    return (f"protected branch {attributes.get('default_branch')} "
            f"({attributes.get('required_approving_review_count')} required approvals)")


def _accepted_routes(trust: Trust, repository: Resource, permission: str) -> list[tuple[Route, str]]:
    found = []
    for route in _candidate_routes(repository, permission):
        if route.kind == "environment:?":
            # Environments unreadable: the trust naming any environment of this repository is unknown.
            if any(p.startswith(f"repo:{repository.attributes.get('full_name')}:environment:") for p in trust.subjects):
                found.append((route, f"repo:{repository.attributes.get('full_name')}:environment:*"))
            continue
        pattern = _accepts(trust, route.subject)
        if pattern is not None:
            found.append((route, pattern))
    return found


def _logs_in_to(workflows: Sequence[Resource], cloud: str) -> bool:
    for workflow in workflows:
        steps = workflow.attributes.get("cloud_auth")
        if isinstance(steps, list) and any(s.get("platform") == cloud and s.get("oidc") for s in steps):
            return True
    return False


def _routes_of_workflows(repository: Resource, workflows: Sequence[Resource], cloud: str,
                         permission: str) -> list[tuple[Route, str]]:
    """For an unscanned cloud: the routes of the workflows that log in to it (the trust is unknown)."""
    routes = {r.subject: r for r in _candidate_routes(repository, permission)}
    found: list[tuple[Route, str]] = []
    for workflow in workflows:
        steps = workflow.attributes.get("cloud_auth")
        jobs = {s.get("job") for s in steps if isinstance(s, Mapping) and s.get("platform") == cloud} \
            if isinstance(steps, list) else set()
        for entry in oidc_subjects(workflow.attributes, repository.attributes.get("default_branch")):
            if entry["job"] not in jobs:
                continue
            for subject in entry["subjects"]:
                route = routes.get(subject) or Route("any-branch", subject, None, None, False, False, None)
                found.append((route, "not scanned"))
    return found


# -- the resource --------------------------------------------------------------------------------


def _weakest(routes: Sequence[tuple[Route, str]]) -> tuple[Route, str]:
    """The route an attacker takes: an ungated one if any, else one whose gate is unknown."""
    def rank(item: tuple[Route, str]) -> int:
        gated = _gated(item[0])
        return 0 if gated is False else 1 if isinstance(gated, Unknown) else 2
    return sorted(routes, key=lambda item: (rank(item), item[0].kind))[0]


def _gated(route: Route) -> Any:
    values = (route.gated_by_environment, route.gated_by_branch_review)
    if any(v is True for v in values):
        return True
    unknown = next((v for v in values if isinstance(v, Unknown)), None)
    return unknown if unknown is not None else False


def _path(member: Resource, repository: Resource, permission: str, via: str, trust: Trust,
          routes: Sequence[tuple[Route, str]], workflows: Sequence[Resource]) -> Resource:
    route, pattern = _weakest(routes)
    full_name = str(repository.attributes.get("full_name"))
    login = str(member.attributes.get("login"))
    person = member.attributes.get("person")
    link = member.attributes.get("link_method")
    if isinstance(person, Mapping):
        employment: Any = person.get("employment_type") or Unknown("the roster gives no employment type")
        external: Any = employment in ("contractor", "vendor") if isinstance(employment, str) else employment
        status: Any = person.get("status") or Unknown("the roster gives no status")
        identities = [login, *(str(person[k]) for k in ("email", "name") if person.get(k))]
        person_hop = f"person {person.get('name')} ({employment if isinstance(employment, str) else '?'})"
    else:
        reason = ("no roster was collected" if link == "no_roster"
                  else f"the GitHub account {login} is not linked to a roster person")
        employment = external = status = Unknown(reason)
        identities = [login]
        person_hop = "person unknown (account not on the roster)"
    target = trust.target
    evidence = sorted({
        str(w.attributes.get("path")) for w in workflows
        for entry in oidc_subjects(w.attributes, repository.attributes.get("default_branch"))
        if (any(_accepts(trust, subject) for subject in entry["subjects"]) if target is not None
            else any(s.get("platform") == trust.cloud and s.get("job") == entry["job"]
                     for s in w.attributes.get("cloud_auth") or [] if isinstance(s, Mapping)))
    })
    if target is not None:
        target_name: Any = target.name
        target_id: Any = target.id
        target_hop = f"{trust.cloud} {target.name} ({trust.access if isinstance(trust.access, str) else 'access unknown'}"
        target_hop += f", {trust.environment})" if isinstance(trust.environment, str) else ")"
        trust_hop = (f"provider condition accepts it: {pattern or '(none)'}" if trust.condition
                     else f"trust accepts sub {pattern}")
        admin: Any = trust.access == "admin" if isinstance(trust.access, str) else trust.access
    else:
        unknown_target = Unknown(trust.reason or f"{trust.cloud} was not scanned")
        target_name = target_id = admin = unknown_target
        target_hop = f"{trust.cloud}: not scanned" if "not scanned" in (trust.reason or "not scanned") \
            else f"{trust.cloud}: unknown ({trust.reason})"
        trust_hop = f"{trust.cloud} trust unknown ({trust.reason})"
    gated = _all_gated([r for r, _ in routes])
    hops = [
        person_hop,
        f"GitHub {login} ({permission}, {via})",
        f"repository {full_name}",
        f"{route.kind}" + (f" via {', '.join(evidence)}" if evidence else " (any workflow the person pushes)")
        + (f" [gate: {route.gate}]" if route.gate else f" [no gate{_why_no_gate(route, repository, permission)}]"),
        trust_hop,
        target_hop,
    ]
    attributes: dict[str, Any] = {
        "hops": hops,
        "person_id": person.get("id") if isinstance(person, Mapping) else None,
        "person_name": person.get("name") if isinstance(person, Mapping) else None,
        "employment_type": employment,
        "is_external": external,
        "person_status": status,
        "identities": identities,
        "account_id": member.id,
        "account_login": login,
        "permission": permission,
        "access_via": via,
        "repository": full_name,
        "route": route.kind,
        "workflows": evidence,
        "environment": route.environment,
        "environment_required_reviewers": route.reviewers,
        "gated_by_environment": route.gated_by_environment,
        "gated_by_branch_review": route.gated_by_branch_review,
        "gated": gated,
        "gate": route.gate,
        "cloud": trust.cloud,
        "trust": pattern if target is not None else Unknown(trust.reason or "not scanned"),
        "cloud_scanned": target is not None,
        "target_id": target_id,
        "target_name": target_name,
        "target_environment": trust.environment if target is not None else Unknown(trust.reason or "not scanned"),
        "target_access": trust.access,
        "target_admin": admin,
    }
    ident = f"path:{member.id}>{full_name}>{target.id if target is not None else trust.cloud + ':not-scanned'}"
    name = f"{login} -> {full_name} -> {target.name if target is not None else trust.cloud + ' (not scanned)'}"
    return Resource(PATH_TYPE, ident, name, str(member.attributes.get("org")), attributes)


def _why_no_gate(route: Route, repository: Resource, permission: str) -> str:
    attributes = repository.attributes
    reviewed = attributes.get("requires_pull_request") is True and attributes.get("required_approving_review_count")
    if route.kind.startswith("branch:") and reviewed and permission == "admin" and attributes.get("admins_can_bypass") is True:
        return ": an admin can bypass the required review"
    if route.kind == "any-branch":
        return ": any branch the person pushes"
    return ""


def _all_gated(routes: Sequence[Route]) -> Any:
    result: Any = True
    for route in routes:
        gated = _gated(route)
        if gated is False:
            return False
        if isinstance(gated, Unknown):
            result = gated
    return result


__all__ = ["PATH_TYPE", "compute_paths", "derive_paths"]


def report_paths(inventory: Inventory) -> tuple[dict[str, Any], ...]:
    """Plain rows of the derived paths for reports, ungated first (what an auditor looks at)."""
    rows = []
    for path in inventory.of_type(PATH_TYPE):
        gated = path.attributes.get("gated")
        rows.append({
            "name": path.name,
            "gated": gated if isinstance(gated, bool) else None,
            "hops": [str(h) for h in path.attributes.get("hops") or ()],
            "target": str(path.attributes.get("target_name") or ""),
        })
    rows.sort(key=lambda r: (r["gated"] is True, r["gated"] is None, r["name"]))
    return tuple(rows)
