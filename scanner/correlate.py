"""Correlation: link every platform account to a person on the roster, and summarise each person.

Runs after collection (or snapshot load) and before the policy engine. For each account
(``github.member``, ``aws.iam_user``, ``azure.user``) it adds:

- ``person``: the roster person (id, name, email, status, end_date, employment_type, partner,
  days_until_end), or null when unlinked;
- ``days_since_exit``: whole days since that person's exit, or null;
- ``link_method``: how the link was made.

Matching, in order: (1) an explicit roster handle of the account's platform that equals one of
the account's ``handles``; (2) the roster email equal to the account's ``email``; (3) nothing
(``none``). Several roster people matching at the same step give ``ambiguous``. Without any
roster in the inventory every account gets ``no_roster`` (people policies skip); when the
roster source failed, the link is Unknown (people policies report ERROR, never PASS).

Azure role assignments are linked through their principal (an Entra user's object id), so a
leaver's standing Owner assignment is a finding of its own. Managed devices (a ``device``
AccountKind: ``intune.device``) are linked to their owner the same way as accounts, but are never
counted as accounts: the person's summary lists them under ``devices`` and counts the compliant
ones (Unknown when no device source was scanned). One ``roster.person`` resource per roster entry
summarises the person across platforms.

Correlation is idempotent: running it on an already correlated inventory recomputes the same
result (old ``roster.person`` resources are replaced).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanner.inventory.model import Resource, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import ACCOUNT_KINDS as INVENTORY_ACCOUNT_KINDS
from scanner.inventory.types import AccountKind
from scanner.inventory.types.azure import is_privileged_role_name


def account_kinds() -> Mapping[str, AccountKind]:
    """Every type people linking reads: the inventory's declared kinds and the registered
    platforms' own (``Platform.account_kinds``), by type name."""
    from scanner.collectors import platforms

    kinds = dict(INVENTORY_ACCOUNT_KINDS)
    for descriptor in platforms():
        kinds.update({kind.type: kind for kind in descriptor.account_kinds})
    return kinds


# Attributes of a grant (azure.role_assignment) read here, in order of preference.
PRINCIPAL_ID_ATTRIBUTES: tuple[str, ...] = ("principal_id",)
PRIVILEGE_FLAG_ATTRIBUTES: tuple[str, ...] = ("is_privileged", "privileged", "is_admin")
ROLE_NAME_ATTRIBUTES: tuple[str, ...] = ("role_name", "role")

PERSON_TYPE = "roster.person"
ENTRY_TYPE = "roster.entry"


@dataclass(frozen=True)
class _Person:
    """A roster entry prepared for matching."""

    entry: Resource
    id: str
    exited: bool | Unknown
    days_since_exit: int | None | Unknown
    days_until_end: int | None

    def summary(self) -> dict[str, Any]:
        """The ``person`` object set on each linked account (plain JSON: Unknown -> null)."""
        attributes = self.entry.attributes
        return {
            "id": self.id,
            "name": self.entry.name,
            "email": _plain(attributes.get("email")),
            "status": _plain(attributes.get("status")),
            "end_date": _plain(attributes.get("end_date")),
            "employment_type": _plain(attributes.get("employment_type")),
            "partner": _plain(attributes.get("partner")),
            "days_until_end": self.days_until_end,
            "security_onboarding_date": _plain(attributes.get("security_onboarding_date")),
        }


@dataclass(frozen=True)
class _Link:
    person: _Person | None
    method: str | Unknown


