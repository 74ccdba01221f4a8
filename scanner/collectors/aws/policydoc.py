"""Reading IAM policy documents one at a time: admin equivalence and trust-policy analysis.
(Privilege escalation needs a principal's policies together: ``iam_eval``.)

Pure functions over the JSON documents GetAccountAuthorizationDetails returns, so the rules
are tested without any AWS. The analysis is deliberately conservative where it says "safe":
a statement with a condition that restricts *who* may call (aws:PrincipalOrgID, sts:ExternalId,
...) is recognised, anything it cannot reason about counts as granted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote

ADMIN_MANAGED_POLICY_ARNS = frozenset({"arn:aws:iam::aws:policy/AdministratorAccess"})

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"

# Condition keys that restrict which caller may use a '*' principal.
_CALLER_RESTRICTING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "sts:ExternalId",
    )
)

# Operators under which a condition narrows who may call. Negated operators (StringNotEquals),
# Null and ...IfExists (passes when the key is absent) let through principals the key does not
# describe, so they restrict nothing on their own.
_NARROWING_OPERATORS = frozenset(
    op.lower()
    for op in ("StringEquals", "StringLike", "StringEqualsIgnoreCase", "ArnEquals", "ArnLike")
)
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})

_ACCOUNT_IN_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")
_REPO_SUB = re.compile(r"^repo:([^/:]+)/([^:]+)(?::(.*))?$")
# What pins a GitHub OIDC subject to reviewed code: a branch, a tag or a (protected) environment.
# "pull_request" is not a pin: any pull request, reviewed or not, from any branch gets that sub.
_PINNED_REF_PREFIXES = ("ref:refs/heads/", "ref:refs/tags/", "environment:")


def parse_document(document: Any) -> dict[str, Any]:
    """A policy document as a dict: the API gives a dict (boto3) or URL-encoded JSON text."""
    if isinstance(document, dict):
        return document
    if isinstance(document, str):
        text = document
        if text.startswith("%7B") or text.startswith("%7b"):
            text = unquote(text)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def statements(document: Any) -> list[dict[str, Any]]:
    """The Statement entries of a document, always as a list of dicts."""
    raw = parse_document(document).get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    return [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _allows(statement: Mapping[str, Any]) -> bool:
    return str(statement.get("Effect", "")).lower() == "allow"


def _matches(pattern: str, action: str) -> bool:
    """IAM action patterns are case-insensitive globs (``iam:Put*``, ``*``)."""
    return fnmatchcase(action.lower(), pattern.lower())


def _on_all_resources(statement: Mapping[str, Any]) -> bool:
    return "*" in _as_list(statement.get("Resource")) or "NotResource" in statement


def _covers_every_iam_action(statement: Mapping[str, Any]) -> bool:
    """Action ``*``/``iam:*`` (or a NotAction excluding no IAM action): whoever holds it can
    grant itself anything, so it is admin-equivalent."""
    if "NotAction" in statement:
        # NotAction excludes an IAM action only with a pattern whose service part matches iam.
        return not any(fnmatchcase("iam", p.lower().split(":", 1)[0]) for p in _as_list(statement.get("NotAction")))
    for pattern in _as_list(statement.get("Action")):
        service, _, name = pattern.lower().partition(":")
        if pattern == "*" or (fnmatchcase("iam", service) and name == "*"):
            return True
    return False


def grants_full_admin(documents: Iterable[Any]) -> bool:
    """Some Allow statement on every resource is admin-equivalent: ``*``, ``iam:*`` or a
    ``NotAction`` that leaves IAM allowed (deny-list style policies allow everything else)."""
    for document in documents:
        for statement in statements(document):
            if _allows(statement) and _on_all_resources(statement) and _covers_every_iam_action(statement):
                return True
    return False


def grants_action_on_all(documents: Iterable[Any], action: str) -> bool:
    """Some Allow statement grants ``action`` (a literal like ``iam:*``) on every resource."""
    for document in documents:
        for statement in statements(document):
            if _allows(statement) and _on_all_resources(statement):
                if "NotAction" in statement:
                    service = action.lower().split(":", 1)[0]
                    patterns = _as_list(statement.get("NotAction"))
                    if not any(fnmatchcase(service, p.lower().split(":", 1)[0]) for p in patterns):
                        return True
                elif any(_matches(p, action) for p in _as_list(statement.get("Action"))):
                    return True
    return False


@dataclass(frozen=True)
class TrustAnalysis:
    """What a role's trust (assume-role) policy lets in."""

    principals: tuple[str, ...]
    services: tuple[str, ...]
    accounts: tuple[str, ...]
    allows_any_principal: bool
    foreign_accounts_without_external_id: tuple[str, ...]
    github_oidc: bool
    github_subjects: tuple[str, ...]
    github_repo_pinned: bool
    github_ref_pinned: bool


