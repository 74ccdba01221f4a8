"""The GraphQL queries the collector sends (reads only), checked against GitHub's public schema in tests.

GraphQL carries what it batches well: per repository the classic branch protection rules, the rulesets that apply (repository and organization level), direct and outside
collaborators, deploy keys, environments with their protection rules, CODEOWNERS presence and
errors, and Dependabot alerts; many repositories per query through aliases. Organization-level
SAML identities come from one paginated query.
"""

from __future__ import annotations

from collections.abc import Sequence

CLASSIC_RULE_FIELDS = """
  pattern isAdminEnforced requiresApprovingReviews requiredApprovingReviewCount
  requiresCodeOwnerReviews dismissesStaleReviews requireLastPushApproval
  requiresStatusChecks requiredStatusCheckContexts requiresCommitSignatures
  requiresLinearHistory allowsForcePushes allowsDeletions
"""

COLLABORATOR_FIELDS = "totalCount pageInfo { hasNextPage endCursor } edges { permission node { login } }"

REPOSITORY_FRAGMENT = f"""
fragment RepoAudit on Repository {{
  name
  nameWithOwner
  isEmpty
  hasVulnerabilityAlertsEnabled
  defaultBranchRef {{ name }}
  branchProtectionRules(first: 50) {{ nodes {{ {CLASSIC_RULE_FIELDS} }} }}
  rulesets(first: 25, includeParents: true) {{
    nodes {{
      name enforcement target
      source {{ __typename ... on Organization {{ login }} ... on Repository {{ nameWithOwner }} }}
      conditions {{ refName {{ include exclude }} repositoryName {{ include exclude }} }}
      rules(first: 30) {{
        nodes {{
          type
          parameters {{
            __typename
            ... on PullRequestParameters {{
              requiredApprovingReviewCount requireCodeOwnerReview dismissStaleReviewsOnPush requireLastPushApproval
            }}
            ... on RequiredStatusChecksParameters {{ requiredStatusChecks {{ context }} }}
          }}
        }}
      }}
      bypassActors(first: 20) {{
        nodes {{
          organizationAdmin repositoryRoleName deployKey enterpriseOwner bypassMode
          actor {{ __typename ... on Team {{ slug }} ... on App {{ slug }} }}
        }}
      }}
    }}
  }}
  directCollaborators: collaborators(first: 100, affiliation: DIRECT) {{ {COLLABORATOR_FIELDS} }}
  outsideCollaborators: collaborators(first: 100, affiliation: OUTSIDE) {{ {COLLABORATOR_FIELDS} }}
  deployKeys(first: 50) {{ nodes {{ title readOnly createdAt }} }}
  environments(first: 25) {{
    nodes {{
      name
      protectionRules(first: 5) {{
        nodes {{ type timeout preventSelfReview reviewers(first: 1) {{ totalCount }} }}
      }}
    }}
  }}
  codeownersRoot: object(expression: "HEAD:CODEOWNERS") {{ __typename }}
  codeownersGithub: object(expression: "HEAD:.github/CODEOWNERS") {{ __typename }}
  codeownersDocs: object(expression: "HEAD:docs/CODEOWNERS") {{ __typename }}
  codeowners {{ errors {{ line kind message }} }}
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
