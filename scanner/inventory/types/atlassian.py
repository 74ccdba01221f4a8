"""Resource types collected from Atlassian Cloud: the organization, its sites, accounts,
Jira projects and Confluence spaces.

Ids: ``atlassian:org/<org id>``, ``atlassian:site/<site>``, ``atlassian:account/<account id>``,
``atlassian:jira/<site>/<project key>``, ``atlassian:confluence/<site>/<space key>``. An
``atlassian.account`` is one Atlassian account seen by the organization (a managed account) or
on a site (an admin, a group member); it honours the people account contract (email, active,
is_admin, mfa_enabled, last_activity_at, days_since_last_activity, handles).

What Atlassian's public APIs do not expose is recorded as Unknown with that reason, never
guessed: the membership and settings of authentication policies (unless declared in
``atlassian.authentication_policies``), the list of organization admins, the audit log and
data-retention settings.
"""

from __future__ import annotations

from scanner.inventory.types import AccountKind, ResourceType, attr

ORGANIZATION = ResourceType(
    "atlassian.organization",
    "An Atlassian organization: verified domains, managed accounts, Organizations API policies, authentication policies (declared).",
    (
        attr("org_id", "string", "organization id (admin.atlassian.com/o/<id>)"),
        attr("verified_domains", "list", "domains the organization has verified (its managed accounts' domains)"),
        attr("company_domains", "list", "domains treated as the company's (setting atlassian.domains, else the verified domains)"),
        attr("managed_account_count", "integer", "accounts the Organizations API lists for the organization"),
        attr("sites", "list", "sites (SITE.atlassian.net) scanned with the organization"),
        attr("ip_allowlist_enabled", "boolean", "an enabled ip-allowlist policy exists (Organizations API policies)"),
        attr("data_residency_policies", "list", "enabled data-residency policies, by name"),
        attr("authentication_policy_source", "string", "declared (atlassian.authentication_policies) or not_exposed (the API does not expose them)"),
        attr("authentication_policies", "list", "declared authentication policies as 'name: sso|two-step|none'"),
        attr("sso_licensed", "boolean", "setting atlassian.sso_licensed: SSO enforcement is available (Atlassian Guard); else two-step verification is the control"),
        attr("admins", "list", "organization admins: Unknown, the Organizations API exposes no list of them"),
        attr("audit_log_retention", "string", "audit log / data-retention settings: Unknown, not exposed by the public APIs"),
    ),
)

SITE = ResourceType(
    "atlassian.site",
    "A Jira / Confluence site (SITE.atlassian.net): its site admins and who holds the Administer Jira global permission.",
    (
        attr("site", "string", "site name (SITE.atlassian.net)"),
        attr("url", "string", "site URL"),
        attr("org_id", "string", "organization the site was scanned with"),
        attr("site_admins", "list", "members of the site admin groups (setting atlassian.admin_groups, default site-admins), by name"),
        attr("site_admin_count", "integer", "number of site admins"),
        attr("jira_admins", "list", "accounts holding the Administer Jira global permission (ADMINISTER), by name"),
        attr("jira_admin_count", "integer", "number of accounts holding ADMINISTER"),
        attr("scanner_is_jira_admin", "boolean", "the scanning account holds ADMINISTER (needed to read permission schemes and admins)"),
        attr("anonymous_projects", "list", "Jira projects whose permission scheme grants Browse Projects to anyone (anonymous)"),
        attr("anonymous_spaces", "list", "Confluence spaces that grant anonymous users an operation"),
    ),
)

