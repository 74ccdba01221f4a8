"""Resource types of the people view: roster entries, roster persons, and what correlation adds to accounts.

``roster.entry`` is what the roster collector reads (one per row of the team's list of people).
``roster.person`` is derived by ``scanner.correlate``: one per roster entry, summarising the
person's accounts across platforms. Every account type (an ``AccountKind``) gains
``DERIVED_ACCOUNT_ATTRIBUTES`` (the registry in ``scanner.inventory.types`` extends them).
"""

from __future__ import annotations

from scanner.inventory.types import Attribute, ResourceType, attr

ROSTER_ENTRY = ResourceType(
    "roster.entry",
    "One person on the team's authoritative roster (a row of the roster file), as read.",
    (
        attr("name", "string", "Full name"),
        attr("email", "string", "Work email, lower-cased", nullable=True),
        attr("employment_type", "string", "employee | contractor | vendor"),
        attr("partner", "string", "Staffing partner or vendor company", nullable=True),
        attr("status", "string", "active | left"),
        attr("start_date", "string", "First day, ISO date (YYYY-MM-DD)", nullable=True),
        attr("end_date", "string", "Last day (exit or contract end), ISO date", nullable=True),
        attr("github", "list", "GitHub logins named by the roster"),
        attr("aws_iam_user", "list", "AWS IAM user names or ARNs named by the roster"),
        attr("entra_upn", "list", "Entra user principal names or object ids named by the roster"),
        attr("line", "integer", "Line (CSV) or item number (JSON, 1-based) in the roster file"),
        attr(
            "security_onboarding_date",
            "string",
            "When the person completed security onboarding, ISO date; null when the roster has no such "
            "column or the person has not completed it",
            nullable=True,
        ),
    ),
)

ROSTER_PERSON = ResourceType(
    "roster.person",
    "One roster person and every platform account correlation linked to them.",
    (
        attr("email", "string", "Work email from the roster", nullable=True),
        attr("employment_type", "string", "employee | contractor | vendor"),
        attr("partner", "string", "Staffing partner or vendor company", nullable=True),
        attr("is_external", "boolean", "Contractor or vendor (not an employee)"),
        attr("status", "string", "active | left (from the roster)"),
        attr("start_date", "string", "First day, ISO date", nullable=True),
        attr("end_date", "string", "Last day, ISO date", nullable=True),
        attr("exited", "boolean", "Status is left, or the end date has passed"),
        attr("days_since_exit", "integer", "Whole days since the end date, once exited; null before", nullable=True),
        attr("days_until_end", "integer", "Whole days until the end date (negative once past); null without one", nullable=True),
        attr("accounts", "list", "Ids of every linked account (GitHub, AWS IAM, Entra)"),
        attr("account_names", "list", "The linked accounts as platform:name, for reports"),
        attr("active_accounts", "integer", "Linked accounts that can still sign in or act"),
        attr("active_access_names", "list", "Active accounts and Azure role assignments, as platform:name, for reports"),
        attr("platforms", "list", "Platforms (github, aws, azure) where the person has an active account"),
        attr("role_assignments", "list", "Ids of Azure role assignments held through the person's Entra user"),
        attr("admin_anywhere", "boolean", "Admin/owner on at least one platform (or a privileged Azure role)"),
        attr("admin_platforms", "integer", "Number of platforms where the person is admin/owner"),
        attr("admin_accounts", "list", "The admin accounts and privileged role assignments, as platform:name"),
        attr("mfa_everywhere", "boolean", "Every active account enforces MFA (the weakest account decides)"),
        attr("accounts_without_mfa", "list", "Active accounts without MFA, as platform:name"),
        attr(
            "enabled_accounts_after_exit",
            "integer",
            "Active accounts and Azure role assignments still held after exit; null before exit",
            nullable=True,
        ),
        attr("days_since_last_activity", "integer", "Days since the most recent activity on any account", nullable=True),
        attr("production_access", "boolean",
             "Admin anywhere (an admin account or privileged role), write or admin on a GitHub repository with a "
             "production environment, admin on any GitHub repository, or a write role on a production Azure subscription"),
        attr("production_access_granted_at", "string",
             "Earliest dated grant of that access (an Azure role assignment's creation), else the roster start date "
             "(access cannot predate it); null without production access", nullable=True),
        attr("devices", "list", "Ids of the managed devices (Intune) whose primary user is this person"),
        attr("device_names", "list", "Those devices as platform:name, for reports"),
        attr("compliant_devices", "integer",
             "Managed devices of this person still managed (not retired or wiped) and compliant; Unknown when no "
             "device source (Intune) was scanned or it could not be read"),
        attr("first_device_enrolled_at", "timestamp", "When the person's first managed device enrolled; null with none",
             nullable=True),
        attr("device_enrolled_before_production_access", "boolean",
             "A managed device was enrolled on or before production access was granted (onboarding before "
             "permissions); null without production access", nullable=True),
    ),
)

TYPES: tuple[ResourceType, ...] = (ROSTER_ENTRY, ROSTER_PERSON)

# Every AccountKind (declared with its platform's types) gains DERIVED_ACCOUNT_ATTRIBUTES.
DERIVED_ACCOUNT_ATTRIBUTES: tuple[Attribute, ...] = (
    attr(
        "person",
        "object",
        "The roster person this account belongs to: id, name, email, status, end_date, "
        "employment_type, partner, days_until_end, security_onboarding_date; null when unlinked",
        nullable=True,
    ),
    attr(
        "days_since_exit",
        "integer",
        "Whole days since the linked person's exit (status left or end date passed); null when "
        "not exited or unlinked",
        nullable=True,
    ),
    attr(
        "link_method",
        "string",
        "How the account was linked: handle | email | principal (role assignment via its Entra "
        "user) | group (role assignment held through a group: each linked member's roster.person "
        "lists it) | ambiguous | none | no_roster (no roster was collected)",
    ),
)
