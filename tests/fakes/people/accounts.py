"""Synthetic platform accounts that follow the declared resource types exactly.

Correlation is written against the account contract, not against one collector; these
builders fill every attribute a type declares with a neutral value of its kind, then apply the
test's overrides, so tests keep passing ``problems_with`` while the platform types grow.
"""

from __future__ import annotations

from typing import Any

from scanner.inventory.model import Resource
from scanner.inventory.types import RESOURCE_TYPES
from scanner.inventory.types.people import DERIVED_ACCOUNT_ATTRIBUTES

_NEUTRAL: dict[str, Any] = {
    "string": "",
    "timestamp": "2026-01-01T00:00:00Z",
    "integer": 0,
    "number": 0,
    "boolean": False,
    "list": [],
    "object": {},
}
_DERIVED = {a.name for a in DERIVED_ACCOUNT_ATTRIBUTES}


def resource(type_name: str, rid: str, name: str, scope: str, attributes: dict[str, Any]) -> Resource:
    """A resource of ``type_name`` with every declared (non-derived) attribute present."""
    rtype = RESOURCE_TYPES[type_name]
    values: dict[str, Any] = {}
    for attribute in rtype.attributes:
        if attribute.name in _DERIVED:
            continue
        values[attribute.name] = None if attribute.nullable else _NEUTRAL[attribute.kind]
    unknown = set(attributes) - set(values)
    assert not unknown, f"{type_name} does not declare {sorted(unknown)}"
    values.update(attributes)
    return Resource(type_name, rid, name, scope, values)


def github_member(login: str, org: str = "acme", **attributes: Any) -> Resource:
    values: dict[str, Any] = {
        "login": login, "org": org, "role": "member", "is_outside_collaborator": False,
        "email": None, "active": True, "is_admin": False, "mfa_enabled": True,
        "last_activity_at": None, "days_since_last_activity": None, "handles": [login],
    }
    values.update(attributes)
    return resource("github.member", f"github:{org}/member/{login}", login, org, values)


def iam_user(user_name: str, account_id: str = "111122223333", **attributes: Any) -> Resource:
    arn = f"arn:aws:iam::{account_id}:user/{user_name}"
    values: dict[str, Any] = {
        "arn": arn, "user_name": user_name, "account_id": account_id,
        "email": None, "active": True, "is_admin": False, "mfa_enabled": True,
        "last_activity_at": None, "days_since_last_activity": None, "handles": [user_name, arn],
    }
    values.update(attributes)
    return resource("aws.iam_user", arn, user_name, account_id, values)


def entra_user(upn: str, object_id: str, tenant: str = "tenant-1", **attributes: Any) -> Resource:
    values: dict[str, Any] = {
        "object_id": object_id, "user_principal_name": upn, "email": upn, "user_type": "Member",
        "active": True, "is_admin": False, "mfa_enabled": True,
        "last_activity_at": None, "days_since_last_activity": None, "handles": [upn, object_id],
    }
    values.update(attributes)
    return resource("azure.user", f"azure:{tenant}/user/{object_id}", upn, tenant, values)


def role_assignment(assignment_id: str, principal_id: str, role_name: str = "Owner",
                    subscription: str = "sub-1", **attributes: Any) -> Resource:
    rid = f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleAssignments/{assignment_id}"
    values: dict[str, Any] = {
        "subscription_id": subscription, "role_name": role_name, "principal_id": principal_id,
        "principal_type": "User", "privileged": role_name in ("Owner", "Contributor", "User Access Administrator"),
        "scope": f"/subscriptions/{subscription}",
    }
    values.update(attributes)
    return resource("azure.role_assignment", rid, f"{role_name} for {principal_id}", subscription, values)


def roster_entry(name: str, email: str | None, *, employment_type: str = "employee", partner: str | None = None,
                 status: str = "active", start_date: str | None = None, end_date: str | None = None,
                 github: list[str] | None = None, aws_iam_user: list[str] | None = None,
                 entra_upn: list[str] | None = None, line: int = 2, scope: str = "roster:team.csv",
                 security_onboarding_date: str | None = None) -> Resource:
    return Resource("roster.entry", f"roster:entry/{email or name.lower().replace(' ', '-')}", name, scope, {
        "name": name, "email": email, "employment_type": employment_type, "partner": partner,
        "status": status, "start_date": start_date, "end_date": end_date,
        "github": github or [], "aws_iam_user": aws_iam_user or [], "entra_upn": entra_upn or [], "line": line,
        "security_onboarding_date": security_onboarding_date,
    })


def subscription(subscription_id: str, name: str) -> Resource:
    return resource("azure.subscription", f"/subscriptions/{subscription_id}", name, subscription_id,
                    {"subscription_id": subscription_id})


def collected_problems(resource: Resource, rtype: Any) -> list[str]:
    """``problems_with`` for a collector's raw output: correlation adds the derived attributes later."""
    from scanner.inventory.types import problems_with

    derived = tuple(f"missing attribute {name}" for name in _DERIVED)
    return [p for p in problems_with(resource, rtype) if not p.endswith(derived)]