def correlate(inventory: Inventory, today: date) -> Inventory:
    """The inventory with accounts linked to roster people and one ``roster.person`` per entry."""
    people = [_prepare(entry, today) for entry in inventory.of_type(ENTRY_TYPE)]
    roster_state = _roster_state(inventory, people)
    kinds = account_kinds()
    principal_types = {t for kind in kinds.values() for t in kind.principal_of}
    labels = Labels.of(inventory.resources, kinds)
    matcher = _Matcher(people, kinds.values())

    linked: dict[str, tuple[_Person, Resource]] = {}  # account id -> (person, account)
    devices_by_person: dict[str, list[Resource]] = defaultdict(list)
    users_by_object_id: dict[str, Resource] = {}
    out: list[Resource] = []
    pending_assignments: list[int] = []
    for resource in inventory.resources:
        if resource.type == PERSON_TYPE:
            continue  # recomputed below
        kind = kinds.get(resource.type)
        if kind is not None and not kind.covers(resource):
            # Not a person's account (a service account, an app): nobody's, by definition.
            resource = resource.with_attributes(person=None, days_since_exit=None, link_method="not_a_person")
            kind = None
        if kind is not None and kind.is_grant:
            pending_assignments.append(len(out))
        elif kind is not None:
            link = _Link(None, roster_state) if roster_state is not None else matcher.match(resource, kind)
            resource = resource.with_attributes(**_derived(link, roster_state))
            if link.person is not None and kind.device:
                devices_by_person[link.person.id].append(resource)
            elif link.person is not None:
                linked[resource.id] = (link.person, resource)
            if resource.type in principal_types:
                for object_id in _object_ids(resource):
                    users_by_object_id[object_id] = resource
        out.append(resource)

    assignments_by_person: dict[str, list[Resource]] = defaultdict(list)
    for index in pending_assignments:
        assignment = out[index]
        principal = _first_string(assignment.attributes, PRINCIPAL_ID_ATTRIBUTES)
        user = users_by_object_id.get(principal.lower()) if principal else None
        members = _group_members(assignment, users_by_object_id)
        if roster_state is not None:
            link = _Link(None, roster_state)
        elif user is not None and user.id in linked:
            link = _Link(linked[user.id][0], "principal")
        elif user is not None and isinstance(user.attributes.get("link_method"), Unknown):
            link = _Link(None, user.attributes["link_method"])
        elif members:
            # Held through a group: no single owner, but each linked member's summary shows it.
            link = _Link(None, "group")
        else:
            link = _Link(None, "none")
        assignment = assignment.with_attributes(**_derived(link, roster_state))
        out[index] = assignment
        if link.person is not None:
            assignments_by_person[link.person.id].append(assignment)
        elif roster_state is None:
            for member in members:
                # A disabled member gains nothing from the group; only enabled ones hold the role.
                if member.id in linked and member.attributes.get("active") is not False:
                    assignments_by_person[linked[member.id][0].id].append(assignment)

    accounts_by_person: dict[str, list[Resource]] = defaultdict(list)
    for person, account in linked.values():
        accounts_by_person[person.id].append(account)
    devices_read = _device_sources(inventory, kinds)
    production_repositories = _production_repositories(inventory)
    for person in people:
        resource = _person_resource(person, accounts_by_person[person.id], assignments_by_person[person.id], labels)
        out.append(resource.with_attributes(**_device_summary(
            person, resource, accounts_by_person[person.id], assignments_by_person[person.id],
            devices_by_person[person.id], devices_read, production_repositories, labels)))
    return inventory.replace_resources(out)


# -- people x devices ----------------------------------------------------------------------------


def _device_sources(inventory: Inventory, kinds: Mapping[str, AccountKind]) -> bool | Unknown:
    """Whether a device source was read: True when one was (ok or partial); Unknown (with why)
    when none was scanned or every one failed, so device checks are ERROR, never PASS."""
    platforms = {k.platform for k in kinds.values() if k.device}
    sources = [s for s in inventory.sources if s.platform in platforms]
    if any(s.status in ("ok", "partial") for s in sources):
        return True
    if not sources and any(r.type in kinds and kinds[r.type].device for r in inventory.resources):
        return True  # a snapshot without its sources still holds devices
    names = ", ".join(sorted(platforms)) or "intune"
    if sources:
        return Unknown(f"the device source ({', '.join(s.name for s in sources)}) could not be read")
    return Unknown(f"no device source ({names}) was scanned")


def _production_repositories(inventory: Inventory) -> set[str]:
    """GitHub repositories that deploy to production (a production environment), by full name."""
    found = set()
    for repository in inventory.of_type("github.repository"):
        environments = repository.attributes.get("production_environments")
        if isinstance(environments, list) and environments and repository.attributes.get("archived") is not True:
            found.add(str(repository.attributes.get("full_name")))
    return found


