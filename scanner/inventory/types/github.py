"""Resource types collected from GitHub: organizations, their accounts and their repositories.

Attributes are shaped for simple policies: where a check is "none of these may exist", the
collector precomputes the offending list (``webhooks_without_secret``, ``write_deploy_keys``) so
the CEL reads ``size(resource.x) == 0`` and the finding can name the culprits.
"""

from __future__ import annotations

from scanner.inventory.types import AccountKind, ResourceType, attr

ORGANIZATION = ResourceType(
    "github.organization",
    "A GitHub organization and its organization-wide security settings.",
    (
        attr("login", "string", "Organization login (the name in its URL)."),
        attr("plan", "string", "Billing plan (free, team, enterprise, ...); readable by owners.", nullable=True),
        attr("two_factor_requirement_enabled", "boolean", "Members and outside collaborators must use 2FA."),
        attr("saml_sso_configured", "boolean", "A SAML identity provider is configured for the organization."),
        attr(
            "members_without_saml_identity",
            "list",
            "Logins of members with no linked SAML identity (all members when SAML is not configured).",
        ),
        attr(
            "default_repository_permission",
            "string",
            "Base permission every member has on every repository: none, read, write or admin.",
        ),
        attr("members_can_create_public_repositories", "boolean", "Members may create public repositories."),
        attr("members_can_create_private_repositories", "boolean", "Members may create private repositories."),
        attr("members_can_delete_repositories", "boolean", "Repository admins may delete or transfer repositories."),
        attr("members_can_change_repo_visibility", "boolean", "Repository admins may change repository visibility."),
        attr("members_can_fork_private_repositories", "boolean", "Members may fork private repositories."),
        attr("web_commit_signoff_required", "boolean", "Commits made in the web UI must be signed off."),
        attr(
            "secret_scanning_enabled_for_new_repositories",
            "boolean",
            "Secret scanning is switched on for new repositories.",
        ),
        attr(
            "secret_scanning_push_protection_enabled_for_new_repositories",
            "boolean",
            "Push protection is switched on for new repositories.",
        ),
        attr(
            "dependabot_alerts_enabled_for_new_repositories",
            "boolean",
            "Dependabot alerts are switched on for new repositories.",
        ),
        attr("owners", "list", "Logins of the organization owners."),
        attr("owners_count", "integer", "Number of organization owners."),
        attr("members_count", "integer", "Number of organization members (owners included)."),
        attr("outside_collaborators_count", "integer", "Number of outside collaborators."),
        attr("members_without_2fa", "list", "Logins of members and outside collaborators without 2FA."),
        attr("actions_enabled_repositories", "string", "Repositories where Actions may run: all, none or selected."),
        attr("actions_allowed_actions", "string", "Which actions may run: all, local_only or selected."),
        attr(
            "actions_github_owned_allowed",
            "boolean",
            "With allowed_actions=selected: actions made by GitHub are allowed.",
            nullable=True,
        ),
        attr(
            "actions_verified_allowed",
            "boolean",
            "With allowed_actions=selected: actions by Marketplace verified creators are allowed.",
            nullable=True,
        ),
        attr("actions_patterns_allowed", "list", "With allowed_actions=selected: the allowed action patterns."),
        attr(
            "actions_default_workflow_permissions",
            "string",
            "Default permission of the GITHUB_TOKEN in workflows: read or write.",
        ),
        attr(
            "actions_can_approve_pull_request_reviews",
            "boolean",
            "Workflows may create and approve pull requests.",
        ),
        attr(
            "actions_fork_pr_approval_policy",
            "string",
            "Which fork pull-request workflows need approval: first_time_contributors_new_to_github, "
            "first_time_contributors or all_external_contributors.",
        ),
        attr("runner_groups", "list", "Self-hosted runner groups: {name, visibility, allows_public_repositories}."),
        attr("runner_groups_public", "list", "Names of runner groups that public repositories may use."),
        attr("webhooks", "list", "Organization webhooks: {id, host, active, events, tls_verified, has_secret}."),
        attr("webhooks_without_tls_verification", "list", "Organization webhooks (id@host) that skip TLS verification."),
        attr("webhooks_without_secret", "list", "Organization webhooks (id@host) with no signing secret."),
        attr(
            "app_installations",
            "list",
            "Installed GitHub Apps: {app_slug, repository_selection, permissions, write_permissions}.",
        ),
        attr(
            "apps_with_write_to_all_repos",
            "list",
            "Slugs of installed apps with a write/admin permission on all repositories.",
        ),
        attr("rulesets", "list", "Organization rulesets: {name, target, enforcement}."),
        attr(
            "credential_authorizations_count",
            "integer",
            "Credentials (PATs, SSH keys) authorized for SAML SSO (GitHub Enterprise Cloud).",
        ),
        attr("repositories_count", "integer", "Number of repositories collected in this organization."),
    ),
)

