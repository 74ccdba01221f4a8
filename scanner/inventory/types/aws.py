"""Resource types collected from AWS: accounts, IAM users, roles, customer policies, CloudTrail trails.

``aws.iam_user`` honours the account contract of the people view (email, active, is_admin,
mfa_enabled, last_activity_at, days_since_last_activity, handles) so correlation can link IAM
users to roster people like GitHub members and Entra users.
"""

from __future__ import annotations

from scanner.inventory.types import AccountKind, ResourceType, attr

ACCOUNT = ResourceType(
    "aws.account",
    "One AWS account: root user, password policy, federation, Organizations membership, "
    "account-wide guards and the roll-up of its CloudTrail coverage.",
    (
        attr("account_id", "string", "12-digit account id"),
        attr("account_name", "string", "Organizations account name, else the IAM account alias, else the id"),
        attr("alias", "string", "IAM account alias", nullable=True),
        attr("environment", "string", "environment of the account from its Organizations tag "
             "(environment/env/stage) or its OU name, e.g. production, staging; null when neither says", nullable=True),
        attr("organizational_unit", "string", "name of the OU the account sits in (null at the root)", nullable=True),
        attr("org_member", "boolean", "the account belongs to an AWS Organization"),
        attr("organization_id", "string", "Organizations id (o-...)", nullable=True),
        attr("is_management_account", "boolean", "this is the organization's management account"),
        attr("scps_enabled", "boolean", "service control policies are enabled on the organization root"),
        attr("root_mfa_enabled", "boolean", "the root user has MFA (GetAccountSummary AccountMFAEnabled)"),
        attr("root_mfa_kind", "string", "virtual or hardware; null when root has no MFA", nullable=True),
        attr("root_access_keys_present", "boolean", "the root user has access keys"),
        attr("root_last_used_at", "timestamp", "last use of the root password or root keys", nullable=True),
        attr("root_days_since_last_used", "integer", "whole days since root was last used", nullable=True),
        attr("password_policy_present", "boolean", "an account password policy is set"),
        attr("password_minimum_length", "integer", "minimum password length (null without a policy)", nullable=True),
        attr("password_reuse_prevention", "integer", "previous passwords that cannot be reused (null if unset)",
             nullable=True),
        attr("password_max_age_days", "integer", "password expiry in days (null if passwords never expire)",
             nullable=True),
        attr("iam_users", "integer", "number of IAM users"),
        attr("iam_users_with_console", "integer", "IAM users with a console password"),
        attr("saml_providers", "list", "names of IAM SAML identity providers"),
        attr("oidc_providers", "list", "URLs of IAM OpenID Connect providers (e.g. GitHub Actions)"),
        attr("identity_center_enabled", "boolean", "an IAM Identity Center instance is visible from this account"),
        attr("federation_present", "boolean", "people can sign in through federation (SAML provider or Identity Center)"),
        attr("security_contact_present", "boolean", "an alternate SECURITY contact is registered"),
        attr("s3_block_public_access", "boolean", "account-level S3 Block Public Access has all four settings on"),
        attr("access_analyzer_enabled", "boolean", "an active IAM Access Analyzer exists in every enabled region"),
        attr("access_analyzer_missing_regions", "list", "enabled regions without an active IAM Access Analyzer"),
        attr("cloudtrail_trails", "integer", "CloudTrail trails visible from the home region (including org trails)"),
        attr("cloudtrail_multi_region_logging", "boolean",
             "at least one multi-region trail is logging management events (read and write)"),
        attr("cloudtrail_organization_trail", "boolean", "an organization trail covers this account"),
    ),
)

# What the IAM evaluator (scanner/collectors/aws/iam_eval.py) judges of a principal: users and roles alike.
_EFFECTIVE_PERMISSIONS = (
    attr("admin_equivalent", "boolean",
         "allowed every IAM action on every resource by all its policies together (managed, inline, groups'), "
         "within its permissions boundary and the organization's SCPs, explicit Denies applied"),
    attr("admin_evidence", "list", "the statements (policy#sid) that make it admin-equivalent"),
    attr("can_escalate_to_admin", "boolean",
         "not admin-equivalent, but a privilege-escalation method (Rhino Security Labs / PMapper catalogue) "
         "makes it, or a principal it can act as, admin"),
    attr("escalation_methods", "list", "the methods of the shortest path to admin, as 'method -> target'"),
    attr("escalation_path", "list",
         "each step: {principal, method, target, statements that allow it, conditions assumed met}"),
    attr("escalation_blocked", "list",
         "methods an identity policy names but something stops: {method, target, stopped_by} "
         "(the explicit Deny, boundary, SCP or condition)"),
    attr("assumable_roles", "list", "ARNs of the account's roles it can assume (trust policy x identity policy)"),
    attr("effective_access", "string", "admin (admin-equivalent or can escalate), write, read or none"),
    attr("evaluation_assumptions", "list",
         "conditions the evaluator could not judge (an Allow assumed to apply, a Deny not counted on) "
         "and whether SCPs were evaluated"),
)

