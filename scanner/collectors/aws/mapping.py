"""Raw AWS answers -> ``Resource`` records (aws.account, aws.iam_user, aws.iam_role,
aws.iam_policy, aws.cloudtrail_trail).

Pure functions: the collector gathers the answers (or an ``Unknown`` saying why one could not be
read) and these map them, so every rule here is tested without a server. Attributes whose
source could not be read become ``Unknown`` with that reason, never a guess.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scanner.collectors.aws import actiondb, iam_eval, policydoc
from scanner.errors import ConfigError
from scanner.collectors.base import days_between, iso, parse_time
from scanner.inventory.model import Resource, Unknown

ROOT_REPORT_USER = "<root_account>"
_EMAIL_TAGS = ("email", "Email", "EMAIL", "e-mail", "mail")
_OWNER_TAGS = ("owner", "Owner", "OWNER")
_ENVIRONMENT_TAGS = ("environment", "Environment", "ENVIRONMENT", "env", "Env", "stage", "Stage")
_ENVIRONMENT_WORDS = {
    "production": ("prod", "production", "prd", "live"),
    "staging": ("staging", "stage", "stg", "preprod", "pre-prod", "uat"),
    "development": ("dev", "development", "sandbox", "test", "qa"),
}


@dataclass(frozen=True)
class AccountScope:
    """What the mapping needs to know about the account being mapped."""

    account_id: str
    environment: str | None | Unknown = None
    organization_accounts: frozenset[str] = frozenset()


# --------------------------------------------------------------------------- helpers




def tag_map(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    return {str(t.get("Key")): str(t.get("Value", "")) for t in tags or () if t.get("Key") is not None}


def _first_tag(tags: Mapping[str, str], names: Sequence[str]) -> str | None:
    for name in names:
        value = tags.get(name)
        if value:
            return value.strip()
    return None


def normalise_environment(value: str | None) -> str | None:
    """production / staging / development from a tag or OU name; other non-empty values as given."""
    if not value:
        return None
    lowered = value.strip().lower()
    for canonical, words in _ENVIRONMENT_WORDS.items():
        if lowered in words:
            return canonical
    return lowered


def environment_from(tags: Mapping[str, str], ou_name: str | None) -> str | None:
    """The account's environment: its tag first, else an OU named like an environment."""
    tagged = normalise_environment(_first_tag(tags, _ENVIRONMENT_TAGS))
    if tagged:
        return tagged
    if ou_name:
        for canonical, words in _ENVIRONMENT_WORDS.items():
            if ou_name.strip().lower() in words:
                return canonical
    return None