MEMBER = ResourceType(
    "github.member",
    "An account with access to an organization: a member (owners included) or an outside collaborator.",
    (
        attr("login", "string", "GitHub login."),
        attr("user_id", "integer", "GitHub user id (stable across login renames)."),
        attr("org", "string", "Organization login."),
        attr("role", "string", "owner, member or outside_collaborator."),
        attr("is_outside_collaborator", "boolean", "An outside collaborator rather than an organization member."),
        attr("email", "string", "Work email we can see: SAML name id, else the public profile email.", nullable=True),
        attr("active", "boolean", "The account still has access (a member or outside collaborator)."),
        attr("is_admin", "boolean", "An organization owner."),
        attr("mfa_enabled", "boolean", "Two-factor authentication is enabled on the account."),
        attr(
            "saml_identity_linked",
            "boolean",
            "A SAML identity is linked (null for outside collaborators or without SAML).",
            nullable=True,
        ),
        attr("saml_name_id", "string", "SAML NameID of the linked identity.", nullable=True),
        attr(
            "last_activity_at",
            "timestamp",
            "Last use of a SAML-authorized credential (GitHub Enterprise Cloud credential authorizations).",
            nullable=True,
        ),
        attr("days_since_last_activity", "integer", "Whole days since last_activity_at.", nullable=True),
        attr("handles", "list", "Identifiers a roster may name this account by: login, SAML name id, email."),
        attr(
            "admin_repositories",
            "list",
            "Scanned repositories where the account has admin, as a direct collaborator or through a team "
            "(not counting the org base permission or ownership).",
        ),
        attr(
            "write_repositories",
            "list",
            "Scanned repositories where the account has write, maintain or admin, directly or through a team.",
        ),
    ),
)

REPOSITORY = ResourceType(
    "github.repository",
    "A repository and the effective protection of its default branch (classic protection and rulesets merged).",
    (
        attr("full_name", "string", "owner/name."),
        attr("org", "string", "Organization login."),
        attr("visibility", "string", "public, private or internal."),
        attr("archived", "boolean", "The repository is archived (read-only)."),
        attr("fork", "boolean", "The repository is a fork."),
        attr("is_empty", "boolean", "The repository has no commits (no default branch yet)."),
        attr("default_branch", "string", "Name of the default branch.", nullable=True),
        attr("topics", "list", "Repository topics."),
        attr("is_critical", "boolean", "Carries one of the critical topics (needs the stricter review rules)."),
        attr("created_at", "timestamp", "When the repository was created.", nullable=True),
        attr("pushed_at", "timestamp", "Last push.", nullable=True),
        attr("default_branch_protected", "boolean", "A classic rule or an active ruleset covers the default branch."),
        attr("protection_sources", "list", "What protects the default branch: classic:<pattern>, ruleset:<name>."),
        attr("requires_pull_request", "boolean", "Changes to the default branch must go through a pull request."),
        attr("required_approving_review_count", "integer", "Approvals required before merging (0 when none)."),
        attr("requires_code_owner_review", "boolean", "A code owner must approve changes to owned files."),
        attr("dismisses_stale_reviews", "boolean", "New pushes dismiss earlier approvals."),
        attr("requires_last_push_approval", "boolean", "The last push must be approved by someone else."),
        attr("requires_status_checks", "boolean", "Status checks must pass before merging."),
        attr("required_status_checks", "list", "Names of the required status checks."),
        attr("requires_signed_commits", "boolean", "Commits must carry verified signatures."),
        attr("requires_linear_history", "boolean", "Merge commits are refused."),
        attr("allows_force_pushes", "boolean", "Force pushes to the default branch are allowed."),
        attr("allows_deletions", "boolean", "The default branch may be deleted."),
        attr(
            "admins_can_bypass",
            "boolean",
            "Admins can bypass some rule protecting the default branch: a classic rule without 'include "
            "administrators', or a ruleset listing organization or repository admins as bypass actors.",
        ),
        attr("bypass_actors", "list", "Who may bypass the rulesets: OrganizationAdmin, RepositoryRole:admin, Team:x."),
        attr("codeowners_present", "boolean", "A CODEOWNERS file exists (root, .github/ or docs/)."),
        attr("codeowners_path", "string", "Where the CODEOWNERS file is.", nullable=True),
        attr("codeowners_errors", "integer", "Syntax errors GitHub reports in CODEOWNERS.", nullable=True),
        attr("secret_scanning_enabled", "boolean", "Secret scanning is on."),
        attr("secret_scanning_push_protection_enabled", "boolean", "Secret scanning push protection is on."),
        attr("dependabot_alerts_enabled", "boolean", "Dependabot (vulnerability) alerts are on."),
        attr("admin_collaborators", "list", "Direct collaborators with admin permission."),
        attr("outside_collaborators_with_write", "list", "Outside collaborators with write, maintain or admin."),
        attr("outside_collaborators_with_admin", "list", "Outside collaborators with admin."),
        attr("deploy_keys", "list", "Deploy keys: {title, read_only, created_at, age_days}."),
        attr("write_deploy_keys", "list", "Titles of deploy keys with write access."),
        attr("webhooks", "list", "Repository webhooks: {id, host, active, events, tls_verified, has_secret}."),
        attr("webhooks_without_tls_verification", "list", "Repository webhooks (id@host) that skip TLS verification."),
        attr("webhooks_without_secret", "list", "Repository webhooks (id@host) with no signing secret."),
        attr(
            "environments",
            "list",
            "Deployment environments: {name, required_reviewers, prevent_self_review, wait_timer, branch_policy}.",
        ),
        attr("production_environments", "list", "Names of environments that look like production (prod, production, live)."),
        attr(
            "production_environments_without_reviewers",
            "list",
            "Production-looking environments with no required reviewers.",
        ),
        attr(
            "actions_default_workflow_permissions",
            "string",
            "Default permission of the GITHUB_TOKEN in this repository's workflows: read or write.",
        ),
        attr("actions_can_approve_pull_request_reviews", "boolean", "Workflows may create and approve pull requests."),
    ),
)