IAM_USER = ResourceType(
    "aws.iam_user",
    "An IAM user: its console password, MFA, access keys and the policies that reach it.",
    (
        attr("arn", "string", "user ARN"),
        attr("user_name", "string", "IAM user name"),
        attr("user_id", "string", "stable IAM id (AIDA...)"),
        attr("account_id", "string", "account the user lives in"),
        attr("path", "string", "IAM path"),
        attr("created_at", "timestamp", "when the user was created", nullable=True),
        attr("tags", "object", "the user's tags, key -> value"),
        attr("owner", "string", "value of an owner/Owner tag", nullable=True),
        attr("has_console_password", "boolean", "the user can sign in to the console"),
        attr("password_last_used_at", "timestamp", "last console sign-in", nullable=True),
        attr("mfa_device_kind", "string", "virtual or hardware; null without MFA", nullable=True),
        attr("access_keys", "list", "each key: {slot, active, age_days, last_used_at, days_since_last_used}"),
        attr("active_access_keys", "integer", "number of active access keys"),
        attr("active_key_max_age_days", "integer", "age in days of the oldest active key (null: none)", nullable=True),
        attr("active_key_max_unused_days", "integer",
             "longest time in days an active key has gone unused (since creation when never used)", nullable=True),
        attr("groups", "list", "names of the groups the user belongs to"),
        attr("attached_policies", "list", "ARNs of managed policies attached directly to the user"),
        attr("inline_policies", "list", "names of inline policies on the user"),
        attr("group_policies", "list", "managed policy ARNs and group/inline names reaching the user through groups"),
        attr("direct_admin_policies", "list",
             "admin-equivalent policies attached directly to the user (managed ARNs or inline:<name>)"),
        attr("environment", "string", "environment of the account (see aws.account.environment)", nullable=True),
        # The account contract shared with github.member and azure.user (people correlation).
        attr("email", "string", "work email from the user's email/Email tag", nullable=True),
        attr("active", "boolean", "the user has a console password or an active access key"),
        attr("is_admin", "boolean", "admin-equivalent (see admin_equivalent; AdministratorAccess counts even "
             "when the evaluator could not run)"),
        *_EFFECTIVE_PERMISSIONS,

        attr("mfa_enabled", "boolean", "an MFA device is active"),
        attr("last_activity_at", "timestamp", "latest console sign-in or access key use", nullable=True),
        attr("days_since_last_activity", "integer", "whole days since last_activity_at", nullable=True),
        attr("handles", "list", "names a roster may use: user name, user id, ARN"),
    ),
)

IAM_ROLE = ResourceType(
    "aws.iam_role",
    "An IAM role: who may assume it (trust policy analysed), what it may do, when it was last used.",
    (
        attr("arn", "string", "role ARN"),
        attr("role_name", "string", "role name"),
        attr("role_id", "string", "stable IAM id (AROA...)"),
        attr("account_id", "string", "account the role lives in"),
        attr("path", "string", "IAM path"),
        attr("created_at", "timestamp", "when the role was created", nullable=True),
        attr("tags", "object", "the role's tags, key -> value"),
        attr("service_linked", "boolean", "an AWS service-linked role (path /aws-service-role/)"),
        attr("trust_principals", "list", "every principal named in the trust policy's Allow statements"),
        attr("trusted_services", "list", "AWS service principals that may assume the role"),
        attr("trusted_accounts", "list", "account ids whose principals may assume the role"),
        attr("trust_allows_any_principal", "boolean",
             "the trust policy allows '*' with no condition restricting the caller's account or org"),
        attr("foreign_accounts_without_external_id", "list",
             "accounts outside this account/organization trusted without an sts:ExternalId condition"),
        attr("github_oidc_trust", "boolean", "trusts GitHub Actions OIDC (token.actions.githubusercontent.com)"),
        attr("github_oidc_subjects", "list", "the token 'sub' patterns the trust accepts"),
        attr("github_oidc_repo_pinned", "boolean",
             "every accepted 'sub' names one repository (no wildcard in owner/repo); false when no sub condition"),
        attr("github_oidc_ref_pinned", "boolean",
             "every accepted 'sub' also names a branch, tag or environment without wildcard (pull_request is no pin)"),
        *_EFFECTIVE_PERMISSIONS,
        attr("reachable_by", "list",
             "principals of the account, admins aside, that can act as this role in one step (assume it, rewrite "
             "its trust, pass it to a service, run code as it) and the outside accounts and identity providers "
             "its trust names"),
        attr("attached_policies", "list", "ARNs of attached managed policies"),
        attr("inline_policies", "list", "names of inline policies"),
        attr("last_used_at", "timestamp", "last time the role was assumed", nullable=True),
        attr("days_since_last_used", "integer", "whole days since last_used_at", nullable=True),
        attr("environment", "string", "environment of the account (see aws.account.environment)", nullable=True),
    ),
)

