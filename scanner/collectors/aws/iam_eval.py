"""IAM policy semantics for one account: who is admin, who can become admin and how, who can
assume which role. Pure logic over GetAccountAuthorizationDetails-shaped data (no SDK).

The evaluation follows AWS's documented logic for one request (action, resource, context):
an explicit Deny in any applicable policy wins; otherwise every SCP layer (organization mode),
the permissions boundary (if any) and an identity policy (managed + inline + the groups') must
Allow. ``Action``/``NotAction`` and ``Resource``/``NotResource`` are matched as case-insensitive
globs (resources case-sensitive, as IAM does) after substituting policy variables
(``${aws:username}``, ...). Conditions are evaluated against a context the analysis builds
(``iam:PolicyARN`` of the policy an attacker would attach, ``iam:PassedToService``,
``iam:PermissionsBoundary`` of the target, the principal's ``aws:username``/``aws:PrincipalArn``).
A condition on a key the analysis cannot know (``aws:SourceIp``, ``aws:MultiFactorAuthPresent``,
...) is treated conservatively - an Allow is assumed to apply and a Deny is assumed *not* to
protect - and every such assumption is named in the verdict's evidence.

Verdicts, per principal (users with their groups' policies, roles):

* ``admin``: allowed every IAM action on every resource (it can grant itself anything);
* escalation: a method of the Rhino Security Labs / PMapper catalogue (policy versions,
  attach/put policies, login profiles and access keys of others, group membership, PassRole to
  EC2/Lambda/Glue/CloudFormation/Data Pipeline/SageMaker/CodeBuild/ECS, UpdateFunctionCode,
  UpdateDevEndpoint, trust-policy rewrite + AssumeRole, AssumeRole of an admin role), followed
  through other principals until an admin is reached;
* the roles it can assume (trust policy x identity policy) and, per role, who can reach it.

Each verdict carries its evidence: the statements that allowed each step, the method, and the
Deny or condition that stopped a method that was otherwise allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import unquote

from scanner.collectors.aws.actiondb import WRITE_LEVELS, ActionDb

ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"

# Condition keys the analysis sets itself; a condition on any other key is an assumption.
_KNOWN_KEYS = frozenset(
    {
        "iam:policyarn",
        "iam:passedtoservice",
        "iam:permissionsboundary",
        "aws:username",
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:userid",
        "iam:resourcetag",
    }
)

# PassRole methods: service principal the role must trust, the service actions that launch it.
PASSROLE_METHODS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("PassRole+ec2:RunInstances", "ec2.amazonaws.com", ("ec2:RunInstances",)),
    ("PassRole+lambda:CreateFunction+InvokeFunction", "lambda.amazonaws.com", ("lambda:CreateFunction", "lambda:InvokeFunction")),
    (
        "PassRole+lambda:CreateFunction+CreateEventSourceMapping",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
    ),
    ("PassRole+glue:CreateDevEndpoint", "glue.amazonaws.com", ("glue:CreateDevEndpoint",)),
    ("PassRole+cloudformation:CreateStack", "cloudformation.amazonaws.com", ("cloudformation:CreateStack",)),
    (
        "PassRole+datapipeline:CreatePipeline",
        "datapipeline.amazonaws.com",
        ("datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
    ),
    ("PassRole+sagemaker:CreateNotebookInstance", "sagemaker.amazonaws.com", ("sagemaker:CreateNotebookInstance",)),
    ("PassRole+sagemaker:CreateTrainingJob", "sagemaker.amazonaws.com", ("sagemaker:CreateTrainingJob",)),
    ("PassRole+codebuild:CreateProject+StartBuild", "codebuild.amazonaws.com", ("codebuild:CreateProject", "codebuild:StartBuild")),
    ("PassRole+ecs:RegisterTaskDefinition+RunTask", "ecs-tasks.amazonaws.com", ("ecs:RegisterTaskDefinition", "ecs:RunTask")),
)

# Methods that run code as an existing service role without passing it (the role must be admin).
EXISTING_ROLE_METHODS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("lambda:UpdateFunctionCode", "lambda.amazonaws.com", ("lambda:UpdateFunctionCode",)),
    ("glue:UpdateDevEndpoint", "glue.amazonaws.com", ("glue:UpdateDevEndpoint",)),
)


# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Statement:
    """One policy statement, normalised. ``source`` names the policy (and how it reaches the
    principal), ``index`` its position, so evidence can point at it."""

    source: str
    index: int
    sid: str
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]  # (operator, key lower-case, values)
    principals: tuple[str, ...] = ()  # resource policies (trust): "AWS|arn", "Service|ec2.amazonaws.com", ...

    @property
    def ref(self) -> str:
        return f"{self.source}#{self.sid or self.index}"


def parse_document(document: Any) -> dict[str, Any]:
    if isinstance(document, dict):
        return document
    if isinstance(document, str):
        text = unquote(document) if document[:3].lower() == "%7b" else document
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if isinstance(v, (str, int, bool)))
    if isinstance(value, (int, bool)):
        return (str(value).lower(),)
    return ()


@lru_cache(maxsize=8192)
def _parse_cached(text: str, source: str) -> tuple[Statement, ...]:
    return _parse(json.loads(text), source)


def parse_statements(document: Any, source: str) -> tuple[Statement, ...]:
    """The statements of a policy document (a dict, JSON text or URL-encoded JSON)."""
    parsed = parse_document(document)
    try:
        return _parse_cached(json.dumps(parsed, sort_keys=True), source)
    except (TypeError, ValueError):
        return _parse(parsed, source)


def _parse(parsed: Mapping[str, Any], source: str) -> tuple[Statement, ...]:
    raw = parsed.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    found = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, dict):
            continue
        conditions: list[tuple[str, str, tuple[str, ...]]] = []
        condition = item.get("Condition")
        if isinstance(condition, dict):
            for operator, block in condition.items():
                if isinstance(block, dict):
                    for key, value in block.items():
                        conditions.append((str(operator), str(key).lower(), _strings(value)))
        not_action = "NotAction" in item
        not_resource = "NotResource" in item
        raw_principal = item.get("Principal")
        principals: list[str] = []
        if raw_principal == "*":
            principals.append("AWS|*")
        elif isinstance(raw_principal, dict):
            for kind, values in raw_principal.items():
                principals.extend(f"{kind}|{v}" for v in _strings(values))
        found.append(
            Statement(
                source=source,
                index=index,
                sid=str(item.get("Sid") or ""),
                effect="Deny" if str(item.get("Effect", "")).lower() == "deny" else "Allow",
                actions=_strings(item.get("NotAction" if not_action else "Action")),
                not_action=not_action,
                resources=_strings(item.get("NotResource" if not_resource else "Resource")) or ("*",),
                not_resource=not_resource,
                conditions=tuple(conditions),
                principals=tuple(principals),
            )
        )
    return tuple(found)


# --------------------------------------------------------------------------- matching


@lru_cache(maxsize=65536)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body, 0 if case_sensitive else re.IGNORECASE)


def action_matches(patterns: Sequence[str], action: str) -> bool:
    return any(p == "*" or _glob(p, False).fullmatch(action) for p in patterns)


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substitute(pattern: str, variables: Mapping[str, str]) -> str | None:
    """Policy variables replaced; None when one cannot be resolved (the element matches nothing)."""
    if "${" not in pattern:
        return pattern

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in ("*", "?", "$"):
            return "\0" + name  # ${*}: a literal character, restored below
        value = variables.get(name.lower())
        if value is None:
            raise KeyError(name)
        return value

    try:
        text = _VARIABLE.sub(one, pattern)
    except KeyError:
        return None
    return text


def _literal_glob(text: str) -> str:
    """A glob whose ``\0``-marked characters (from ``${*}``, ``${?}``, ``${$}``) are literal."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\0" and index + 1 < len(text):
            out.append(re.escape(text[index + 1]))
            index += 2
            continue
        out.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
        index += 1
    return "".join(out)


