"""The ``path`` resource type: a chain from a person to a cloud role, derived after correlation.

person -> GitHub account -> write/admin on a repository -> a route into an OIDC token (a branch,
an environment, a pull request; the workflows that use it) -> the cloud trust that accepts the
token's ``sub`` -> what that role can do. Derived by ``scanner.paths`` from the other inventories,
never collected; where the cloud platform was not scanned the chain ends at "not scanned" and the
target attributes are unknown, so the checks that need them ERROR.
"""

from __future__ import annotations

from scanner.inventory.types import ResourceType, attr

PATH = ResourceType(
    "path.code_to_cloud",
    "A chain from a person through a GitHub repository and its Actions OIDC token to a cloud role.",
    (
        attr("hops", "list", "The chain hop by hop, as readable strings (person, account, repository, route, trust, role)."),
        attr("person_id", "string", "roster.person id of the account's owner; null when unlinked.", nullable=True),
        attr("person_name", "string", "The person's name; null when unlinked.", nullable=True),
        attr("employment_type", "string", "employee, contractor or vendor (from the roster)."),
        attr("is_external", "boolean", "A contractor or vendor (unknown when the account is not linked to the roster)."),
        attr("person_status", "string", "active or left (from the roster)."),
        attr("identities", "list", "Names the person goes by: GitHub login, roster email, roster name."),
        attr("account_id", "string", "The github.member resource id."),
        attr("account_login", "string", "GitHub login."),
        attr("permission", "string", "admin or write on the repository."),
        attr("access_via", "string", "collaborator or team (direct), or organization owner."),
        attr("repository", "string", "owner/name of the repository."),
        attr("route", "string", "How a token with an accepted 'sub' is obtained: environment:<name>, "
             "branch:<name>, any-branch, pull_request, tag."),
        attr("workflows", "list", "Existing workflow files whose OIDC jobs present an accepted 'sub' on this route."),
        attr("environment", "string", "The deployment environment on the route.", nullable=True),
        attr("environment_required_reviewers", "integer", "Required reviewers of that environment.", nullable=True),
        attr("gated_by_environment", "boolean", "The route crosses an environment with required reviewers."),
        attr("gated_by_branch_review", "boolean", "The route is a protected branch requiring an approving review "
             "the person cannot bypass."),
        attr("gated", "boolean", "Someone else must approve before the token is issued (environment reviewers or "
             "a reviewed protected branch), on every route the trust accepts."),
        attr("gate", "string", "The gate on the route, described; null when none.", nullable=True),
        attr("cloud", "string", "aws, azure or gcp."),
        attr("trust", "string", "The trust condition that accepts the token (the 'sub' pattern)."),
        attr("cloud_scanned", "boolean", "The cloud platform was scanned (false: the path ends at 'not scanned')."),
        attr("target_id", "string", "The cloud role / identity resource id."),
        attr("target_name", "string", "Its name."),
        attr("target_environment", "string", "Environment of the account/subscription holding it.", nullable=True),
        attr("target_access", "string", "What the role can do: admin (admin-equivalent), write, read."),
        attr("target_admin", "boolean", "The role is admin-equivalent."),
    ),
)

TYPES: tuple[ResourceType, ...] = (PATH,)
