"""The GraphQL queries the collector sends (reads only), checked against GitHub's public schema in tests.

GraphQL carries what it batches well: per repository the classic branch protection rules, the rulesets that apply (repository and organization level), direct and outside
collaborators, deploy keys, environments with their protection rules, CODEOWNERS presence and
errors, and Dependabot alerts; many repositories per query through aliases. Connections longer
than their first page are read on by ``follow_up_query`` (next pages of several repositories, and
of rulesets' or environments' own connections by ``node(id:)``, in one query). Organization-level
SAML identities come from one paginated query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CLASSIC_RULE_FIELDS = """
  pattern isAdminEnforced requiresApprovingReviews requiredApprovingReviewCount
  requiresCodeOwnerReviews dismissesStaleReviews requireLastPushApproval
  requiresStatusChecks requiredStatusCheckContexts requiresCommitSignatures
  requiresLinearHistory allowsForcePushes allowsDeletions
"""

COLLABORATOR_FIELDS = "totalCount pageInfo { hasNextPage endCursor } edges { permission node { login } }"

PAGE_INFO = "pageInfo { hasNextPage endCursor }"

# What each node of a paged connection carries. The first page comes with the batch query, later
# pages with FOLLOW_UP queries that select the very same node fields.
RULE_NODE = """
  type
  parameters {
    __typename
    ... on PullRequestParameters {
      requiredApprovingReviewCount requireCodeOwnerReview dismissStaleReviewsOnPush requireLastPushApproval
    }
    ... on RequiredStatusChecksParameters { requiredStatusChecks { context } }
  }
"""

BYPASS_ACTOR_NODE = """
  organizationAdmin repositoryRoleName deployKey enterpriseOwner bypassMode
  actor { __typename ... on Team { slug } ... on App { slug } }
"""

RULESET_NODE = f"""
  id name enforcement target
  source {{ __typename ... on Organization {{ login }} ... on Repository {{ nameWithOwner }} }}
  conditions {{ refName {{ include exclude }} repositoryName {{ include exclude }} }}
  rules(first: 30) {{ {PAGE_INFO} nodes {{ {RULE_NODE} }} }}
  bypassActors(first: 20) {{ {PAGE_INFO} nodes {{ {BYPASS_ACTOR_NODE} }} }}
"""

DEPLOY_KEY_NODE = "title readOnly createdAt"

PROTECTION_RULE_NODE = "type timeout preventSelfReview reviewers(first: 1) { totalCount }"

ENVIRONMENT_NODE = f"""
  id name
  protectionRules(first: 10) {{ {PAGE_INFO} nodes {{ {PROTECTION_RULE_NODE} }} }}