IAM_POLICY = ResourceType(
    "aws.iam_policy",
    "A customer-managed IAM policy: whether its default version grants full admin or "
    "privilege-escalation actions, and where it is attached.",
    (
        attr("arn", "string", "policy ARN"),
        attr("policy_name", "string", "policy name (from the ARN when the API omits it)"),
        attr("account_id", "string", "account the policy lives in"),
        attr("path", "string", "IAM path"),
        attr("default_version_id", "string", "the version in force"),
        attr("attachment_count", "integer", "number of users, groups and roles it is attached to"),
        attr("attached_to", "list", "user/<name>, group/<name>, role/<name> it is attached to"),
        attr("is_attached", "boolean", "attached to at least one identity"),
        attr("grants_full_admin", "boolean",
             "admin-equivalent: a statement allows '*', 'iam:*' or a NotAction that leaves IAM allowed, on resource '*'"),
        attr("grants_iam_full_access", "boolean", "a statement allows iam:* on resource '*'"),
        attr("privilege_escalation_actions", "list",
             "privilege-escalation actions it allows on a principal other than its holder (iam:PassRole on role/*, "
             "iam:CreatePolicyVersion, lambda:UpdateFunctionCode, ...), its Deny statements and conditions applied"),
        attr("created_at", "timestamp", "when it was created", nullable=True),
        attr("updated_at", "timestamp", "when its default version last changed", nullable=True),
    ),
)

CLOUDTRAIL_TRAIL = ResourceType(
    "aws.cloudtrail_trail",
    "A CloudTrail trail owned by the account (an organization trail appears in the management account).",
    (
        attr("arn", "string", "trail ARN"),
        attr("trail_name", "string", "trail name"),
        attr("account_id", "string", "account owning the trail"),
        attr("home_region", "string", "region the trail was created in"),
        attr("is_multi_region", "boolean", "the trail records every region"),
        attr("is_organization_trail", "boolean", "the trail records every account of the organization"),
        attr("is_logging", "boolean", "logging is on"),
        attr("management_events", "boolean", "management events (read and write) are recorded"),
        attr("log_file_validation", "boolean", "log file integrity validation is on"),
        attr("kms_key_id", "string", "KMS key encrypting the logs", nullable=True),
        attr("encrypted", "boolean", "logs are encrypted with a KMS key (SSE-KMS)"),
        attr("s3_bucket", "string", "bucket the logs are delivered to"),
        attr("log_bucket_public", "boolean", "the log bucket is public (bucket policy status, Block Public Access off)"),
        attr("latest_delivery_error", "string", "last S3 delivery error reported by CloudTrail", nullable=True),
    ),
)

TYPES: tuple[ResourceType, ...] = (ACCOUNT, IAM_USER, IAM_ROLE, IAM_POLICY, CLOUDTRAIL_TRAIL)

# The people-linking kinds of this platform (scanner.correlate reads them).
ACCOUNT_KINDS: tuple[AccountKind, ...] = (AccountKind("aws.iam_user", "aws", roster_fields=("aws_iam_user",)),)

# Attributes added after mapping, over the whole scan (scanner.collectors.aws.separation).
EXTENSIONS = {
    "aws.iam_role": (
        attr("trusted_nonproduction_accounts", "list",
             "for a role in a production account: scanned accounts of another environment (or none) that "
             "its trust policy lets assume it, as 'id (environment)'; [] elsewhere"),
    ),
}

# S3 buckets marked as AI dataset / model stores (scanner.collectors.aws.ai_stores, guide WF-5).
AI_BUCKET = ResourceType(
    "aws.ai_bucket",
    "An S3 bucket holding AI datasets or model artifacts, marked by a tag or its name; other buckets are not read.",
    (
        attr("bucket", "string", "bucket name"),
        attr("account_id", "string", "account owning the bucket"),
        attr("environment", "string", "environment of the account (see aws.account.environment)", nullable=True),
        attr("tags", "object", "the bucket's tags, key -> value"),
        attr("marked_by", "string", "why it counts as an AI data store: 'tag key=value' or 'name'"),
        attr("public_access_blocked", "boolean", "all four Block Public Access settings are on (bucket or account level)"),
        attr("policy_public", "boolean", "S3 reports the bucket policy as public (GetBucketPolicyStatus)"),
        attr("encryption", "string", "default encryption algorithm (AES256, aws:kms, aws:kms:dsse); null without one", nullable=True),
        attr("kms_encrypted", "boolean", "default encryption uses a KMS key (SSE-KMS or DSSE-KMS)"),
        attr("access_logging", "boolean", "server access logging is on"),
        attr("principals_outside_organization", "list",
             "AWS principals an Allow statement of the bucket policy names outside this account and its "
             "organization ('*' included), unless limited by aws:PrincipalOrgID"),
    ),
)
TYPES = TYPES + (AI_BUCKET,)