def _condition_keys(statement: Mapping[str, Any]) -> dict[str, list[str]]:
    """Condition key (lower-case) -> every value, across operators (StringLike, ForAnyValue:...)."""
    keys: dict[str, list[str]] = {}
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return keys
    for block in condition.values():
        if not isinstance(block, dict):
            continue
        for key, value in block.items():
            keys.setdefault(str(key).lower(), []).extend(_as_list(value))
    return keys


def _concrete(key: str, value: str) -> bool:
    """A condition value that names something: no wildcard (an ARN may wildcard its resource
    part, but its account must be a literal 12-digit id)."""
    if not value.strip():
        return False
    if key in _ARN_KEYS:
        parts = value.split(":", 5)
        return len(parts) == 6 and bool(re.fullmatch(r"\d{12}", parts[4])) and not any(ch in "".join(parts[:5]) for ch in "*?")
    return not any(ch in value for ch in "*?")


def narrowing_keys(statement: Mapping[str, Any]) -> set[str]:
    """Condition keys (lower-case) of ``statement`` that really narrow the caller: a positive
    operator and only concrete values (``aws:PrincipalArn: "*"`` or ``StringLike sts:ExternalId
    "*"`` narrow nothing)."""
    found: set[str] = set()
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return found
    for operator, block in condition.items():
        op = str(operator).lower()
        for prefix in ("foranyvalue:", "forallvalues:"):
            op = op.removeprefix(prefix)
        if op not in _NARROWING_OPERATORS or not isinstance(block, dict):
            continue
        for key, value in block.items():
            lowered = str(key).lower()
            values = _as_list(value)
            # ForAllValues passes on an empty/absent key: no narrowing.
            if str(operator).lower().startswith("forallvalues:"):
                continue
            if values and all(_concrete(lowered, v) for v in values):
                found.add(lowered)
    return found


def _account_of(principal: str) -> str | None:
    if re.fullmatch(r"\d{12}", principal):
        return principal
    match = _ACCOUNT_IN_ARN.match(principal)
    return match.group(1) if match else None


def _subject_pins(subject: str) -> tuple[bool, bool]:
    """(repository pinned, ref/environment pinned) for one GitHub OIDC 'sub' pattern."""
    match = _REPO_SUB.match(subject)
    if not match:
        return False, False
    owner, repo, rest = match.groups()
    repo_pinned = not any(ch in owner + repo for ch in "*?")
    if rest is None:
        return repo_pinned, False
    ref_pinned = rest.startswith(_PINNED_REF_PREFIXES) and not any(ch in rest for ch in "*?")
    return repo_pinned, ref_pinned and repo_pinned


def analyse_trust(document: Any, own_account: str, organization_accounts: Iterable[str] = ()) -> TrustAnalysis:
    """Analyse a trust policy. Accounts of ``organization_accounts`` are not foreign."""
    known = {own_account, *organization_accounts}
    principals: list[str] = []
    services: list[str] = []
    accounts: list[str] = []
    foreign: list[str] = []
    any_principal = False
    github = False
    subjects: list[str] = []
    github_statements_unpinned = False
    for statement in statements(document):
        if not _allows(statement):
            continue
        raw = statement.get("Principal")
        by_kind: dict[str, list[str]] = {}
        if raw == "*":
            by_kind = {"AWS": ["*"]}
        elif isinstance(raw, dict):
            by_kind = {str(k): _as_list(v) for k, v in raw.items()}
        conditions = _condition_keys(statement)
        narrowing = narrowing_keys(statement)
        restricted = any(k in _CALLER_RESTRICTING_KEYS for k in narrowing)
        for kind, values in by_kind.items():
            for value in values:
                principals.append(value if kind == "AWS" else f"{kind}:{value}")
                if kind == "Service":
                    services.append(value)
                elif kind == "AWS":
                    if value == "*":
                        any_principal = any_principal or not restricted
                        continue
                    account = _account_of(value)
                    if account:
                        accounts.append(account)
                        if account not in known and "sts:externalid" not in narrowing:
                            foreign.append(account)
                elif kind == "Federated" and GITHUB_OIDC_HOST in value:
                    github = True
                    statement_subjects = conditions.get(f"{GITHUB_OIDC_HOST}:sub", [])
                    if not statement_subjects:
                        github_statements_unpinned = True
                    subjects.extend(statement_subjects)
    pins = [_subject_pins(s) for s in subjects]
    repo_pinned = github and not github_statements_unpinned and bool(pins) and all(p[0] for p in pins)
    ref_pinned = repo_pinned and all(p[1] for p in pins)
    return TrustAnalysis(
        principals=tuple(dict.fromkeys(principals)),
        services=tuple(sorted(set(services))),
        accounts=tuple(sorted(set(accounts))),
        allows_any_principal=any_principal,
        foreign_accounts_without_external_id=tuple(sorted(set(foreign))),
        github_oidc=github,
        github_subjects=tuple(dict.fromkeys(subjects)),
        github_repo_pinned=repo_pinned,
        github_ref_pinned=ref_pinned,
    )