TYPES: tuple[ResourceType, ...] = (ORGANIZATION, MEMBER, REPOSITORY)

WORKFLOW = ResourceType(
    "github.workflow",
    "A GitHub Actions workflow file on a repository's default branch, parsed and analysed "
    "(the zizmor / poutine / OpenSSF Scorecard checks). A repository whose workflows could not be "
    "listed has one placeholder (path .github/workflows/*) with every attribute unknown.",
    (
        attr("full_name", "string", "Repository owner/name."),
        attr("org", "string", "Organization login."),
        attr("path", "string", "Path of the file (.github/workflows/x.yml)."),
        attr("repository_visibility", "string", "public, private or internal (of the repository)."),
        attr("repository_archived", "boolean", "The repository is archived."),
        attr("parse_error", "string", "Why the file does not parse as a workflow; null when it does.", nullable=True),
        attr("name", "string", "The workflow's name: (empty when not set)."),
        attr("triggers", "list", "Events in on: (push, pull_request_target, workflow_dispatch, ...)."),
        attr("dangerous_triggers", "list", "pull_request_target / workflow_run among the triggers."),
        attr("untrusted_triggers", "list", "Triggers an outsider can cause that run with the base repository's "
             "token and cache scope (pull_request_target, workflow_run, issue_comment, issues, ...)."),
        attr("trigger_branches", "object", "event -> {branches, tags} filters (null: none)."),
        attr("permissions", "object", "Workflow-level permissions: {scope: level}, 'read-all', 'write-all'; "
             "null when not declared.", nullable=True),
        attr("job_permissions", "object", "job id -> its own permissions block, for jobs that declare one."),
        attr("jobs_without_permissions", "list", "Jobs with no permissions of their own and none at workflow "
             "level: they get the repository's default token (Scorecard Token-Permissions)."),
        attr("write_all_permissions", "list", "Where permissions: write-all is granted: workflow, job:<id>."),
        attr("id_token_write_workflow", "boolean", "id-token: write is granted to the whole workflow."),
        attr("id_token_jobs", "list", "Jobs that can request an OIDC token (id-token: write, own or inherited)."),
        attr("jobs", "list", "Jobs: {id, name, runs_on, self_hosted, environment, permissions, id_token_write, "
             "uses, secrets_inherit, steps, needs}."),
        attr("actions", "list", "Every uses: reference: {uses, owner, ref, pinning (sha, tag, branch, unpinned, "
             "local, docker-digest, docker-tag), third_party, job, reusable_workflow}."),
        attr("unpinned_actions", "list", "uses: references not pinned to a full commit SHA (or image digest), "
             "GitHub-owned included (Scorecard Pinned-Dependencies)."),
        attr("unpinned_third_party_actions", "list", "Third-party uses: (not actions/*, github/* or the "
             "organization's own) not pinned to a full commit SHA (zizmor unpinned-uses)."),
        attr("runners", "list", "runs-on labels (group:<name> for runner groups)."),
        attr("self_hosted_jobs", "list", "Jobs that run on self-hosted runners."),
        attr("environments", "list", "Deployment environments the jobs reference."),
        attr("secrets_used", "list", "Names of the secrets the workflow reads (secrets.NAME)."),
        attr("secrets_inherit_jobs", "list", "Jobs calling a reusable workflow with secrets: inherit."),
        attr("untrusted_checkouts", "list", "Steps of a pull_request_target / workflow_run workflow that check "
             "out or fetch the pull request's code (job/step)."),
        attr("template_injections", "list", "Attacker-controlled contexts expanded with ${{ }} into run: or "
             "github-script: {step, context}."),
        attr("persisted_credentials_jobs", "list", "Jobs whose actions/checkout keeps the token in .git/config "
             "(persist-credentials not false)."),
        attr("artifact_credential_exposures", "list", "upload-artifact steps after a credential-persisting "
             "checkout in the same job (zizmor artipacked)."),
        attr("uses_cache", "boolean", "The workflow restores or saves an Actions cache."),
        attr("is_release", "boolean", "Runs on release or tag pushes (publishes artifacts)."),
        attr("cache_poisoning_sources", "list", "For a release workflow using caches: workflows of the same "
             "repository that write caches on untrusted triggers (zizmor cache-poisoning)."),
        attr("hardcoded_credentials", "list", "Literal credentials in the file: {where, kind}; never the value."),
        attr("cloud_auth", "list", "Cloud login steps: {job, platform (aws, azure, gcp), target (role ARN, "
             "client id, provider), oidc}."),
    ),
)