def _production_access(
    summary: Resource, accounts: Sequence[Resource], assignments: Sequence[Resource], production_repositories: set[str]
) -> tuple[bool | Unknown, list[Resource]]:
    """Whether the person holds production access, and the Azure grants that give it (dated).

    Production access: admin anywhere (the summary's admin_anywhere), admin on any GitHub
    repository (an admin changes protections, secrets and workflows) or write on one with a
    production environment, or a write role on a production Azure subscription.
    """
    grants = [a for a in assignments if a.attributes.get("write_role") is True
              and "production" in _strings(a.attributes.get("environments"))]
    github = False
    for account in accounts:
        if account.type != "github.member" or account.attributes.get("active") is False:
            continue
        admin = _strings(account.attributes.get("admin_repositories"))
        write = _strings(account.attributes.get("write_repositories"))
        github = github or bool(admin) or any(r in production_repositories for r in write)
    admin_anywhere = summary.attributes.get("admin_anywhere")
    if github or grants or admin_anywhere is True:
        return True, grants
    if isinstance(admin_anywhere, Unknown):
        return admin_anywhere, grants
    return False, grants


def _device_summary(
    person: _Person, summary: Resource, accounts: Sequence[Resource], assignments: Sequence[Resource],
    devices: Sequence[Resource], devices_read: bool | Unknown, production_repositories: set[str], labels: Labels,
) -> dict[str, Any]:
    devices = sorted(devices, key=lambda d: d.id)
    access, grants = _production_access(summary, accounts, assignments, production_repositories)
    compliant: int | Unknown
    if isinstance(devices_read, Unknown):
        compliant = devices_read
    else:
        managed = [d for d in devices if d.attributes.get("active") is True]
        known = sum(1 for d in managed if d.attributes.get("is_compliant") is True)
        doubtful = [d for d in managed if isinstance(d.attributes.get("is_compliant"), Unknown)
                    or isinstance(d.attributes.get("active"), Unknown)]
        compliant = known if known or not doubtful else Unknown(
            "whether these devices are compliant is unknown: " + ", ".join(labels.account(d) for d in doubtful))
    enrolled = sorted(str(d.attributes["enrolled_at"]) for d in devices if isinstance(d.attributes.get("enrolled_at"), str))
    first_enrolled: str | None | Unknown = devices_read if isinstance(devices_read, Unknown) else (enrolled[0] if enrolled else None)

    granted_at: str | None | Unknown = None
    before: bool | None | Unknown = None
    if isinstance(access, Unknown):
        granted_at = before = access
    elif access:
        dated = sorted(str(a.attributes["created_at"]) for a in grants if isinstance(a.attributes.get("created_at"), str))
        start = person.entry.attributes.get("start_date")
        # GitHub does not date a permission: the roster start date is the earliest it can have been given.
        granted_at = dated[0] if dated else start if isinstance(start, str) and start else Unknown(
            f"when {person.entry.name} was given production access is unknown (no dated grant, no start date)")
        if isinstance(first_enrolled, Unknown):
            before = first_enrolled
        elif first_enrolled is None:
            before = False  # no device at all, let alone one enrolled first
        elif isinstance(granted_at, Unknown):
            before = granted_at
        else:
            # ISO text compares in time order; a date-only start compares by its day.
            before = first_enrolled[: len(granted_at)] <= granted_at if len(granted_at) == 10 else first_enrolled <= granted_at
    return {
        "production_access": access,
        "production_access_granted_at": granted_at,
        "devices": [d.id for d in devices],
        "device_names": [labels.account(d) for d in devices],
        "compliant_devices": compliant,
        "first_device_enrolled_at": first_enrolled,
        "device_enrolled_before_production_access": before,
    }


def _group_members(assignment: Resource, users_by_object_id: Mapping[str, Resource]) -> list[Resource]:
    """The Entra users holding ``assignment`` through its group principal (none for a user principal)."""
    if assignment.attributes.get("principal_type") != "Group":
        return []
    member_ids = assignment.attributes.get("group_member_ids")
    if not isinstance(member_ids, list):
        return []
    users = (users_by_object_id.get(str(m).lower()) for m in member_ids)
    return [u for u in users if u is not None]


def _roster_state(inventory: Inventory, people: Sequence[_Person]) -> str | Unknown | None:
    """None when a roster is present; ``no_roster`` without one; Unknown when it failed to load."""
    if people:
        return None
    rosters = [s for s in inventory.sources if s.platform == "roster"]
    if not rosters:
        return "no_roster"
    if all(s.status == "failed" for s in rosters):
        names = ", ".join(s.name for s in rosters)
        return Unknown(f"the roster ({names}) could not be read")
    return None  # an empty roster: every account is unlinked