"""

# The default branch's workflow files with their text, in the batch query itself (no extra request
# per repository); a truncated or text-less blob is read again through the REST contents API.
WORKFLOW_FILES_FIELD = (
    'workflowFiles: object(expression: "HEAD:.github/workflows") { __typename ... on Tree { entries { '
    "name type object { __typename ... on Blob { byteSize isBinary isTruncated text } } } } }"
)

# Repository connection -> (extra arguments, node fields, first-page size in the batch query).
REPOSITORY_CONNECTIONS: dict[str, tuple[str, str, int]] = {
    "branchProtectionRules": ("", CLASSIC_RULE_FIELDS, 50),
    "rulesets": ("includeParents: true", RULESET_NODE, 25),
    "deployKeys": ("", DEPLOY_KEY_NODE, 50),
    "environments": ("", ENVIRONMENT_NODE, 25),
}

# Connections nested in a node of the above, paged through ``node(id:)`` -> (node type, node fields).
NESTED_CONNECTIONS: dict[str, tuple[str, str]] = {
    "rules": ("RepositoryRuleset", RULE_NODE),
    "bypassActors": ("RepositoryRuleset", BYPASS_ACTOR_NODE),
    "protectionRules": ("Environment", PROTECTION_RULE_NODE),
}

FOLLOW_UP_PAGE = 100


def _connection(field: str, args: str, nodes: str, first: int, after: str | None = None) -> str:
    arguments = ", ".join(a for a in (f"first: {first}", f"after: {after}" if after else "", args) if a)
    return f"{field}({arguments}) {{ {PAGE_INFO} nodes {{ {nodes} }} }}"


_REPOSITORY_CONNECTION_FIELDS = "\n  ".join(
    _connection(name, args, nodes, first) for name, (args, nodes, first) in REPOSITORY_CONNECTIONS.items()
)

REPOSITORY_FRAGMENT = f"""
fragment RepoAudit on Repository {{
  name
  nameWithOwner
  isEmpty
  hasVulnerabilityAlertsEnabled
  defaultBranchRef {{ name }}
  {_REPOSITORY_CONNECTION_FIELDS}
  directCollaborators: collaborators(first: 100, affiliation: DIRECT) {{ {COLLABORATOR_FIELDS} }}
  outsideCollaborators: collaborators(first: 100, affiliation: OUTSIDE) {{ {COLLABORATOR_FIELDS} }}
  codeownersRoot: object(expression: "HEAD:CODEOWNERS") {{ __typename }}
  codeownersGithub: object(expression: "HEAD:.github/CODEOWNERS") {{ __typename }}
  codeownersDocs: object(expression: "HEAD:docs/CODEOWNERS") {{ __typename }}
  codeowners {{ errors {{ line kind message }} }}
  {WORKFLOW_FILES_FIELD}
}}
"""

CODEOWNERS_LOCATIONS = (
    ("codeownersGithub", ".github/CODEOWNERS"),
    ("codeownersRoot", "CODEOWNERS"),
    ("codeownersDocs", "docs/CODEOWNERS"),
)


def repositories_query(count: int) -> str:
    """One query for ``count`` repositories of one organization, aliased ``r0`` .. ``r{count-1}``
    under ``organization`` (so error paths read ``["organization", "r3", "rulesets"]``)."""
    variables = ", ".join(f"$n{i}: String!" for i in range(count))
    fields = "\n".join(f"    r{i}: repository(name: $n{i}) {{ ...RepoAudit }}" for i in range(count))
    return (
        f"query RepoAudit($owner: String!, {variables}) {{\n  organization(login: $owner) {{\n{fields}\n  }}\n}}\n"
        + REPOSITORY_FRAGMENT
    )


def repositories_variables(owner: str, names: Sequence[str]) -> dict[str, str]:
    return {"owner": owner, **{f"n{i}": name for i, name in enumerate(names)}}


@dataclass(frozen=True)
class PageRequest:
    """The next page of one connection: on a repository (``repo``) or on a node (``node_id``)."""

    field: str
    cursor: str
    repo: str | None = None
    node_id: str | None = None


def follow_up_query(owner: str, pages: Sequence[PageRequest]) -> tuple[str, dict[str, str]]:
    """One query for the next page of each connection in ``pages``, aliased ``p0`` .. ``p{n-1}``
    (under ``organization`` for repository connections, at the root for ``node(id:)`` ones), each
    connection itself aliased ``page``. Pages of several repositories travel in one request."""
    variables: dict[str, str] = {}
    declarations: list[str] = []
    repo_fields: list[str] = []
    node_fields: list[str] = []
    for index, page in enumerate(pages):
        declarations.append(f"$c{index}: String!")
        variables[f"c{index}"] = page.cursor
        if page.repo is not None:
            args, nodes, _ = REPOSITORY_CONNECTIONS[page.field]
            declarations.append(f"$n{index}: String!")
            variables[f"n{index}"] = page.repo
            inner = _connection(page.field, args, nodes, FOLLOW_UP_PAGE, f"$c{index}")
            repo_fields.append(f"    p{index}: repository(name: $n{index}) {{ page: {inner} }}")
        else:
            assert page.node_id is not None
            type_name, nodes = NESTED_CONNECTIONS[page.field]
            declarations.append(f"$id{index}: ID!")
            variables[f"id{index}"] = page.node_id
            inner = _connection(page.field, "", nodes, FOLLOW_UP_PAGE, f"$c{index}")
            node_fields.append(f"  p{index}: node(id: $id{index}) {{ ... on {type_name} {{ page: {inner} }} }}")
    body = "\n".join(node_fields)
    organization = "\n".join(repo_fields)
    if organization:
        declarations.insert(0, "$owner: String!")
        variables["owner"] = owner
        body = f"  organization(login: $owner) {{\n{organization}\n  }}\n" + body
    return f"query NextPages({', '.join(declarations)}) {{\n{body}\n}}\n", variables


COLLABORATORS_PAGE_QUERY = f"""
query CollaboratorsPage($owner: String!, $name: String!, $affiliation: CollaboratorAffiliation!, $cursor: String) {{
  organization(login: $owner) {{
    repository(name: $name) {{
      collaborators(first: 100, affiliation: $affiliation, after: $cursor) {{ {COLLABORATOR_FIELDS} }}
    }}
  }}
}}
"""

SAML_IDENTITIES_QUERY = """
query SamlIdentities($org: String!, $cursor: String) {
  organization(login: $org) {
    viewerCanAdminister
    samlIdentityProvider {
      ssoUrl
      externalIdentities(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { user { login } samlIdentity { nameId username emails { value } } }
      }
    }
  }
}
"""