TYPES = TYPES + (WORKFLOW,)

# The people-linking kinds of this platform (scanner.correlate reads them).
ACCOUNT_KINDS: tuple[AccountKind, ...] = (AccountKind("github.member", "github", roster_fields=("github",)),)

# Attributes added after mapping by scanner.collectors.github.org_extras (Copilot, security
# managers); the registry extends the types with them (EXTENSIONS), so the mapping's own output
# is still held to the base declarations above.
ORGANIZATION_EXTRAS = (
    attr("copilot_enabled", "boolean", "The organization has a Copilot Business or Enterprise subscription."),
    attr("copilot_public_code_suggestions", "string",
         "Copilot suggestions matching public code: allow, block or unconfigured; null without Copilot.", nullable=True),
    attr("copilot_seat_management", "string",
         "How Copilot seats are granted: assign_all (every member), assign_selected (chosen teams/users), "
         "disabled or unconfigured; null without Copilot.", nullable=True),
    attr("copilot_seat_holders", "list", "Logins holding a Copilot seat."),
    attr("copilot_direct_seat_holders", "list", "Logins holding a Copilot seat assigned directly, not through a team."),
    attr("security_managers", "list",
         "Holders of the security manager organization role: team:<slug> or user:<login>."),
    attr("ip_allow_list_enabled", "boolean", "The organization's IP allow list is enabled (GitHub Enterprise Cloud)."),
    attr("ip_allow_list_entries", "list", "Active IP allow list entries (addresses or CIDR ranges)."),
)
MEMBER_EXTRAS = (
    attr("copilot_seat", "boolean", "The account holds a Copilot seat in this organization."),
    attr("scim_provisioned", "boolean",
         "The member's SAML identity was provisioned by the identity provider through SCIM; null for outside "
         "collaborators and in organizations without SAML SSO.", nullable=True),
)
REPOSITORY_EXTRAS = (
    attr("production_repository_secrets", "list",
         "For a repository with a production environment: repository-level Actions secrets named like "
         "production (PROD, PRODUCTION, LIVE as a word), readable by any workflow on any branch; [] otherwise."),
)
EXTENSIONS = {
    "github.organization": ORGANIZATION_EXTRAS,
    "github.member": MEMBER_EXTRAS,
    "github.repository": REPOSITORY_EXTRAS,
}