def _prepare(entry: Resource, today: date) -> _Person:
    attributes = entry.attributes
    status = attributes.get("status")
    end = _date_of(attributes.get("end_date"))
    days_until_end = (end - today).days if isinstance(end, date) else None
    exited: bool | Unknown
    days_since_exit: int | None | Unknown
    if isinstance(status, Unknown):
        exited = Unknown(status.reason)
        days_since_exit = Unknown(status.reason)
    elif status == "left" or (isinstance(end, date) and end < today):
        exited = True
        if isinstance(end, date):
            days_since_exit = max(0, (today - end).days)
        elif isinstance(end, Unknown):
            days_since_exit = end
        else:
            days_since_exit = Unknown(f"the roster gives no end date for {entry.name} (line {attributes.get('line')})")
    elif isinstance(end, Unknown):
        # Active by status, but the end date is unreadable: it may have passed.
        exited = end
        days_since_exit = end
    else:
        exited = False
        days_since_exit = None
    person_id = "roster:person/" + entry.id.removeprefix("roster:entry/")
    return _Person(entry, person_id, exited, days_since_exit, days_until_end)


class _Matcher:
    """Finds the roster person of an account: handle first, then email."""

    def __init__(self, people: Sequence[_Person], kinds: Iterable[AccountKind]) -> None:
        self.by_handle: dict[tuple[str, str], list[_Person]] = defaultdict(list)
        self.by_email: dict[str, list[_Person]] = defaultdict(list)
        fields = list(dict.fromkeys(f for kind in kinds for f in kind.roster_fields))
        for person in people:
            for field in fields:
                for handle in person.entry.attributes.get(field) or ():
                    self.by_handle[(field, str(handle).lower())].append(person)
            email = person.entry.attributes.get("email")
            if isinstance(email, str):
                self.by_email[email.lower()].append(person)

    def match(self, account: Resource, kind: AccountKind) -> _Link:
        handles = {h.lower() for h in _strings(account.attributes.get("handles"))}
        handles.add(account.name.lower())
        found = _distinct(
            person
            for field in kind.roster_fields
            for handle in handles
            for person in self.by_handle.get((field, handle), ())
        )
        if len(found) == 1:
            return _Link(found[0], "handle")
        if len(found) > 1:
            return _Link(None, "ambiguous")
        email = account.attributes.get("email")
        if isinstance(email, str) and email:
            found = _distinct(self.by_email.get(email.lower(), ()))
            if len(found) == 1:
                return _Link(found[0], "email")
            if len(found) > 1:
                return _Link(None, "ambiguous")
            return _Link(None, "none")
        if isinstance(email, Unknown):
            return _Link(None, Unknown(f"no roster handle names this account and its email is unknown ({email.reason})"))
        return _Link(None, "none")


def _derived(link: _Link, roster_state: str | Unknown | None) -> dict[str, Any]:
    if link.person is not None:
        return {
            "person": link.person.summary(),
            "days_since_exit": link.person.days_since_exit,
            "link_method": link.method,
        }
    if isinstance(link.method, Unknown):
        # We cannot tell whose account this is, so neither whether its owner has left: the person
        # itself is Unknown (not null), so a leaver policy applicable "when person != null"
        # reports ERROR instead of SKIPPED (not applicable).
        return {"person": link.method, "days_since_exit": link.method, "link_method": link.method}
    return {"person": None, "days_since_exit": None, "link_method": link.method}


