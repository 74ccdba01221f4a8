"""A fake GitHub (REST + GraphQL) on 127.0.0.1 for collector tests and benchmarks.

Quick use::

    from tests.fakes.github import FakeGitHub, default_org, OWNER_TOKEN, MEMBER_TOKEN

    org = default_org()                         # Northwind Labs: see fixtures.py; mutate freely
    org.repo("infra").archived = True           # ... before starting the server
    with FakeGitHub(org, validate=True) as gh:  # validate: every REST answer checked vs OpenAPI
        gh.url                                  # "http://127.0.0.1:PORT"  (REST base; /api/v3/... also works)
        gh.graphql_url                          # gh.url + "/graphql"      (POST; any path ending /graphql)
        ...                                     # run the collector with token OWNER_TOKEN
        gh.requests                             # [RecordedRequest(method, path, endpoint, query, headers, status, body)]
        gh.requests_by_endpoint()               # Counter({"GET /orgs/{org}/repos": 1, "POST /graphql": 3, ...})
        assert gh.writes() == []                # anything but GET, POST /graphql, POST .../access_tokens
        assert gh.graphql_mutations() == []
    # leaving the block raises AssertionError if a served response failed OpenAPI validation

``FakeGitHub(world_or_org_or_orgs=None, *, validate=False, latency_ms=0, installation_token_ttl=3600)``
accepts a ``World`` (orgs + tokens + App), one ``Org`` or a list of orgs (then the default tokens
and App are used); ``None`` serves ``default_world()`` (``northwind-labs`` and ``northwind-oss``).

Tokens (``fixtures.py``; sent as ``Authorization: token X`` or ``Bearer X``):

- ``OWNER_TOKEN`` ana-silva, org owner, scopes repo/read:org/admin:org/admin:org_hook (``X-OAuth-Scopes``)
- ``MEMBER_TOKEN`` bochen, plain member: owner-only answers are what GitHub gives a non-owner —
  ``/orgs/{org}/members?filter=2fa_disabled`` (and ``outside_collaborators?filter=2fa_disabled``)
  -> 422 "Only owners can use this filter.";
  ``/orgs/{org}`` without the owner-only settings (two_factor_requirement_enabled, members_can_*,
  default_repository_permission, *_for_new_repositories, plan); org hooks and org rulesets -> 404;
  Actions settings, runner groups, installations, credential authorizations -> 403; repo admin
  endpoints (branch protection, hooks, keys, repo Actions settings, vulnerability-alerts) -> 404
  unless the member has admin on that repo; ``security_and_analysis`` only for repo admins.
- ``OUTSIDE_TOKEN`` carla-m (outside collaborator), ``EXPIRED_TOKEN`` -> 401 "Bad credentials" everywhere,
  ``NO_ORG_HOOK_SCOPE_TOKEN`` owner without ``admin:org_hook`` (org hooks -> 404).
- GitHub App: ``gh.world.app`` (``APP_ID``, ``private_key_pem``; installations ``INSTALLATION_ID`` on
  northwind-labs). A RS256 JWT (iss=app id, iat/exp <= 10 min apart) is verified with PyJWT and
  accepted on ``GET /app``, ``GET /app/installations``, ``GET /orgs/{org}/installation`` and
  ``POST /app/installations/{id}/access_tokens`` (201 with a fresh ``ghs_`` token that reads like an
  owner and expires after ``installation_token_ttl`` seconds -> 401 afterwards). ``gh.minted_tokens()``.

REST behaviour: ``per_page`` (default 30, max 100) + ``page`` with ``Link`` (next/last/prev/first);
``ETag`` on every 200 GET and ``304`` on a matching ``If-None-Match`` (304s do not use the budget);
``X-RateLimit-Limit/Remaining/Reset/Used/Resource`` per token and resource (core, graphql);
``GET /rate_limit``; 404 "Branch not protected" for an unprotected branch; rulesets list with
``includes_parents``; ``GET /repos/{o}/{r}/rules/branches/{b}`` = rules of every *active* repo and org
ruleset targeting the branch (evaluate-mode rulesets are left out, as on github.com).
Unknown paths and any PUT/PATCH/DELETE answer 404 (and are recorded, so ``gh.writes()`` sees them).
The served operations are ``rest.ROUTES`` (and ``tests/fakes/github_openapi/trim.py``'s list).

GraphQL (``POST /graphql``): executed by graphql-core against GitHub's public schema
(``tests/fakes/github_openapi/schema.graphql``), so a query github.com would reject is rejected
(HTTP 200 with ``{"errors": [...]}``). Resolved over the fixture: ``viewer``, ``rateLimit``,
``organization(login)`` { ``repositories`` (first/after, isArchived, isFork, visibility,
defaultBranchRef, branchProtectionRules, rulesets, collaborators(affiliation), deployKeys,
environments { protectionRules }, object(expression), codeowners { errors }, ...),
``membersWithRole``, ``samlIdentityProvider { externalIdentities }``, ``repository(name)`` ... },
``repository(owner, name)``; fields not modelled resolve to null. As on github.com, a viewer
without admin gets silently empty branchProtectionRules / deployKeys / bypassActors (not an
error); collaborators without push and the SAML provider without owner fail with FORBIDDEN.

Fault injection (``pattern`` is an fnmatch glob on the path, e.g. ``"/repos/*/hooks"``, ``"/graphql"``;
``times=None`` means every matching request; injected answers skip ETag and budget)::

    gh.inject("/repos/*/api/hooks", status=500, times=2)    # or 404, 502, 403 ...
    gh.inject_secondary_rate_limit("*", times=1, retry_after=2)   # 403 + Retry-After
    gh.inject_primary_rate_limit("*", times=1, reset_in=2)        # 403 + X-RateLimit-Remaining: 0 + Reset
    gh.inject_latency(50)                                   # ms per matching request (also latency_ms=)
    gh.inject_body("/orgs/*/members", [{"id": 1}])          # any JSON (+ status=, headers={"Link": ...})
    gh.inject_body("/graphql", {...}, operation="CollaboratorsPage")  # only that GraphQL operation
    gh.set_rate_limit(OWNER_TOKEN, remaining=0)             # real budget exhaustion
    gh.clear_injections(); gh.reset_requests()

Secondary rate limits (off unless asked): ``FakeGitHub(..., secondary_limits=SecondaryLimits())``
models GitHub's per-token limits — at most 100 requests in flight, 900 points a minute per REST
endpoint and 2,000 for GraphQL, at most 90 s of request time per 60 s — and refuses a request over
any of them with 403 "secondary rate limit" + ``Retry-After: 60``; ``gh.secondary_refusals``
counts refusals by reason, ``gh.reset_secondary_windows()`` starts the windows afresh. Scale
``window`` and the limits down together for a quick test.

Fixtures: ``default_org()``, ``oss_org()``, ``default_world()``, ``make_large_org(repos=1000,
members=500, teams=50)``, ``large_world(...)`` (the large org with ana-silva as an owner, so
``OWNER_TOKEN`` works), model classes in ``model.py``.
"""