def name_from_arn(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _report_bool(value: str | None) -> bool:
    return (value or "").lower() == "true"


def parse_credential_report(content: bytes | str) -> dict[str, dict[str, str]]:
    """The IAM credential report CSV as {user name: row}; root is under ``<root_account>``."""
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    return {row["user"]: row for row in csv.DictReader(io.StringIO(text)) if row.get("user")}


def default_policy_document(policy: Mapping[str, Any]) -> Any:
    """The document of a GAAD policy entry's default version."""
    default = policy.get("DefaultVersionId")
    for version in policy.get("PolicyVersionList") or ():
        if version.get("IsDefaultVersion") or version.get("VersionId") == default:
            return version.get("Document")
    return None


# --------------------------------------------------------------------------- IAM


@dataclass
class Authorization:
    """GetAccountAuthorizationDetails, indexed."""

    users: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: list[dict[str, Any]] = field(default_factory=list)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # customer-managed, by ARN
    # Organization mode: the SCP documents that apply to the account, per level (root, OUs,
    # account); None when not read (single-account scan, or not readable): not evaluated.
    scps: list[list[Any]] | None = None
    _evaluation: iam_eval.Account | Unknown | None = field(default=None, repr=False)

    def evaluation(self, account_id: str) -> iam_eval.Account | Unknown:
        """The account's IAM evaluation (computed once), Unknown when the action database is missing."""
        if self._evaluation is None:
            try:
                db = actiondb.load()
            except ConfigError as exc:
                self._evaluation = Unknown(str(exc))
            else:
                self._evaluation = iam_eval.Account.from_authorization(
                    account_id, self.users, self.groups, self.roles, self.policies, db, scps=self.scps
                )
        return self._evaluation

    @classmethod
    def from_pages(cls, pages: Iterable[Mapping[str, Any]]) -> Authorization:
        auth = cls()
        for page in pages:
            auth.users.extend(u for u in page.get("UserDetailList", ()) if u.get("UserName") != ROOT_REPORT_USER)
            auth.groups.update({g["GroupName"]: g for g in page.get("GroupDetailList", ())})
            auth.roles.extend(page.get("RoleDetailList", ()))
            auth.policies.update({p["Arn"]: p for p in page.get("Policies", ())})
        return auth

    def managed_is_admin(self, arn: str) -> bool:
        if arn in policydoc.ADMIN_MANAGED_POLICY_ARNS:
            return True
        policy = self.policies.get(arn)
        return policy is not None and policydoc.grants_full_admin([default_policy_document(policy)])

    def admin_sources(self, attached: Iterable[Mapping[str, Any]], inline: Iterable[Mapping[str, Any]]) -> list[str]:
        """Admin-equivalent policies among attached managed (ARNs) and inline (inline:<name>)."""
        found = [p["PolicyArn"] for p in attached if self.managed_is_admin(p["PolicyArn"])]
        for item in inline:
            if policydoc.grants_full_admin([item.get("PolicyDocument")]):
                found.append(f"inline:{item.get('PolicyName')}")
        return found

    def attachments(self) -> dict[str, list[str]]:
        """Customer policy ARN -> user/x, group/y, role/z it is attached to."""
        where: dict[str, list[str]] = {}
        for user in self.users:
            for p in user.get("AttachedManagedPolicies", ()):
                where.setdefault(p["PolicyArn"], []).append(f"user/{user['UserName']}")
        for name, group in self.groups.items():
            for p in group.get("AttachedManagedPolicies", ()):
                where.setdefault(p["PolicyArn"], []).append(f"group/{name}")
        for role in self.roles:
            for p in role.get("AttachedManagedPolicies", ()):
                where.setdefault(p["PolicyArn"], []).append(f"role/{role['RoleName']}")
        return where


def _key_slots(row: Mapping[str, str], now: datetime) -> list[dict[str, Any]]:
    keys = []
    for slot in (1, 2):
        rotated = parse_time(row.get(f"access_key_{slot}_last_rotated"))
        if rotated is None and not _report_bool(row.get(f"access_key_{slot}_active")):
            continue  # no key in this slot
        last_used = parse_time(row.get(f"access_key_{slot}_last_used_date"))
        keys.append(
            {
                "slot": slot,
                "active": _report_bool(row.get(f"access_key_{slot}_active")),
                "age_days": days_between(rotated, now),
                "last_used_at": iso(last_used),
                "days_since_last_used": days_between(last_used, now),
            }
        )
    return keys


def map_users(
    auth: Authorization | Unknown,
    report: dict[str, dict[str, str]] | Unknown,
    virtual_mfa_users: set[str] | Unknown,
    scope: AccountScope,
    now: datetime,
) -> list[Resource]:
    """One aws.iam_user per user in GAAD (or, when GAAD was unreadable, in the credential report)."""
    if isinstance(auth, Authorization):
        details = {u["UserName"]: u for u in auth.users}
    else:
        details = {}
    names = list(details)
    if isinstance(report, dict):
        names.extend(n for n in report if n != ROOT_REPORT_USER and n not in details)
    resources = []
    for name in names:
        user = details.get(name)
        row = report.get(name) if isinstance(report, dict) else None
        resources.append(_map_user(name, user, row, auth, report, virtual_mfa_users, scope, now))
    return resources


def _map_user(
    name: str,
    user: Mapping[str, Any] | None,
    row: Mapping[str, str] | None,
    auth: Authorization | Unknown,
    report: dict[str, dict[str, str]] | Unknown,
    virtual_mfa_users: set[str] | Unknown,
    scope: AccountScope,
    now: datetime,
) -> Resource:
    arn = (user or {}).get("Arn") or (row or {}).get("arn") or f"arn:aws:iam::{scope.account_id}:user/{name}"
    gaad_unknown = auth if isinstance(auth, Unknown) else None
    report_unknown: Unknown | None = report if isinstance(report, Unknown) else None
    if row is None and report_unknown is None:
        report_unknown = Unknown("user created after the IAM credential report was generated")

    attrs: dict[str, Any] = {
        "arn": arn,
        "user_name": name,
        "user_id": (user or {}).get("UserId") or gaad_unknown or Unknown("needs iam:GetAccountAuthorizationDetails"),
        "account_id": scope.account_id,
        "path": (user or {}).get("Path") or "/",
        "created_at": iso(parse_time((user or {}).get("CreateDate") or (row or {}).get("user_creation_time"))),
        "environment": scope.environment,
    }
    tags = tag_map((user or {}).get("Tags"))
    if gaad_unknown:
        attrs["tags"] = gaad_unknown
        attrs["owner"] = gaad_unknown
        attrs["email"] = gaad_unknown
    else:
        attrs["tags"] = tags
        attrs["owner"] = _first_tag(tags, _OWNER_TAGS)
        email = _first_tag(tags, _EMAIL_TAGS)
        attrs["email"] = email.lower() if email else None

    if row is not None:
        has_password = _report_bool(row.get("password_enabled"))
        password_used = parse_time(row.get("password_last_used"))
        keys = _key_slots(row, now)
        active_keys = [k for k in keys if k["active"]]
        mfa = _report_bool(row.get("mfa_active"))
        attrs.update(
            has_console_password=has_password,
            password_last_used_at=iso(password_used),
            mfa_enabled=mfa,
            access_keys=keys,
            active_access_keys=len(active_keys),
            active_key_max_age_days=max((k["age_days"] for k in active_keys if k["age_days"] is not None), default=None),
            active_key_max_unused_days=max(
                (
                    k["days_since_last_used"] if k["days_since_last_used"] is not None else k["age_days"]
                    for k in active_keys
                    if k["days_since_last_used"] is not None or k["age_days"] is not None
                ),
                default=None,
            ),
            active=has_password or bool(active_keys),
        )
        if not mfa:
            attrs["mfa_device_kind"] = None
        elif isinstance(virtual_mfa_users, Unknown):
            attrs["mfa_device_kind"] = virtual_mfa_users
        else:
            attrs["mfa_device_kind"] = "virtual" if name in virtual_mfa_users else "hardware"
        activity = [t for t in [password_used, *(parse_time(k["last_used_at"]) for k in keys)] if t is not None]
        last = max(activity) if activity else None
        attrs["last_activity_at"] = iso(last)
        attrs["days_since_last_activity"] = days_between(last, now)
    else:
        assert report_unknown is not None
        for key in (
            "has_console_password",
            "password_last_used_at",
            "mfa_enabled",
            "mfa_device_kind",
            "access_keys",
            "active_access_keys",
            "active_key_max_age_days",
            "active_key_max_unused_days",
            "active",
            "last_activity_at",
            "days_since_last_activity",
        ):
            attrs[key] = report_unknown

    if isinstance(auth, Authorization) and user is not None:
        attached = list(user.get("AttachedManagedPolicies", ()))
        inline = list(user.get("UserPolicyList", ()))
        groups = list(user.get("GroupList", ()))
        group_policies: list[str] = []
        group_admin: list[str] = []
        for group_name in groups:
            group = auth.groups.get(group_name, {})
            g_attached = list(group.get("AttachedManagedPolicies", ()))
            g_inline = list(group.get("GroupPolicyList", ()))
            group_policies.extend(p["PolicyArn"] for p in g_attached)
            group_policies.extend(f"{group_name}:inline:{p.get('PolicyName')}" for p in g_inline)
            group_admin.extend(auth.admin_sources(g_attached, g_inline))
        direct_admin = auth.admin_sources(attached, inline)
        attrs.update(
            groups=groups,
            attached_policies=[p["PolicyArn"] for p in attached],
            inline_policies=[str(p.get("PolicyName")) for p in inline],
            group_policies=sorted(set(group_policies)),
            direct_admin_policies=direct_admin,
        )
        verdict = verdict_attributes(auth, scope, arn)
        attrs.update(verdict)
        # The people contract's is_admin: admin-equivalent as IAM judges it (all policies together).
        admin = verdict["admin_equivalent"]
        if isinstance(admin, Unknown):
            attrs["is_admin"] = True if (direct_admin or group_admin) else admin
        else:
            attrs["is_admin"] = admin or bool(direct_admin or group_admin)
    else:
        reason = gaad_unknown or Unknown("needs iam:GetAccountAuthorizationDetails")
        for key in ("groups", "attached_policies", "inline_policies", "group_policies", "direct_admin_policies", "is_admin",
                    *VERDICT_KEYS):
            attrs[key] = reason
    handles = [name, arn]
    if isinstance(attrs["user_id"], str):
        handles.insert(1, attrs["user_id"])
    attrs["handles"] = handles
    return Resource("aws.iam_user", arn, name, scope.account_id, attrs)


VERDICT_KEYS = (
    "admin_equivalent",
    "admin_evidence",
    "can_escalate_to_admin",
    "escalation_methods",
    "escalation_path",
    "escalation_blocked",
    "assumable_roles",
    "effective_access",
    "evaluation_assumptions",
)


def verdict_attributes(auth: Authorization, scope: AccountScope, arn: str) -> dict[str, Any]:
    """The evaluator's verdict on one principal as attributes (Unknown with the reason when the
    evaluation could not run)."""
    evaluation = auth.evaluation(scope.account_id)
    if isinstance(evaluation, Unknown):
        return {key: evaluation for key in VERDICT_KEYS}
    verdict = evaluation.verdicts().get(arn)
    if verdict is None:
        missing = Unknown("principal not in iam:GetAccountAuthorizationDetails")
        return {key: missing for key in VERDICT_KEYS}
    assumptions = list(verdict.assumptions)
    if auth.scps is None:
        assumptions.append("service control policies not evaluated (read from the management account: --aws-organization)")
    return {
        "admin_equivalent": verdict.admin,
        "admin_evidence": list(verdict.admin_statements[:20]),
        "can_escalate_to_admin": verdict.can_escalate,
        "escalation_methods": [f"{step.method} -> {name_from_arn(step.target)}" for step in verdict.escalation],
        "escalation_path": [step.to_json() for step in verdict.escalation],
        "escalation_blocked": [b.to_json() for b in verdict.blocked[:20]],
        "assumable_roles": list(verdict.assumable_roles),
        "effective_access": evaluation.what_can_do(arn),
        "evaluation_assumptions": assumptions,
    }


def map_roles(auth: Authorization, scope: AccountScope, now: datetime) -> list[Resource]:
    resources = []
    for role in auth.roles:
        trust = policydoc.analyse_trust(role.get("AssumeRolePolicyDocument"), scope.account_id, scope.organization_accounts)
        attached = list(role.get("AttachedManagedPolicies", ()))
        inline = list(role.get("RolePolicyList", ()))
        last_used_raw = role.get("RoleLastUsed")
        last_used_at: Any
        days: Any
        if last_used_raw is None:
            last_used_at = days = Unknown("RoleLastUsed was not returned by iam:GetAccountAuthorizationDetails")
        else:
            last = parse_time(last_used_raw.get("LastUsedDate"))
            last_used_at, days = iso(last), days_between(last, now)
        path = role.get("Path") or "/"
        attrs = {
            "arn": role["Arn"],
            "role_name": role["RoleName"],
            "role_id": role.get("RoleId") or Unknown("RoleId was not returned"),
            "account_id": scope.account_id,
            "path": path,
            "created_at": iso(parse_time(role.get("CreateDate"))),
            "tags": tag_map(role.get("Tags")),
            "service_linked": path.startswith("/aws-service-role/"),
            "trust_principals": list(trust.principals),
            "trusted_services": list(trust.services),
            "trusted_accounts": list(trust.accounts),
            "trust_allows_any_principal": trust.allows_any_principal,
            "foreign_accounts_without_external_id": list(trust.foreign_accounts_without_external_id),
            "github_oidc_trust": trust.github_oidc,
            "github_oidc_subjects": list(trust.github_subjects),
            "github_oidc_repo_pinned": trust.github_repo_pinned,
            "github_oidc_ref_pinned": trust.github_ref_pinned,
            **verdict_attributes(auth, scope, role["Arn"]),
            "attached_policies": [p["PolicyArn"] for p in attached],
            "inline_policies": [str(p.get("PolicyName")) for p in inline],
            "last_used_at": last_used_at,
            "days_since_last_used": days,
            "environment": scope.environment,
        }
        if isinstance(attrs["admin_equivalent"], Unknown) and auth.admin_sources(attached, inline):
            attrs["admin_equivalent"] = True  # AdministratorAccess / * on * needs no database to judge
        evaluation = auth.evaluation(scope.account_id)
        attrs["reachable_by"] = (
            evaluation if isinstance(evaluation, Unknown) else sorted(evaluation.who_can_reach(role["Arn"]))
        )
        resources.append(Resource("aws.iam_role", role["Arn"], role["RoleName"], scope.account_id, attrs))
    return resources


def map_policies(auth: Authorization, scope: AccountScope) -> list[Resource]:
    attachments = auth.attachments()
    resources = []
    for arn, policy in auth.policies.items():
        if ":aws:policy/" in arn:
            continue  # AWS-managed: only customer-managed policies are audited here
        document = default_policy_document(policy)
        attached_to = sorted(attachments.get(arn, []))
        # moto omits PolicyName/PolicyId from GAAD Policies entries; the ARN always names it.
        name = policy.get("PolicyName") or name_from_arn(arn)
        count = policy.get("AttachmentCount")
        attrs = {
            "arn": arn,
            "policy_name": name,
            "account_id": scope.account_id,
            "path": policy.get("Path") or "/",
            "default_version_id": str(policy.get("DefaultVersionId") or ""),
            "attachment_count": int(count) if isinstance(count, int) else len(attached_to),
            "attached_to": attached_to,
            "is_attached": bool(attached_to) or bool(count),
            "grants_full_admin": policydoc.grants_full_admin([document]),
            "grants_iam_full_access": policydoc.grants_action_on_all([document], "iam:*"),
            "privilege_escalation_actions": iam_eval.policy_escalation_actions(document, scope.account_id),
            "created_at": iso(parse_time(policy.get("CreateDate"))),
            "updated_at": iso(parse_time(policy.get("UpdateDate"))),
        }
        resources.append(Resource("aws.iam_policy", arn, name, scope.account_id, attrs))
    return resources


# --------------------------------------------------------------------------- CloudTrail


@dataclass(frozen=True)
class TrailFacts:
    """One trail as DescribeTrails returned it, plus what the per-trail calls found."""

    trail: Mapping[str, Any]
    is_logging: bool | Unknown
    management_events: bool | Unknown
    bucket_public: bool | Unknown
    latest_delivery_error: str | None | Unknown = None


def management_events_from(selectors: Mapping[str, Any], trail: Mapping[str, Any]) -> bool:
    """True when the selectors record management events, read and write."""
    basic = selectors.get("EventSelectors") or []
    advanced = selectors.get("AdvancedEventSelectors") or []
    if not basic and not advanced:
        # No selectors returned: a trail without custom selectors logs all management events.
        return not trail.get("HasCustomEventSelectors", False)
    for selector in basic:
        if selector.get("IncludeManagementEvents", True) and selector.get("ReadWriteType", "All") == "All":
            return True
    for selector in advanced:
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors", ())}
        category = fields.get("eventCategory", {})
        if "Management" in (category.get("Equals") or []) and "readOnly" not in fields:
            return True
    return False


def map_trail(facts: TrailFacts, scope: AccountScope) -> Resource:
    trail = facts.trail
    arn = trail["TrailARN"]
    kms = trail.get("KmsKeyId") or None
    attrs = {
        "arn": arn,
        "trail_name": trail.get("Name") or name_from_arn(arn),
        "account_id": arn.split(":")[4] if arn.count(":") >= 5 else scope.account_id,
        "home_region": trail.get("HomeRegion") or "",
        "is_multi_region": bool(trail.get("IsMultiRegionTrail")),
        "is_organization_trail": bool(trail.get("IsOrganizationTrail")),
        "is_logging": facts.is_logging,
        "management_events": facts.management_events,
        "log_file_validation": bool(trail.get("LogFileValidationEnabled")),
        "kms_key_id": kms,
        "encrypted": kms is not None,
        "s3_bucket": trail.get("S3BucketName") or "",
        "log_bucket_public": facts.bucket_public,
        "latest_delivery_error": facts.latest_delivery_error,
    }
    return Resource("aws.cloudtrail_trail", arn, str(attrs["trail_name"]), scope.account_id, attrs)


def trail_rollup(trails: Sequence[TrailFacts] | Unknown) -> dict[str, Any]:
    """The account-level CloudTrail attributes."""
    if isinstance(trails, Unknown):
        return {"cloudtrail_trails": trails, "cloudtrail_multi_region_logging": trails, "cloudtrail_organization_trail": trails}
    good: bool | Unknown = False
    unknown_reason: Unknown | None = None
    for facts in trails:
        if not facts.trail.get("IsMultiRegionTrail"):
            continue
        logging, management = facts.is_logging, facts.management_events
        if isinstance(logging, Unknown) or isinstance(management, Unknown):
            unknown_reason = logging if isinstance(logging, Unknown) else management  # type: ignore[assignment]
            continue
        if logging and management:
            good = True
    if good is False and unknown_reason is not None:
        good = unknown_reason
    return {
        "cloudtrail_trails": len(trails),
        "cloudtrail_multi_region_logging": good,
        "cloudtrail_organization_trail": any(bool(f.trail.get("IsOrganizationTrail")) for f in trails),
    }


# --------------------------------------------------------------------------- account


def root_usage(report: dict[str, dict[str, str]] | Unknown, now: datetime) -> tuple[Any, Any]:
    """(root_last_used_at, root_days_since_last_used) from the credential report's root row."""
    if isinstance(report, Unknown):
        return report, report
    row = report.get(ROOT_REPORT_USER)
    if row is None:
        reason = Unknown("the IAM credential report has no <root_account> row")
        return reason, reason
    times = [
        parse_time(row.get("password_last_used")),
        parse_time(row.get("access_key_1_last_used_date")),
        parse_time(row.get("access_key_2_last_used_date")),
    ]
    used = [t for t in times if t is not None]
    last = max(used) if used else None
    return iso(last), days_between(last, now)


def root_access_keys(summary_present: bool | Unknown, report: dict[str, dict[str, str]] | Unknown) -> bool | Unknown:
    """Whether root has access keys: GetAccountSummary's AccountAccessKeysPresent or an active
    key on the credential report's ``<root_account>`` row. Either source saying yes is enough;
    no is only believed from a source that was read."""
    row = report.get(ROOT_REPORT_USER) if isinstance(report, dict) else None
    in_report: bool | None = None
    if row is not None:
        in_report = _report_bool(row.get("access_key_1_active")) or _report_bool(row.get("access_key_2_active"))
    if summary_present is True or in_report is True:
        return True
    if summary_present is False or in_report is False:
        return False
    return summary_present if isinstance(summary_present, Unknown) else Unknown("root access keys could not be read")


def map_account(scope: AccountScope, name: str, facts: Mapping[str, Any]) -> Resource:
    """``facts`` already holds every aws.account attribute except the identifying ones."""
    attrs = {"account_id": scope.account_id, "account_name": name, "environment": scope.environment, **facts}
    return Resource("aws.account", f"aws:{scope.account_id}", name, scope.account_id, attrs)
