"""The declared attributes of every resource type, in one registry.

Each platform declares its types in its own module here (``github.py``, ``aws.py``, ...); this
module assembles them in one explicit mapping. ``posture resources`` prints it, and the policy
loader rejects a policy that names an attribute its resource type does not declare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from scanner.inventory.model import Resource, Unknown

AttributeKind = Literal["string", "integer", "number", "boolean", "list", "object", "timestamp"]

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "timestamp": (str,),  # ISO 8601, UTC
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "list": (list, tuple),
    "object": (dict,),
}


@dataclass(frozen=True)
class Attribute:
    """One attribute a resource type carries: its name, JSON kind and meaning."""

    name: str
    kind: AttributeKind
    description: str
    nullable: bool = False

    def accepts(self, value: Any) -> bool:
        if isinstance(value, Unknown):
            return True
        if value is None:
            return self.nullable
        if self.kind in ("integer", "number") and isinstance(value, bool):
            return False
        return isinstance(value, _PYTHON_TYPES[self.kind])


@dataclass(frozen=True)
class ResourceType:
    """A kind of resource (``github.repository``) and the attributes policies may read."""

    name: str
    description: str
    attributes: tuple[Attribute, ...]

    def attribute(self, name: str) -> Attribute | None:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None

    @property
    def attribute_names(self) -> frozenset[str]:
        return frozenset(a.name for a in self.attributes)

    def extended(self, extra: Iterable[Attribute]) -> ResourceType:
        return ResourceType(self.name, self.description, self.attributes + tuple(extra))


@dataclass(frozen=True)
class AccountKind:
    """A resource type people linking (``scanner.correlate``) treats as a person's access.

    An *account* (``principal_of`` empty) follows the account contract (email, active, is_admin,
    mfa_enabled, last_activity_at, days_since_last_activity, handles) and is matched to a roster
    person by the roster handle columns ``roster_fields``, then by email. A *grant* (a role
    assignment) names the account that holds it: its ``principal_id`` is the object id of an
    account of one of the ``principal_of`` types, and it links to that account's person.
    ``unique_name``: the account's name is unique across the platform's scopes (an Entra UPN),
    so reports show it without its scope. ``device``: a managed device, linked to its owner like
    an account (roster handle, then email) but never counted as one (no MFA, admin or activity in
    the person's summary); the person's summary lists it under ``devices`` instead.
    """

    type: str
    platform: str
    roster_fields: tuple[str, ...] = ()
    principal_of: tuple[str, ...] = ()
    unique_name: bool = False
    # (attribute, value) pairs a resource of ``type`` must hold to be a person's account: a GCP
    # principal is one only when it is a user (not a service account or group).
    only: tuple[tuple[str, Any], ...] = ()
    device: bool = False

    @property
    def is_grant(self) -> bool:
        return bool(self.principal_of)

    def covers(self, resource: Resource) -> bool:
        return all(resource.attributes.get(name) == value for name, value in self.only)


def attr(name: str, kind: AttributeKind, description: str, nullable: bool = False) -> Attribute:
    """Shorthand used by the per-platform declaration modules."""
    return Attribute(name, kind, description, nullable)


def problems_with(resource: Resource, rtype: ResourceType) -> list[str]:
    """Where ``resource`` departs from its declaration: missing, undeclared or mistyped attributes.

    Collectors are held to this in the tests (a meta-test runs it over every collected resource),
    so policies can rely on the declarations.
    """
    problems = []
    declared = {a.name: a for a in rtype.attributes}
    for name, attribute in declared.items():
        if name not in resource.attributes:
            problems.append(f"{resource.id}: missing attribute {name}")
        elif not attribute.accepts(resource.attributes[name]):
            value = resource.attributes[name]
            problems.append(
                f"{resource.id}: attribute {name} should be {attribute.kind}, got {type(value).__name__}"
            )
    for name in resource.attributes:
        if name not in declared:
            problems.append(f"{resource.id}: undeclared attribute {name}")
    return problems


def _assemble() -> tuple[Mapping[str, ResourceType], Mapping[str, AccountKind]]:
    # Explicit list: a new platform adds one module and one line here.
    from scanner.inventory.types import atlassian, aws, azure, gcp, github, intune, paths, people

    registry: dict[str, ResourceType] = {}
    kinds: dict[str, AccountKind] = {}
    for module in (github, aws, azure, gcp, intune, atlassian, people, paths):
        for rtype in module.TYPES:
            if rtype.name in registry:
                raise RuntimeError(f"resource type {rtype.name} declared twice")
            registry[rtype.name] = rtype
        for kind in getattr(module, "ACCOUNT_KINDS", ()):
            kinds[kind.type] = kind
    # Attributes a platform's collector adds after its mapping (e.g. GitHub's org_extras).
    for module in (github, aws, azure, gcp, intune, atlassian, people, paths):
        for type_name, extra in getattr(module, "EXTENSIONS", {}).items():
            registry[type_name] = registry[type_name].extended(extra)
    # People correlation adds the same derived attributes to every account type it links.
    for type_name in kinds:
        if type_name in registry:
            registry[type_name] = registry[type_name].extended(people.DERIVED_ACCOUNT_ATTRIBUTES)
    return MappingProxyType(registry), MappingProxyType(kinds)


RESOURCE_TYPES, ACCOUNT_KINDS = _assemble()