from __future__ import annotations

from tests.fakes.github.fixtures import (
    APP_ID,
    APP_SLUG,
    EXPIRED_TOKEN,
    INSTALLATION_ID,
    MEMBER_TOKEN,
    NO_ORG_HOOK_SCOPE_TOKEN,
    ORG,
    OSS_INSTALLATION_ID,
    OSS_ORG,
    OUTSIDE_TOKEN,
    OWNER_TOKEN,
    default_org,
    default_tokens,
    default_world,
    large_world,
    make_large_org,
    oss_org,
)
from tests.fakes.github.model import World
from tests.fakes.github.server import FakeGitHub, Injection, RecordedRequest, SecondaryLimits

__all__ = [
    "APP_ID",
    "APP_SLUG",
    "EXPIRED_TOKEN",
    "INSTALLATION_ID",
    "MEMBER_TOKEN",
    "NO_ORG_HOOK_SCOPE_TOKEN",
    "ORG",
    "OSS_INSTALLATION_ID",
    "OSS_ORG",
    "OUTSIDE_TOKEN",
    "OWNER_TOKEN",
    "FakeGitHub",
    "Injection",
    "RecordedRequest",
    "SecondaryLimits",
    "World",
    "default_org",
    "default_tokens",
    "default_world",
    "large_world",
    "make_large_org",
    "oss_org",
]