def resource_matches(patterns: Sequence[str], resource: str, variables: Mapping[str, str]) -> bool:
    """``resource`` is an ARN, or ``*`` meaning "every resource" (only a bare ``*`` covers it)."""
    for pattern in patterns:
        text = _substitute(pattern, variables)
        if text is None:
            continue
        if resource == "*":
            if text == "*":
                return True
            continue
        if "\0" in text:
            if re.fullmatch(_literal_glob(text), resource):
                return True
        elif text == "*" or _glob(text, True).fullmatch(resource):
            return True
    return False


# --------------------------------------------------------------------------- conditions

Context = Mapping[str, tuple[str, ...] | None]  # key (lower-case) -> values; None: known absent


def _value_match(base: str, expected: str, actual: str, variables: Mapping[str, str]) -> bool:
    resolved = _substitute(expected, variables)
    if resolved is None:
        return False
    if base in ("stringequals", "arnequals"):
        return actual == resolved if base == "stringequals" else _glob(resolved, True).fullmatch(actual) is not None
    if base == "stringequalsignorecase":
        return actual.lower() == resolved.lower()
    if base in ("stringlike", "arnlike"):
        return _glob(resolved, True).fullmatch(actual) is not None
    if base == "bool":
        return actual.lower() == resolved.lower()
    return False


_NEGATED = {
    "stringnotequals": "stringequals",
    "stringnotlike": "stringlike",
    "stringnotequalsignorecase": "stringequalsignorecase",
    "arnnotequals": "arnequals",
    "arnnotlike": "arnlike",
}
_POSITIVE = frozenset({"stringequals", "stringlike", "stringequalsignorecase", "arnequals", "arnlike", "bool"})


def condition_result(
    operator: str, key: str, values: Sequence[str], context: Context, variables: Mapping[str, str]
) -> bool | None:
    """True/False when the analysis can decide the condition, None when it cannot."""
    op = operator.lower()
    qualifier = ""
    for prefix in ("foranyvalue:", "forallvalues:"):
        if op.startswith(prefix):
            qualifier, op = prefix, op[len(prefix) :]
    if_exists = op.endswith("ifexists")
    if if_exists:
        op = op[: -len("ifexists")]
    if key not in context:
        return None
    actual = context[key]
    if op == "null":
        want_absent = any(v.lower() == "true" for v in values)
        return (actual is None) == want_absent
    if actual is None:
        if if_exists or qualifier == "forallvalues:":
            return True
        return op in _NEGATED  # a negated operator on an absent key matches
    negated = op in _NEGATED
    base = _NEGATED.get(op, op)
    if base not in _POSITIVE:
        return None  # numeric/date/IP operators: not something the analysis sets
    hits = [any(_value_match(base, v, a, variables) for v in values) for a in actual]
    if qualifier == "forallvalues:":
        matched = all(hits)
    else:
        matched = any(hits)
    return not matched if negated else matched


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Decision:
    """The answer for one request: allowed or not, and why."""

    allowed: bool
    allows: tuple[str, ...] = ()  # statement refs that allowed it
    denied_by: str | None = None  # the explicit Deny, or the layer that did not allow
    assumptions: tuple[str, ...] = ()  # conditions not evaluated (assumed met / assumed absent)