def _person_resource(
    person: _Person, accounts: Sequence[Resource], assignments: Sequence[Resource], labels: Labels
) -> Resource:
    entry = person.entry
    attributes = entry.attributes
    employment = attributes.get("employment_type")
    accounts = sorted(accounts, key=lambda r: (r.type, r.id))
    active_flags = {a.id: a.attributes.get("active") for a in accounts}

    # "Active and admin" / "active implies MFA" per account, in three-valued logic.
    admin_by_platform: dict[str, list[bool | Unknown]] = defaultdict(list)
    admin_accounts: list[str] = []
    mfa_values: list[bool | Unknown] = []
    without_mfa: list[str] = []
    for account in accounts:
        active = active_flags[account.id]
        is_admin = account.attributes.get("is_admin")
        active_admin = _and(active, is_admin)
        admin_by_platform[_platform(account)].append(active_admin)
        if active_admin is True:
            admin_accounts.append(labels.account(account))
        mfa = account.attributes.get("mfa_enabled")
        mfa_values.append(_or(_not(active), mfa))
        if active is True and mfa is False:
            without_mfa.append(labels.account(account))
    for assignment in assignments:
        privileged = _is_privileged_assignment(assignment)
        admin_by_platform[_platform(assignment)].append(privileged)
        if privileged is True:
            admin_accounts.append(labels.account(assignment))

    platform_admin = {platform: _any(values) for platform, values in admin_by_platform.items()}
    admin_anywhere = _any(platform_admin.values())
    known = sum(1 for v in platform_admin.values() if v is True)
    unsure = [p for p, v in platform_admin.items() if isinstance(v, Unknown)]
    admin_platforms: int | Unknown = (
        known if not unsure else Unknown(f"admin on at least {known}; admin rights unknown on {', '.join(unsure)}")
    )

    enabled_after: int | None | Unknown
    if person.exited is True:
        unknown_active = [labels.account(a) for a in accounts if isinstance(active_flags[a.id], Unknown)]
        if unknown_active:
            enabled_after = Unknown(f"whether these accounts are enabled is unknown: {', '.join(unknown_active)}")
        else:
            enabled_after = sum(1 for a in accounts if active_flags[a.id] is True) + len(assignments)
    elif isinstance(person.exited, Unknown):
        enabled_after = person.exited
    else:
        enabled_after = None

    idle_days = [a.attributes.get("days_since_last_activity") for a in accounts if active_flags[a.id] is True]
    known_idle = [d for d in idle_days if isinstance(d, int) and not isinstance(d, bool)]
    unknown_idle = [d for d in idle_days if isinstance(d, Unknown)]
    days_since_last_activity: int | None | Unknown = (
        min(known_idle) if known_idle else (unknown_idle[0] if unknown_idle else None)
    )

    return Resource(
        type=PERSON_TYPE,
        id=person.id,
        name=entry.name,
        scope=entry.scope,
        attributes={
            "email": attributes.get("email"),
            "employment_type": employment,
            "partner": attributes.get("partner"),
            "is_external": (
                employment if isinstance(employment, Unknown) else employment in ("contractor", "vendor")
            ),
            "status": attributes.get("status"),
            "start_date": attributes.get("start_date"),
            "end_date": attributes.get("end_date"),
            "exited": person.exited,
            "days_since_exit": person.days_since_exit,
            "days_until_end": person.days_until_end,
            "accounts": [a.id for a in accounts],
            "account_names": [labels.account(a) for a in accounts],
            "active_accounts": sum(1 for a in accounts if active_flags[a.id] is True),
            "active_access_names": [labels.account(a) for a in accounts if active_flags[a.id] is True]
            + [labels.account(r) for r in assignments],
            "platforms": sorted({_platform(a) for a in accounts if active_flags[a.id] is True}),
            "role_assignments": [a.id for a in assignments],
            "admin_anywhere": admin_anywhere,
            "admin_platforms": admin_platforms,
            "admin_accounts": admin_accounts,
            "mfa_everywhere": _all(mfa_values),
            "accounts_without_mfa": without_mfa,
            "enabled_accounts_after_exit": enabled_after,
            "days_since_last_activity": days_since_last_activity,
        },
    )


