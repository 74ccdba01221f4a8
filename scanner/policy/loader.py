"""Load policy files in stages, each with a message naming file, line and policy id.

    0. limits      a policy file is code from someone else: at most MAX_FILE_BYTES, no YAML
                   anchors or aliases (an alias bomb expands to billions of nodes), params of
                   bounded size and depth, CEL of bounded length and comprehension nesting
    1. YAML        the file parses (syntax errors point at line:column)
    2. structure   a list of mappings
    3. schema      every entry validates against schema.json (required fields, enums, types)
    4. ids         unique across every loaded file
    5. CEL         `when` and `assert` compile
    6. attributes  every `resource.X` is declared on the resource type; `params.X` exists;
                   message placeholders name something that exists

Policies are data: CEL cannot run code on the auditor's machine, and nothing here imports or
executes anything a policy file names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import cel
import jsonschema
import yaml

from scanner.errors import PolicyError
from scanner.findings import Severity
from scanner.inventory.types import RESOURCE_TYPES, ResourceType
from scanner.policy.model import _STRING_LITERAL, Policy, references_in

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
RESOURCE_FIELDS = frozenset({"id", "name", "scope", "type"})

# Bounds on what a policy file may ask of the machine that loads and evaluates it. The shipped
# baseline is far inside each (its largest expression is ~300 characters, nesting 1).
MAX_FILE_BYTES = 1_000_000
MAX_PARAMS_NODES = 1_000  # values in one policy's params, all levels counted
MAX_PARAMS_DEPTH = 3  # params: {key: [ [ scalar ] ]}
MAX_PARAM_STRING = 1_000
MAX_EXPRESSION = 2_000  # characters of one `when` or `assert`
MAX_COMPREHENSIONS = 6  # .all/.exists/.exists_one/.map/.filter calls in one expression
MAX_COMPREHENSION_NESTING = 2  # a comprehension inside a comprehension, no deeper
_COMPREHENSION = re.compile(r"\.\s*(all|exists_one|exists|map|filter)\s*\(|[()]")


def baseline_dir() -> Path:
    """The shipped baseline: ``policies/`` of the source tree, or ``scanner/baseline`` when installed."""
    installed = Path(str(resources.files("scanner"))) / "baseline"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "policies"


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(resources.files("scanner.policy").joinpath("schema.json").read_text("utf-8"))
    # The file schema describes a list; entries are validated one by one to name each one's line.
    return jsonschema.Draft202012Validator(schema["items"])


def policy_files(paths: Iterable[Path]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under the given files or directories, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise PolicyError("no such policy file or directory", location=str(path))
    return files


def load_policies(
    paths: Iterable[Path],
    *,
    types: Mapping[str, ResourceType] = RESOURCE_TYPES,
    param_overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Policy]:
    """Load and fully validate every policy under ``paths``. Raises the first PolicyError."""
    policies, errors = collect_policies(paths, types=types)
    if errors:
        raise errors[0]
    if param_overrides:
        policies = apply_param_overrides(policies, param_overrides)
    return policies


def collect_policies(
    paths: Iterable[Path], *, types: Mapping[str, ResourceType] = RESOURCE_TYPES
) -> tuple[list[Policy], list[PolicyError]]:
    """Load what loads and gather every error (for ``posture policies validate``)."""
    policies: list[Policy] = []
    errors: list[PolicyError] = []
    seen: dict[str, str] = {}
    try:
        files = policy_files(paths)
    except PolicyError as exc:
        return [], [exc]
    for file in files:
        for item, where in _entries(file, errors):
            location = where.entry
            policy = _build(item, where, types, errors)
            if policy is None:
                continue
            if policy.id in seen:
                errors.append(
                    PolicyError(f"duplicate policy id (first defined at {seen[policy.id]})", location=location, policy_id=policy.id)
                )
                continue
            seen[policy.id] = location
            policies.append(policy)
    return policies, errors


def _entries(file: Path, errors: list[PolicyError]) -> list[tuple[dict[str, Any], _Where]]:
    """Stages 1-2: parse YAML, check it is a list of mappings, pair each with its line."""
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            errors.append(PolicyError(f"policy file is {size} bytes; the limit is {MAX_FILE_BYTES}", location=str(file)))
            return []
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(PolicyError(f"cannot read policy file ({exc})", location=str(file)))
        return []
    try:
        refusal = _anchor_refusal(text, file)
        if refusal is not None:
            errors.append(refusal)
            return []
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{file}:{mark.line + 1}" if mark else str(file)
        errors.append(PolicyError(f"invalid YAML: {exc.problem or exc}", location=where))
        return []
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        errors.append(PolicyError(f"invalid YAML: {type(exc).__name__}", location=str(file)))
        return []
    if data is None:
        return []  # an empty file holds no policies
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        errors.append(
            PolicyError("a policy file must be a YAML list of policies (each starting with '- id: ...')", location=f"{file}:1")
        )
        return []
    entries = []
    for index, (item, item_node) in enumerate(zip(data, node.value, strict=True)):
        location = f"{file}:{item_node.start_mark.line + 1}"
        if not isinstance(item, dict) or not isinstance(item_node, yaml.MappingNode):
            errors.append(PolicyError(f"entry {index + 1} is not a mapping of policy fields", location=location))
            continue
        field_lines = {
            str(key.value): f"{file}:{key.start_mark.line + 1}" for key, _ in item_node.value if isinstance(key, yaml.ScalarNode)
        }
        entries.append((item, _Where(location, field_lines)))
    return entries


def _anchor_refusal(text: str, file: Path) -> PolicyError | None:
    """A PolicyError at the first YAML anchor or alias, or None. Read from the event stream,
    before anything is composed or constructed, so an alias bomb costs nothing."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            what = f"alias *{event.anchor}"
        elif getattr(event, "anchor", None):
            what = f"anchor &{event.anchor}"
        else:
            continue
        return PolicyError(
            f"YAML {what}: anchors and aliases are not allowed in policy files (write the value out)",
            location=f"{file}:{event.start_mark.line + 1}",
        )
    return None