@dataclass(frozen=True)
class Principal:
    """A user or role with every policy that applies to it."""

    arn: str
    kind: str  # "user" | "role"
    name: str
    account_id: str
    statements: tuple[Statement, ...]  # identity: managed + inline (+ the groups' for users)
    boundary: tuple[Statement, ...] | None = None
    boundary_arn: str | None = None
    groups: tuple[str, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()  # attached directly or through groups
    user_id: str = ""

    @cached_property
    def variables(self) -> dict[str, str]:
        found = {"aws:principalarn": self.arn, "aws:principalaccount": self.account_id}
        if self.kind == "user":
            found["aws:username"] = self.name
            if self.user_id:
                found["aws:userid"] = self.user_id
        return found

    @cached_property
    def _base_context(self) -> dict[str, tuple[str, ...] | None]:
        base: dict[str, tuple[str, ...] | None] = {k: (v,) for k, v in self.variables.items()}
        base["aws:principaltype"] = ("User" if self.kind == "user" else "AssumedRole",)
        if self.kind != "user":
            base["aws:username"] = None
        return base

    def context(self, extra: Mapping[str, tuple[str, ...] | None] | None = None) -> Mapping[str, tuple[str, ...] | None]:
        if not extra:
            return self._base_context
        return {**self._base_context, **extra}


def _applies(
    statement: Statement, action: str, resource: str, context: Context, variables: Mapping[str, str]
) -> tuple[bool, tuple[str, ...]]:
    """(the statement applies to the request, the conditions it could not evaluate)."""
    if action_matches(statement.actions, action) == statement.not_action:
        return False, ()
    if resource_matches(statement.resources, resource, variables) == statement.not_resource:
        # NotResource on "every resource": it applies to every resource but the excluded ones.
        if not (statement.not_resource and resource == "*"):
            return False, ()
    unknown: list[str] = []
    for operator, key, values in statement.conditions:
        result = condition_result(operator, key, values, context, variables)
        if result is False:
            return False, ()
        if result is None:
            unknown.append(f"{operator} {key}")
    return True, tuple(unknown)


def decide(
    principal: Principal,
    action: str,
    resource: str,
    context: Context | None = None,
    scps: Sequence[Sequence[Statement]] = (),
) -> Decision:
    """May ``principal`` perform ``action`` on ``resource`` (an ARN, or ``*`` for every one)?"""
    ctx = context if context is not None else principal.context()
    variables = principal.variables
    assumptions: list[str] = []
    layers: list[tuple[str, Sequence[Statement]]] = [("identity policies", principal.statements)]
    if principal.boundary is not None:
        layers.append((f"permissions boundary {principal.boundary_arn}", principal.boundary))
    for number, layer in enumerate(scps):
        layers.append((f"service control policies (level {number + 1})", layer))
    allows: list[str] = []
    for label, statements in layers:
        allowed_here = False
        for statement in statements:
            applies, unknown = _applies(statement, action, resource, ctx, variables)
            if not applies:
                continue
            if statement.effect == "Deny":
                if unknown:
                    # A Deny whose condition cannot be judged is not counted on to protect.
                    assumptions.append(f"Deny {statement.ref} not counted ({', '.join(unknown)} not evaluated)")
                    continue
                return Decision(False, (), f"explicit Deny {statement.ref}", tuple(assumptions))
            allowed_here = True
            if label == "identity policies":
                allows.append(statement.ref)
            if unknown:
                assumptions.append(f"Allow {statement.ref} assumed to apply ({', '.join(unknown)} not evaluated)")
        if not allowed_here:
            return Decision(False, (), f"not allowed by the {label}", tuple(assumptions))
    return Decision(True, tuple(allows), None, tuple(dict.fromkeys(assumptions)))


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Step:
    """One hop: ``principal`` uses ``method`` (allowed by ``statements``) to act as ``target``."""

    principal: str
    method: str
    target: str
    statements: tuple[str, ...]
    assumptions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"principal": self.principal, "method": self.method, "target": self.target,
                                 "statements": list(self.statements)}
        if self.assumptions:
            found["assumptions"] = list(self.assumptions)
        return found


@dataclass(frozen=True)
class Blocked:
    """A method whose actions an identity policy allows, stopped by a Deny, boundary, SCP or condition."""

    method: str
    target: str
    stopped_by: str

    def to_json(self) -> dict[str, str]:
        return {"method": self.method, "target": self.target, "stopped_by": self.stopped_by}


@dataclass(frozen=True)
class Verdict:
    """Everything the analysis says about one principal."""

    arn: str
    admin: bool
    admin_statements: tuple[str, ...]
    escalation: tuple[Step, ...]  # the shortest path to an admin; empty when none (or already admin)
    blocked: tuple[Blocked, ...]
    assumable_roles: tuple[str, ...]
    access: str  # admin | write | read | none
    assumptions: tuple[str, ...]

    @property
    def can_escalate(self) -> bool:
        return not self.admin and bool(self.escalation)

    @property
    def methods(self) -> list[str]:
        return [step.method for step in self.escalation]