@dataclass(frozen=True)
class Labels:
    """Names accounts the way people read them in findings and reports."""

    subscription_names: Mapping[str, str]
    kinds: Mapping[str, AccountKind]

    @classmethod
    def of(cls, resources: Iterable[Resource], kinds: Mapping[str, AccountKind] | None = None) -> Labels:
        names = {}
        for resource in resources:
            if resource.type == "azure.subscription":
                subscription_id = resource.attributes.get("subscription_id")
                names[str(subscription_id if isinstance(subscription_id, str) else resource.scope).lower()] = resource.name
        return cls(names, account_kinds() if kinds is None else kinds)

    def account(self, resource: Resource) -> str:
        """``github:org/login``, ``aws:account-id/user``, ``azure:upn``, ``azure:Owner on nw-prod``."""
        platform = _platform(resource)
        kind = self.kinds.get(resource.type)
        if kind is not None and kind.is_grant:
            return f"{platform}:{self.role_assignment(resource)}"
        return f"{platform}:{self.short_name(resource)}"

    def short_name(self, resource: Resource) -> str:
        """``scope/name``, or the name alone where it is unique across scopes (an Entra UPN)."""
        kind = self.kinds.get(resource.type)
        return resource.name if kind is not None and kind.unique_name else f"{resource.scope}/{resource.name}"

    def is_grant(self, resource: Resource) -> bool:
        kind = self.kinds.get(resource.type)
        return kind is not None and kind.is_grant

    def role_assignment(self, assignment: Resource) -> str:
        """``Owner on nw-prod``, ``Contributor on nw-dev/rg-platform``, ``Reader on management group x``."""
        role = _first_string(assignment.attributes, ROLE_NAME_ATTRIBUTES) or "role"
        label = f"{role} on {self.arm_scope(assignment.attributes.get('scope'), assignment.scope)}"
        if assignment.attributes.get("principal_type") == "Group":
            label += f" (via group {assignment.attributes.get('principal_name') or 'unnamed'})"
        return label

    def arm_scope(self, scope: Any, fallback: str) -> str:
        if not isinstance(scope, str) or not scope:
            return self.subscription_names.get(fallback.lower(), fallback)
        match = _ARM_SCOPE.match(scope)
        if match:
            subscription = self.subscription_names.get(match["subscription"].lower(), match["subscription"])
            rest = match["rest"] or ""
            return subscription + rest.replace("/resourceGroups/", "/", 1)
        group = _MANAGEMENT_GROUP.match(scope)
        if group:
            return f"management group {group['group']}"
        return "the tenant root" if scope == "/" else scope


_ARM_SCOPE = re.compile(r"^/subscriptions/(?P<subscription>[^/]+)(?P<rest>/.*)?$", re.IGNORECASE)
_MANAGEMENT_GROUP = re.compile(r"^/providers/Microsoft\.Management/managementGroups/(?P<group>[^/]+)$", re.IGNORECASE)


def _platform(resource: Resource) -> str:
    return resource.type.split(".", 1)[0]


def _is_privileged_assignment(assignment: Resource) -> bool | Unknown:
    for name in PRIVILEGE_FLAG_ATTRIBUTES:
        value = assignment.attributes.get(name)
        if isinstance(value, (bool, Unknown)):
            return value
    role = _first_string(assignment.attributes, ROLE_NAME_ATTRIBUTES)
    if role is None:
        return Unknown("the role assignment does not name its role")
    # The one definition of a privileged Azure role (used only when the collector set no flag).
    return is_privileged_role_name(role)


def _object_ids(user: Resource) -> set[str]:
    """The Entra object ids a role assignment's principal_id may name: from handles and the id."""
    ids = {h.lower() for h in _strings(user.attributes.get("handles"))}
    object_id = user.attributes.get("object_id")
    if isinstance(object_id, str):
        ids.add(object_id.lower())
    ids.add(user.id.rsplit("/", 1)[-1].lower())
    return ids


def _first_string(attributes: Mapping[str, Any], names: Iterable[str]) -> str | None:
    for name in names:
        value = attributes.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _distinct(people: Iterable[_Person]) -> list[_Person]:
    seen: dict[str, _Person] = {}
    for person in people:
        seen.setdefault(person.id, person)
    return list(seen.values())


def _date_of(value: Any) -> date | Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return Unknown(f"end date {value!r} is not an ISO date")
    return None


def _plain(value: Any) -> Any:
    return None if isinstance(value, Unknown) else value


# Three-valued logic over True / False / Unknown (anything else counts as Unknown).


def _tri(value: Any) -> bool | Unknown:
    if isinstance(value, bool):
        return value
    if isinstance(value, Unknown):
        return value
    return Unknown("not collected")


def _not(value: Any) -> bool | Unknown:
    value = _tri(value)
    return value if isinstance(value, Unknown) else not value


def _and(left: Any, right: Any) -> bool | Unknown:
    left, right = _tri(left), _tri(right)
    if left is False or right is False:
        return False
    if left is True and right is True:
        return True
    return left if isinstance(left, Unknown) else right


def _or(left: Any, right: Any) -> bool | Unknown:
    left, right = _tri(left), _tri(right)
    if left is True or right is True:
        return True
    if left is False and right is False:
        return False
    return left if isinstance(left, Unknown) else right


def _any(values: Iterable[Any]) -> bool | Unknown:
    result: bool | Unknown = False
    for value in values:
        result = _or(result, value)
    return result


def _all(values: Iterable[Any]) -> bool | Unknown:
    result: bool | Unknown = True
    for value in values:
        result = _and(result, value)
    return result