def _params_problem(params: Any) -> str | None:
    """Why ``params`` is too large or deep to accept, or None."""
    count = 0
    stack: list[tuple[Any, int]] = [(params, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_PARAMS_NODES:
            return f"params hold more than {MAX_PARAMS_NODES} values"
        if depth > MAX_PARAMS_DEPTH:
            return f"params nest deeper than {MAX_PARAMS_DEPTH} levels"
        if isinstance(value, str) and len(value) > MAX_PARAM_STRING:
            return f"a params string is {len(value)} characters; the limit is {MAX_PARAM_STRING}"
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return None


def expression_problem(expression: str) -> str | None:
    """Why a CEL expression is too costly to accept, or None. CEL always terminates, but nested
    comprehensions over large lists multiply: nesting and count are bounded here, list sizes by
    the params cap and the inventory."""
    if len(expression) > MAX_EXPRESSION:
        return f"expression is {len(expression)} characters; the limit is {MAX_EXPRESSION}"
    code = _STRING_LITERAL.sub('""', expression)
    stack: list[bool] = []  # one entry per open parenthesis: True when it opens a comprehension
    count = 0
    for match in _COMPREHENSION.finditer(code):
        token = match.group(0)
        if token == ")":
            if stack:
                stack.pop()
            continue
        is_comprehension = token != "("
        if is_comprehension:
            count += 1
            if count > MAX_COMPREHENSIONS:
                return f"more than {MAX_COMPREHENSIONS} comprehensions (all/exists/map/filter)"
            if sum(stack) + 1 > MAX_COMPREHENSION_NESTING:
                return f"comprehensions nest deeper than {MAX_COMPREHENSION_NESTING}"
        stack.append(is_comprehension)
    return None


@dataclass(frozen=True)
class _Where:
    """Where an entry starts, and the line of each of its fields, for error messages."""

    entry: str
    fields: Mapping[str, str]

    def of(self, field_name: str) -> str:
        return self.fields.get(field_name, self.entry)


def _build(
    item: dict[str, Any], where: _Where, types: Mapping[str, ResourceType], errors: list[PolicyError]
) -> Policy | None:
    """Stages 3, 5, 6 for one entry."""
    location = where.entry
    policy_id = item.get("id") if isinstance(item.get("id"), str) else None
    # Before the schema: validation walks every value, and params may be huge.
    problem = _params_problem(item.get("params"))
    if problem:
        errors.append(PolicyError(problem, location=where.of("params"), policy_id=policy_id))
        return None
    schema_errors = sorted(_schema_validator().iter_errors(item), key=lambda e: (len(e.path), e.path))
    if schema_errors:
        first = schema_errors[0]
        field_location = where.of(str(first.absolute_path[0])) if first.absolute_path else location
        errors.append(PolicyError(_describe_schema_error(first), location=field_location, policy_id=policy_id))
        return None
    policy_id = item["id"]
    rtype = types.get(item["resource"])
    if rtype is None:
        known = ", ".join(sorted(types)) or "none"
        errors.append(
            PolicyError(
                f"unknown resource type {item['resource']!r}; known types: {known}",
                location=where.of("resource"),
                policy_id=policy_id,
            )
        )
        return None
    params = item.get("params") or {}
    compiled = {}
    for field_name in ("when", "assert"):
        expression = item.get(field_name)
        if expression is None:
            continue
        location = where.of(field_name)
        problem = expression_problem(expression)
        if problem:
            errors.append(PolicyError(f"{field_name}: {problem}", location=location, policy_id=policy_id))
            return None
        try:
            compiled[field_name] = cel.compile(expression)
        except (ValueError, RuntimeError, TypeError) as exc:
            text = str(exc)
            # The Rust core's message repeats the whole expression; keep its position and complaint.
            detail = text.split("ERROR: ", 1)[-1].splitlines()[0] if text else "syntax error"
            errors.append(PolicyError(f"{field_name}: CEL does not compile: {detail}", location=location, policy_id=policy_id))
            return None
        attributes, param_names = references_in(expression)
        unknown_attrs = sorted(attributes - rtype.attribute_names)
        if unknown_attrs:
            errors.append(
                PolicyError(
                    f"{field_name}: {rtype.name} has no attribute {', '.join(unknown_attrs)}"
                    f" (see `posture resources {rtype.name}`){_suggest(unknown_attrs[0], rtype.attribute_names)}",
                    location=location,
                    policy_id=policy_id,
                )
            )
            return None
        missing_params = sorted(param_names - set(params))
        if missing_params:
            errors.append(
                PolicyError(f"{field_name}: params.{missing_params[0]} is not defined under params:", location=location, policy_id=policy_id)
            )
            return None
    for field_name in ("message", "remediation"):
        for placeholder in PLACEHOLDER.findall(item[field_name]):
            root, _, rest = placeholder.partition(".")
            valid = (
                (root in RESOURCE_FIELDS and not rest)
                or root in rtype.attribute_names
                or (root == "params" and rest in params)
            )
            if not valid:
                errors.append(
                    PolicyError(
                        f"{field_name}: placeholder {{{placeholder}}} names nothing on {rtype.name} "
                        "(use {name}, {id}, {scope}, an attribute, or {params.<key>})",
                        location=where.of(field_name),
                        policy_id=policy_id,
                    )
                )
                return None
    return Policy(
        id=policy_id,
        title=item["title"],
        resource=item["resource"],
        severity=Severity(item["severity"]),
        assertion=item["assert"],
        message=item["message"],
        remediation=item["remediation"],
        references={str(k): str(v) for k, v in item["references"].items()},
        tags=tuple(item.get("tags") or ()),
        when=item.get("when"),
        params=dict(params),
        description=item.get("description", ""),
        source=where.entry,
        compiled_when=compiled.get("when"),
        compiled_assert=compiled["assert"],
    )


def _describe_schema_error(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        return f"{error.message.split(' is a required')[0]} is required"
    if error.validator == "additionalProperties":
        return f"{error.message} (allowed fields: see scanner/policy/schema.json)"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{path}: {error.instance!r} is not one of: {allowed}"
    if error.validator == "pattern" and path == "id":
        return f"id {error.instance!r} must be snake_case: lower-case letters, digits and _ (3-100 characters)"
    return f"{path or 'policy'}: {error.message}"


def _suggest(name: str, candidates: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f"; did you mean {close[0]}?" if close else ""


def apply_param_overrides(policies: Sequence[Policy], overrides: Mapping[str, Mapping[str, Any]]) -> list[Policy]:
    """Replace policy params from configuration (``policy_params: {policy_id: {key: value}}``)."""
    by_id = {p.id: p for p in policies}
    for policy_id, values in overrides.items():
        policy = by_id.get(policy_id)
        if policy is None:
            raise PolicyError(f"policy_params names unknown policy {policy_id!r}", policy_id=policy_id)
        if not isinstance(values, Mapping):
            raise PolicyError("policy_params: each policy maps to {param: value}", policy_id=policy_id)
        for key, value in values.items():
            if key not in policy.params:
                known = ", ".join(policy.params) or "none"
                raise PolicyError(f"policy_params: no parameter {key!r} (parameters: {known})", policy_id=policy_id)
            default = policy.params[key]
            if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, int)):
                raise PolicyError(
                    f"policy_params: {key} must be {type(default).__name__} like the default {default!r}", policy_id=policy_id
                )
        by_id[policy_id] = replace(policy, params={**policy.params, **values})
    return [by_id[p.id] for p in policies]