ACCOUNT = ResourceType(
    "atlassian.account",
    "An Atlassian account (a managed account of the organization, or a site user who is an admin or group member).",
    (
        attr("account_id", "string", "Atlassian account id"),
        attr("email", "string", "email address; null when the user hides it", nullable=True),
        attr("email_domain", "string", "domain of the email address", nullable=True),
        attr("display_name", "string", "display name"),
        attr("account_type", "string", "atlassian, app or customer"),
        attr("account_status", "string", "active, inactive or closed (Organizations API; from the site: active or inactive)"),
        attr("managed", "boolean", "listed by the Organizations API as one of the organization's accounts"),
        attr("is_external", "boolean", "email domain outside the company domains"),
        attr("product_access", "list", "product keys the account can use (jira-software, confluence, ...)"),
        attr("sites", "list", "sites where the account was seen as an admin or group member"),
        attr("site_admin_of", "list", "sites where the account is a site admin"),
        attr("jira_admin_of", "list", "sites where the account holds Administer Jira"),
        attr("is_org_admin", "boolean", "organization admin: Unknown, the Organizations API exposes no list of them"),
        attr("authentication_policy", "string", "declared authentication policy covering the account; null when none covers it", nullable=True),
        attr("sso_enforced", "boolean", "the covering authentication policy enforces SSO"),
        attr("two_step_enforced", "boolean", "the covering authentication policy enforces two-step verification"),
        attr("authentication_enforced", "boolean", "SSO enforced, or two-step verification enforced where SSO is not licensed"),
        attr("last_active_at", "timestamp", "last activity in any product (Organizations API); null when never active or not managed", nullable=True),
        attr("days_since_last_active", "integer", "whole days since last_active_at; null when never active or not managed", nullable=True),
        # The people account contract.
        attr("active", "boolean", "the account can sign in (status active)"),
        attr("is_admin", "boolean", "site admin or Administer Jira on a scanned site"),
        attr("mfa_enabled", "boolean", "SSO or two-step verification enforced by the covering policy; null when not known", nullable=True),
        attr("last_activity_at", "timestamp", "same as last_active_at", nullable=True),
        attr("days_since_last_activity", "integer", "same as days_since_last_active", nullable=True),
        attr("handles", "list", "identifiers a roster could name this account by: email, account id"),
    ),
)

JIRA_PROJECT = ResourceType(
    "atlassian.jira_project",
    "A Jira project and who its permission scheme lets browse it.",
    (
        attr("site", "string", "site name"),
        attr("key", "string", "project key"),
        attr("project_type", "string", "software, service_desk or business"),
        attr("archived", "boolean", "the project is archived"),
        attr("permission_scheme", "string", "name of the project's permission scheme"),
        attr("browse_holders", "list", "holders of BROWSE_PROJECTS as 'type' or 'type:parameter'"),
        attr("anonymous_browse", "boolean", "BROWSE_PROJECTS granted to anyone, including anonymous users (holder type anyone)"),
        attr("any_user_browse", "boolean", "BROWSE_PROJECTS granted to every user with product access (applicationRole without a product)"),
    ),
)

CONFLUENCE_SPACE = ResourceType(
    "atlassian.confluence_space",
    "A Confluence space and what anonymous users may do in it.",
    (
        attr("site", "string", "site name"),
        attr("key", "string", "space key"),
        attr("space_type", "string", "global, personal, collaboration or knowledge_base"),
        attr("status", "string", "current or archived"),
        attr("anonymous_operations", "list", "operations granted to anonymous users as 'operation:targetType'"),
        attr("anonymous_access", "boolean", "anonymous users hold at least one operation in the space"),
    ),
)

TYPES: tuple[ResourceType, ...] = (ORGANIZATION, SITE, ACCOUNT, JIRA_PROJECT, CONFLUENCE_SPACE)

# People accounts on Atlassian, declared here until the AccountKind declaration lands in
# scanner.inventory.types: the type, which of its resources are people (Atlassian user accounts,
# not apps), and the attributes a roster links them by. Consumed by the integrator's wiring.
ACCOUNT_KINDS: tuple[AccountKind, ...] = (
    AccountKind("atlassian.account", "atlassian", roster_fields=("atlassian_account",),
                only=(("account_type", "atlassian"),)),
)