@dataclass
class Account:
    """One account's principals, roles' trust policies and the policies they may be given."""

    account_id: str
    db: ActionDb
    principals: dict[str, Principal] = field(default_factory=dict)
    trust: dict[str, tuple[Statement, ...]] = field(default_factory=dict)  # role ARN -> trust statements
    role_boundaries: dict[str, str | None] = field(default_factory=dict)
    user_boundaries: dict[str, str | None] = field(default_factory=dict)
    group_arns: dict[str, str] = field(default_factory=dict)  # group name -> ARN
    group_members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group name -> user ARNs
    group_policies: dict[str, tuple[Statement, ...]] = field(default_factory=dict)
    policy_versions: dict[str, list[tuple[str, bool, Any]]] = field(default_factory=dict)  # ARN -> (id, default, doc)
    scps: tuple[tuple[Statement, ...], ...] = ()
    scps_known: bool = True
    _verdicts: dict[str, Verdict] = field(default_factory=dict)
    _trust_index: dict[str, set[str]] = field(default_factory=dict)
    _services: dict[str, set[str]] = field(default_factory=dict)
    _edge_cache: dict[tuple[str, str], tuple[list[Step], list[Blocked]]] = field(default_factory=dict)
    _group_admin_cache: dict[str, bool] = field(default_factory=dict)
    _possible: dict[str, frozenset[str]] = field(default_factory=dict)
    _relevant: dict[str, frozenset[str]] = field(default_factory=dict)
    _by_kind: dict[str, list[str]] = field(default_factory=dict)
    _service_roles: list[str] = field(default_factory=list)
    _roles_by_trustee: dict[str, list[str]] | None = None

    # -- building

    @classmethod
    def from_authorization(
        cls,
        account_id: str,
        users: Iterable[Mapping[str, Any]],
        groups: Mapping[str, Mapping[str, Any]],
        roles: Iterable[Mapping[str, Any]],
        policies: Mapping[str, Mapping[str, Any]],
        db: ActionDb,
        aws_managed: Mapping[str, Any] | None = None,
        scps: Sequence[Sequence[Any]] | None = None,
    ) -> Account:
        """From GetAccountAuthorizationDetails (users, groups by name, roles, managed policies by
        ARN). ``aws_managed`` adds documents of AWS-managed policies GAAD was not asked for; a
        managed policy whose document is unknown is read by name (AdministratorAccess) or
        skipped. ``scps``: per level of the organization (root, OUs, account), the SCP documents."""
        account = cls(account_id, db)
        account.scps = tuple(
            tuple(s for i, doc in enumerate(level) for s in parse_statements(doc, f"scp:{i}")) for level in (scps or ())
        )
        documents: dict[str, Any] = dict(aws_managed or {})
        for arn, policy in policies.items():
            versions = []
            for version in policy.get("PolicyVersionList") or ():
                is_default = bool(version.get("IsDefaultVersion")) or version.get("VersionId") == policy.get("DefaultVersionId")
                versions.append((str(version.get("VersionId")), is_default, version.get("Document")))
                if is_default:
                    documents[arn] = version.get("Document")
            account.policy_versions[arn] = versions

        def managed(arn: str, via: str) -> tuple[Statement, ...]:
            if arn in documents:
                return parse_statements(documents[arn], f"{via}{arn}")
            if arn == ADMIN_POLICY_ARN:
                return parse_statements({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, f"{via}{arn}")
            return ()

        for name, group in groups.items():
            statements: list[Statement] = []
            for attached in group.get("AttachedManagedPolicies") or ():
                statements.extend(managed(attached["PolicyArn"], f"group/{name}:"))
            for inline in group.get("GroupPolicyList") or ():
                statements.extend(parse_statements(inline.get("PolicyDocument"), f"group/{name}:inline/{inline.get('PolicyName')}"))
            account.group_policies[name] = tuple(statements)
            account.group_arns[name] = str(group.get("Arn") or f"arn:aws:iam::{account_id}:group/{name}")

        members: dict[str, list[str]] = {}
        for user in users:
            name = str(user["UserName"])
            arn = str(user.get("Arn") or f"arn:aws:iam::{account_id}:user/{name}")
            statements = []
            arns = []
            for attached in user.get("AttachedManagedPolicies") or ():
                statements.extend(managed(attached["PolicyArn"], ""))
                arns.append(attached["PolicyArn"])
            for inline in user.get("UserPolicyList") or ():
                statements.extend(parse_statements(inline.get("PolicyDocument"), f"user/{name}:inline/{inline.get('PolicyName')}"))
            group_names = tuple(str(g) for g in user.get("GroupList") or ())
            for group_name in group_names:
                statements.extend(account.group_policies.get(group_name, ()))
                members.setdefault(group_name, []).append(arn)
                arns.extend(p["PolicyArn"] for p in (groups.get(group_name) or {}).get("AttachedManagedPolicies") or ())
            boundary_arn = (user.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            account.user_boundaries[arn] = boundary_arn
            account.principals[arn] = Principal(
                arn, "user", name, account_id, tuple(statements),
                managed(boundary_arn, "boundary:") if boundary_arn else None, boundary_arn,
                group_names, tuple(dict.fromkeys(arns)), str(user.get("UserId") or ""),
            )
        account.group_members = {k: tuple(v) for k, v in members.items()}
        for role in roles:
            name = str(role["RoleName"])
            arn = str(role["Arn"])
            statements = []
            arns = []
            for attached in role.get("AttachedManagedPolicies") or ():
                statements.extend(managed(attached["PolicyArn"], ""))
                arns.append(attached["PolicyArn"])
            for inline in role.get("RolePolicyList") or ():
                statements.extend(parse_statements(inline.get("PolicyDocument"), f"role/{name}:inline/{inline.get('PolicyName')}"))
            boundary_arn = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            account.role_boundaries[arn] = boundary_arn
            account.trust[arn] = parse_statements(role.get("AssumeRolePolicyDocument"), f"trust:role/{name}")
            account.principals[arn] = Principal(
                arn, "role", name, account_id, tuple(statements),
                managed(boundary_arn, "boundary:") if boundary_arn else None, boundary_arn,
                (), tuple(arns),
            )
        return account

    # -- one request

    def decide(self, principal: Principal, action: str, resource: str, extra: Context | None = None) -> Decision:
        return decide(principal, action, resource, principal.context(extra), self.scps)

    # -- admin

    def _admin(self, principal: Principal) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        """Allowed every IAM action on every resource (so it can grant itself anything)."""
        statements: list[str] = []
        assumptions: list[str] = []
        if not any(s.effect == "Allow" for s in principal.statements):
            return False, (), ()
        for action in self.db.service_actions("iam"):
            decision = self.decide(principal, action, "*", {"iam:policyarn": (ADMIN_POLICY_ARN,)})
            if not decision.allowed:
                return False, (), ()
            statements.extend(decision.allows)
            assumptions.extend(decision.assumptions)
        return True, tuple(dict.fromkeys(statements)), tuple(dict.fromkeys(assumptions))

    # -- trust

    def trusts(self, role_arn: str, principal: Principal) -> tuple[bool, bool, tuple[str, ...], tuple[str, ...]]:
        """(the role's trust policy lets ``principal`` call sts:AssumeRole, it names the principal
        itself (so no identity permission is needed in the same account), statements, assumptions)."""
        trust = self.trust.get(role_arn, ())
        named = False
        allowed: list[str] = []
        assumptions: list[str] = []
        context = principal.context()
        variables = principal.variables
        for statement in trust:
            if not action_matches(statement.actions, "sts:AssumeRole") or statement.not_action:
                continue
            match = _trust_principal_match(statement, principal)
            if match is None:
                continue
            unknown: list[str] = []
            stopped = False
            for operator, key, values in statement.conditions:
                result = condition_result(operator, key, values, context, variables)
                if result is False:
                    stopped = True
                    break
                if result is None:
                    unknown.append(f"{operator} {key}")
            if stopped:
                continue
            if statement.effect == "Deny":
                if not unknown:
                    return False, False, (), ()
                continue
            allowed.append(statement.ref)
            named = named or match == "named"
            if unknown:
                assumptions.append(f"trust {statement.ref} assumed to apply ({', '.join(unknown)} not evaluated)")
        return bool(allowed), named, tuple(allowed), tuple(assumptions)

    def _trust_may_match(self, role_arn: str, principal: Principal) -> bool:
        index = self._trust_index.get(role_arn)
        if index is None:
            index = set()
            for statement in self.trust.get(role_arn, ()):
                for value in statement.principals:
                    kind, _, who = value.partition("|")
                    if kind == "AWS":
                        index.add(who)
            self._trust_index[role_arn] = index
        return bool(
            index & {principal.arn, "*", principal.account_id, f"arn:aws:iam::{principal.account_id}:root"}
        )

    def trusted_services(self, role_arn: str) -> set[str]:
        found = self._services.get(role_arn)
        if found is None:
            found = set()
            for statement in self.trust.get(role_arn, ()):
                if statement.effect == "Allow" and action_matches(statement.actions, "sts:AssumeRole"):
                    found.update(statement_services(statement))
            self._services[role_arn] = found
        return found

    def _edges_cached(self, principal: Principal, target: Principal) -> tuple[list[Step], list[Blocked]]:
        key = (principal.arn, target.arn)
        found = self._edge_cache.get(key)
        if found is None:
            found = self._edges(principal, target) if target.arn in self._relevant_targets(principal) else ([], [])
            self._edge_cache[key] = found
        return found

    def _possible_of(self, principal: Principal) -> frozenset[str]:
        found = self._possible.get(principal.arn)
        if found is None:
            found = self._possible[principal.arn] = possible_actions(principal.statements)
        return found

    def _relevant_targets(self, principal: Principal) -> frozenset[str]:
        """The principals some method could take ``principal`` to: users when it may touch
        credentials, roles whose trust lets it in, every role when it may rewrite trust, roles
        trusting a service when it may pass roles or change a service's code. Computed once,
        so large accounts do not pay principals x targets."""
        found = self._relevant.get(principal.arn)
        if found is not None:
            return found
        if not self._by_kind:
            for arn, other in self.principals.items():
                self._by_kind.setdefault(other.kind, []).append(arn)
            self._service_roles = [r for r in self._by_kind.get("role", []) if self.trusted_services(r)]
        possible = self._possible_of(principal)
        targets: set[str] = set()
        if possible & _USER_TARGET_ACTIONS:
            targets.update(self._by_kind.get("user", ()))
        if "iam:UpdateAssumeRolePolicy" in possible:
            targets.update(self._by_kind.get("role", ()))
        elif possible & _SERVICE_ACTIONS:
            targets.update(self._service_roles)
        targets.update(self._trusting_roles(principal))
        targets.discard(principal.arn)
        found = self._relevant[principal.arn] = frozenset(targets)
        return found

    def _trusting_roles(self, principal: Principal) -> list[str]:
        if self._roles_by_trustee is None:
            self._roles_by_trustee = {}
            for role_arn in self.trust:
                self._trust_may_match(role_arn, principal)  # fills the index
                for who in self._trust_index.get(role_arn, set()):
                    self._roles_by_trustee.setdefault(who, []).append(role_arn)
        keys = (principal.arn, "*", principal.account_id, f"arn:aws:iam::{principal.account_id}:root")
        return [role for key in keys for role in self._roles_by_trustee.get(key, ())]

    # -- edges

    def _edges(self, principal: Principal, target: Principal) -> tuple[list[Step], list[Blocked]]:
        """How ``principal`` can act as ``target`` (another principal of the account)."""
        steps: list[Step] = []
        blocked: list[Blocked] = []

        possible = possible_actions(principal.statements)

        def check(method: str, requests: Sequence[tuple[str, str, Context | None]]) -> None:
            if any(action not in possible for action, _, _ in requests):
                return
            refs: list[str] = []
            assumptions: list[str] = []
            for action, resource, extra in requests:
                decision = self.decide(principal, action, resource, extra)
                if not decision.allowed:
                    why = self._why_not(principal, action, resource, decision)
                    if why is not None:
                        blocked.append(Blocked(method, target.arn, why))
                    return
                refs.extend(decision.allows)
                assumptions.extend(decision.assumptions)
            steps.append(Step(principal.arn, method, target.arn, tuple(dict.fromkeys(refs)), tuple(dict.fromkeys(assumptions))))

        if target.kind == "user":
            check("iam:CreateAccessKey", [("iam:CreateAccessKey", target.arn, None)])
            check("iam:CreateLoginProfile", [("iam:CreateLoginProfile", target.arn, None)])
            check("iam:UpdateLoginProfile", [("iam:UpdateLoginProfile", target.arn, None)])
            return steps, blocked
        # A role.
        trusted, named, trust_refs, trust_assumptions = (
            self.trusts(target.arn, principal) if self._trust_may_match(target.arn, principal) else (False, False, (), ())
        )
        if trusted:
            decision = self.decide(principal, "sts:AssumeRole", target.arn)
            same_account = principal.account_id == self.account_id
            if decision.allowed or (named and same_account):
                steps.append(Step(principal.arn, "sts:AssumeRole", target.arn,
                                  tuple(dict.fromkeys((*decision.allows, *trust_refs))),
                                  tuple(dict.fromkeys((*decision.assumptions, *trust_assumptions)))))
                return steps, blocked
            if decision.denied_by and "identity" not in decision.denied_by:
                blocked.append(Blocked("sts:AssumeRole", target.arn, decision.denied_by))
        check("iam:UpdateAssumeRolePolicy+sts:AssumeRole",
              [("iam:UpdateAssumeRolePolicy", target.arn, None), ("sts:AssumeRole", target.arn, None)])
        services = self.trusted_services(target.arn)
        for method, service, actions in PASSROLE_METHODS:
            if service in services:
                check(method, [("iam:PassRole", target.arn, {"iam:passedtoservice": (service,)}),
                               *((a, "*", None) for a in actions)])
        for method, service, actions in EXISTING_ROLE_METHODS:
            if service in services:
                check(f"{method} (code running as {target.name})", [(a, "*", None) for a in actions])
        return steps, blocked

    def _self_methods(self, principal: Principal) -> tuple[list[Step], list[Blocked]]:
        """Methods that make ``principal`` itself admin."""
        steps: list[Step] = []
        blocked: list[Blocked] = []
        admin_policy = {"iam:policyarn": (ADMIN_POLICY_ARN,)}

        possible = possible_actions(principal.statements)

        def check(method: str, target: str, requests: Sequence[tuple[str, str, Context | None]]) -> None:
            if any(action not in possible for action, _, _ in requests):
                return
            refs: list[str] = []
            assumptions: list[str] = []
            for action, resource, extra in requests:
                extra_ctx = dict(extra or {})
                boundary = self.user_boundaries.get(resource) if ":user/" in resource else self.role_boundaries.get(resource)
                if ":user/" in resource or ":role/" in resource:
                    extra_ctx.setdefault("iam:permissionsboundary", (boundary,) if boundary else None)
                decision = self.decide(principal, action, resource, extra_ctx)
                if not decision.allowed:
                    why = self._why_not(principal, action, resource, decision)
                    if why is not None:
                        blocked.append(Blocked(method, target, why))
                    return
                refs.extend(decision.allows)
                assumptions.extend(decision.assumptions)
            steps.append(Step(principal.arn, method, target, tuple(dict.fromkeys(refs)), tuple(dict.fromkeys(assumptions))))

        me = principal.arn
        if principal.kind == "user":
            check("iam:AttachUserPolicy", me, [("iam:AttachUserPolicy", me, admin_policy)])
            check("iam:PutUserPolicy", me, [("iam:PutUserPolicy", me, None)])
            for group in principal.groups:
                group_arn = self.group_arns.get(group, f"arn:aws:iam::{self.account_id}:group/{group}")
                check("iam:AttachGroupPolicy", group_arn, [("iam:AttachGroupPolicy", group_arn, admin_policy)])
                check("iam:PutGroupPolicy", group_arn, [("iam:PutGroupPolicy", group_arn, None)])
            for group, group_arn in self.group_arns.items():
                if group not in principal.groups and self._group_admin(group):
                    check("iam:AddUserToGroup", group_arn, [("iam:AddUserToGroup", group_arn, None)])
        else:
            check("iam:AttachRolePolicy", me, [("iam:AttachRolePolicy", me, admin_policy)])
            check("iam:PutRolePolicy", me, [("iam:PutRolePolicy", me, None)])
        for arn in principal.managed_policy_arns:
            if arn not in self.policy_versions:
                continue  # AWS-managed: its versions are AWS's
            check("iam:CreatePolicyVersion", arn, [("iam:CreatePolicyVersion", arn, None)])
            admin_versions = [v for v, default, doc in self.policy_versions[arn]
                              if not default and _document_admin(doc)]
            if admin_versions:
                check(f"iam:SetDefaultPolicyVersion ({admin_versions[0]})", arn,
                      [("iam:SetDefaultPolicyVersion", arn, None)])
        return steps, blocked

    def _why_not(self, principal: Principal, action: str, resource: str, decision: Decision) -> str | None:
        """What stopped an action an identity policy names: a Deny, the boundary, an SCP, or the
        conditions of the Allow statements. None when no identity policy names it at all (the
        method was never in reach: nothing to report)."""
        conditional: list[str] = []
        named = False
        for statement in principal.statements:
            if statement.effect != "Allow" or action_matches(statement.actions, action) == statement.not_action:
                continue
            if resource_matches(statement.resources, resource, principal.variables) == statement.not_resource:
                continue
            named = True
            if statement.conditions:
                text = "; ".join(f"{op} {key} {list(values)}" for op, key, values in statement.conditions)
                conditional.append(f"condition on {statement.ref} ({text})")
        if not named:
            return None
        if decision.denied_by and not decision.denied_by.startswith("not allowed by the identity"):
            return f"{action}: {decision.denied_by}"
        return f"{action}: " + (", ".join(conditional) if conditional else str(decision.denied_by))

    def _group_admin(self, group: str) -> bool:
        if group not in self._group_admin_cache:
            probe = Principal(f"arn:aws:iam::{self.account_id}:user/posture-probe", "user", "posture-probe",
                              self.account_id, self.group_policies.get(group, ()))
            self._group_admin_cache[group] = self._admin(probe)[0]
        return self._group_admin_cache[group]

    # -- the whole account

    def verdicts(self) -> dict[str, Verdict]:
        """A verdict for every principal (computed once)."""
        if self._verdicts:
            return self._verdicts
        admin: dict[str, tuple[bool, tuple[str, ...], tuple[str, ...]]] = {}
        signature_cache: dict[tuple[Any, ...], tuple[bool, tuple[str, ...], tuple[str, ...]]] = {}
        for arn, principal in self.principals.items():
            key = (principal.statements, principal.boundary)
            uses_variables = any("${" in r for s in principal.statements for r in s.resources)
            if uses_variables:
                admin[arn] = self._admin(principal)
            else:
                if key not in signature_cache:
                    signature_cache[key] = self._admin(principal)
                admin[arn] = signature_cache[key]
        # Paths to admin: breadth-first from the admins backwards (who can act as an admin, then
        # who can act as one of those, ...), so each principal gets its shortest path.
        path: dict[str, tuple[Step, ...]] = {arn: () for arn, (is_admin, _, _) in admin.items() if is_admin}
        blocked: dict[str, list[Blocked]] = {arn: [] for arn in self.principals}
        candidates = [p for p in self.principals.values() if p.arn not in path and _has_write(p)]
        # Only principals some method could take somewhere.
        candidates = [p for p in candidates if self._relevant_targets(p) or self._possible_of(p)]
        for principal in candidates:
            steps, stopped = self._self_methods(principal)
            blocked[principal.arn].extend(stopped)
            if steps:
                path[principal.arn] = (steps[0],)
        frontier = [arn for arn in path]
        for _ in range(4):  # PMapper-style chains are short; bound the work on large accounts
            if not frontier:
                break
            reached = set(frontier)
            frontier = []
            for principal in candidates:
                if principal.arn in path:
                    continue
                for target_arn in sorted(self._relevant_targets(principal) & reached):
                    target = self.principals[target_arn]
                    steps, stopped = self._edges_cached(principal, target)
                    blocked[principal.arn].extend(stopped)
                    if steps:
                        path[principal.arn] = (steps[0], *path[target.arn])
                        frontier.append(principal.arn)
                        break
        assumable = self._assumable()
        for arn, principal in self.principals.items():
            is_admin, admin_refs, admin_assumptions = admin[arn]
            chain: tuple[Step, ...] = () if is_admin else path.get(arn, ())
            assumptions = list(admin_assumptions)
            for step in chain:
                assumptions.extend(step.assumptions)
            self._verdicts[arn] = Verdict(
                arn=arn,
                admin=is_admin,
                admin_statements=admin_refs,
                escalation=chain,
                blocked=tuple(dict.fromkeys(blocked.get(arn, []))) if not is_admin and not chain else (),
                assumable_roles=tuple(assumable.get(arn, ())),
                access="admin" if is_admin else self._access(principal),
                assumptions=tuple(dict.fromkeys(assumptions)),
            )
        return self._verdicts

    def _assumable(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for principal in self.principals.values():
            may_call = "sts:AssumeRole" in self._possible_of(principal)
            for role_arn in dict.fromkeys(self._trusting_roles(principal)):
                if role_arn == principal.arn or role_arn not in self.principals:
                    continue
                role = self.principals[role_arn]
                trusted, named, _, _ = self.trusts(role.arn, principal)
                if not trusted:
                    continue
                if named or (may_call and self.decide(principal, "sts:AssumeRole", role.arn).allowed):
                    found.setdefault(principal.arn, []).append(role.arn)
        return found

    def _access(self, principal: Principal) -> str:
        """write / read / none: the most powerful access level an effective Allow grants."""
        best = "none"
        for statement in principal.statements:
            if statement.effect != "Allow":
                continue
            patterns = statement.actions if not statement.not_action else ("*",)
            for pattern in patterns:
                for action in self.db.expand(pattern):
                    if statement.not_action and action_matches(statement.actions, action):
                        continue
                    level = self.db.level(action)
                    if level in WRITE_LEVELS:
                        if self.decide(principal, self.db.name(action), "*").allowed or self._any_resource(principal, statement, action):
                            return "write"
                    elif best == "none":
                        best = "read"
        return best

    def _any_resource(self, principal: Principal, statement: Statement, action: str) -> bool:
        if statement.not_resource:
            return True
        for resource in statement.resources:
            concrete = _substitute(resource, principal.variables)
            if concrete and self.decide(principal, self.db.name(action), concrete.replace("*", "x")).allowed:
                return True
        return False

    # -- questions for the paths code

    def what_can_do(self, role_arn: str) -> str:
        """admin / write / read / none for a principal of this account (e.g. an OIDC role)."""
        verdict = self.verdicts().get(role_arn)
        if verdict is None:
            return "none"
        if verdict.admin or verdict.can_escalate:
            return "admin"
        return verdict.access

    def who_can_reach(self, role_arn: str) -> dict[str, list[str]]:
        """Principals (and outside accounts / services / federated providers) that can act as
        ``role_arn`` in one step: principal ARN -> the methods. Admin-equivalent principals are
        left out (they reach every role)."""
        reached: dict[str, list[str]] = {}
        verdicts = self.verdicts()
        for arn, principal in self.principals.items():
            if arn == role_arn or role_arn not in self._relevant_targets(principal):
                continue
            if verdicts[arn].admin:
                continue  # an admin reaches every role: listing them everywhere says nothing
            steps, _ = self._edges_cached(principal, self.principals[role_arn])
            if steps:
                reached[arn] = [steps[0].method]
        for statement in self.trust.get(role_arn, ()):
            if statement.effect != "Allow":
                continue
            for value in statement_outside_principals(statement, self.account_id):
                reached.setdefault(value, ["sts:AssumeRole (trust policy)"])
        return reached


def statement_services(statement: Statement) -> set[str]:
    return {v.split("|", 1)[1] for v in _principal_values(statement) if v.startswith("Service|")}


def _principal_values(statement: Statement) -> tuple[str, ...]:
    """The trust statement's principals as ``Kind|value``."""
    return statement.principals


def statement_outside_principals(statement: Statement, account_id: str) -> list[str]:
    found = []
    for value in _principal_values(statement):
        kind, _, who = value.partition("|")
        if kind == "AWS" and f":{account_id}:" not in who and who != account_id:
            found.append(who)
        elif kind == "Federated":
            found.append(who)
    return found


def _trust_principal_match(statement: Statement, principal: Principal) -> str | None:
    """"named" when the statement names the principal's ARN, "account" when it names its
    account (root, id) or "*", None when it does not let the principal in."""
    for value in _principal_values(statement):
        kind, _, who = value.partition("|")
        if kind != "AWS":
            continue
        if who == principal.arn:
            return "named"
        if who == "*" or who == principal.account_id or who == f"arn:aws:iam::{principal.account_id}:root":
            return "account"
    return None


def _document_admin(document: Any) -> bool:
    for statement in parse_statements(document, "version"):
        if statement.effect == "Allow" and not statement.conditions and "*" in statement.resources and not statement.not_resource:
            if not statement.not_action and any(a in ("*", "*:*", "iam:*") for a in statement.actions):
                return True
    return False


def _has_write(principal: Principal) -> bool:
    return any(s.effect == "Allow" for s in principal.statements)


# Every action some method needs: a principal none of whose Allow statements names one of them
# cannot escalate, which spares the per-target checks on large accounts.
METHOD_ACTIONS: tuple[str, ...] = tuple(
    dict.fromkeys(
        (
            "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "sts:AssumeRole",
            "iam:UpdateAssumeRolePolicy", "iam:PassRole", "iam:AttachUserPolicy", "iam:PutUserPolicy",
            "iam:AttachGroupPolicy", "iam:PutGroupPolicy", "iam:AddUserToGroup", "iam:AttachRolePolicy",
            "iam:PutRolePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
            *(a for _, _, actions in (*PASSROLE_METHODS, *EXISTING_ROLE_METHODS) for a in actions),
        )
    )
)


_USER_TARGET_ACTIONS = frozenset({"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"})
_SERVICE_ACTIONS = frozenset(
    {"iam:PassRole", *(a for _, _, actions in EXISTING_ROLE_METHODS for a in actions)}
)


@lru_cache(maxsize=32768)
def possible_actions(statements: tuple[Statement, ...]) -> frozenset[str]:
    """The method actions some Allow statement names (resource and conditions aside)."""
    return frozenset(
        action
        for action in METHOD_ACTIONS
        if any(s.effect == "Allow" and action_matches(s.actions, action) != s.not_action for s in statements)
    )


# Where each escalation action is tried at policy level: a target that is not the caller itself
# and sits in no particular path, so scoped resources (user/${aws:username}, policy/sandbox/*)
# do not count and a policy granting the action on every resource does.
_POLICY_PROBES: tuple[tuple[str, str, dict[str, tuple[str, ...] | None]], ...] = (
    ("iam:AttachUserPolicy", "user/posture-any-user", {"iam:policyarn": (ADMIN_POLICY_ARN,)}),
    ("iam:AttachGroupPolicy", "group/posture-any-group", {"iam:policyarn": (ADMIN_POLICY_ARN,)}),
    ("iam:AttachRolePolicy", "role/posture-any-role", {"iam:policyarn": (ADMIN_POLICY_ARN,)}),
    ("iam:PutUserPolicy", "user/posture-any-user", {}),
    ("iam:PutGroupPolicy", "group/posture-any-group", {}),
    ("iam:PutRolePolicy", "role/posture-any-role", {}),
    ("iam:CreatePolicyVersion", "policy/posture-any-policy", {}),
    ("iam:SetDefaultPolicyVersion", "policy/posture-any-policy", {}),
    ("iam:CreateAccessKey", "user/posture-any-user", {}),
    ("iam:CreateLoginProfile", "user/posture-any-user", {}),
    ("iam:UpdateLoginProfile", "user/posture-any-user", {}),
    ("iam:AddUserToGroup", "group/posture-any-group", {}),
    ("iam:UpdateAssumeRolePolicy", "role/posture-any-role", {}),
    ("iam:PassRole", "role/posture-any-role", {"iam:passedtoservice": ("ec2.amazonaws.com",)}),
    ("lambda:UpdateFunctionCode", "lambda:function", {}),
    ("glue:UpdateDevEndpoint", "glue:devEndpoint", {}),
)


def policy_escalation_actions(document: Any, account_id: str) -> list[str]:
    """Escalation actions one policy document grants on a target other than its holder, with
    its own Deny statements and conditions applied (a condition the analysis cannot judge
    counts as met). For authors: the principal verdicts judge the policies together."""
    statements = parse_statements(document, "policy")
    probe = Principal(f"arn:aws:iam::{account_id}:user/posture-policy-probe", "user", "posture-policy-probe", account_id, statements)
    found = []
    for action, target, extra in _POLICY_PROBES:
        if target == "lambda:function":
            arn = f"arn:aws:lambda:us-east-1:{account_id}:function:posture-any-function"
        elif target == "glue:devEndpoint":
            arn = f"arn:aws:glue:us-east-1:{account_id}:devEndpoint/posture-any-endpoint"
        else:
            arn = f"arn:aws:iam::{account_id}:{target}"
        context = probe.context({"iam:permissionsboundary": None, **extra})
        if decide(probe, action, arn, context).allowed:
            found.append(action)
    return sorted(found)
